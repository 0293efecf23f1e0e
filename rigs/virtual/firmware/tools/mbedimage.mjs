#!/usr/bin/env node
// Images of the Mbed twin (src/mbed_bootloader.c), in the Mbed bootloader v4's formats:
//   body BIN SIZE OUT                   the app binary followed by a deterministic filler up to SIZE bytes
//   internal BODY VERSION OUT           the 112-byte internal header v2 (big-endian, CRC32), 0xff up to 1 KiB
//   combined BOOTLOADER HEADER BODY OUT bootloader at 0x21000000, header at 0x21008000, body at 0x21008400: one Intel
//                                       HEX file, as the board's first programming (app.hex) is
//   candidate BODY VERSION OUT          the 296-byte candidate header (HMAC-SHA256 at 232), 0xff up to 1 KiB, the body
import { createHash, createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
// The same filler as the MCUboot images' (built by `npm run build`, as imageTool is).
import { bodyFill } from '../../../../dist/image/bodyFill.js';

const MAGIC = 0x5a51b3d4;
const HEADER_AREA = 0x400;
const BASE = 0x21000000;
const HEADER_OFFSET = 0x8000;
// The twin's stand-in for the device root of trust; src/mbed_bootloader.c has the same key.
const ROT_KEY = Buffer.from('hil-virtual-rot\0', 'latin1');

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = (c >>> 8) ^ crcTable[(c ^ b) & 0xff];
  return (c ^ 0xffffffff) >>> 0;
};

// magic, header version 2, firmware version, size and the body's SHA-256: the same offsets in both headers
function commonFields(header, body, version) {
  header.writeUInt32BE(MAGIC, 0);
  header.writeUInt32BE(2, 4);
  header.writeBigUInt64BE(BigInt(version), 8);
  header.writeBigUInt64BE(BigInt(body.length), 16);
  createHash('sha256').update(body).digest().copy(header, 24);
}

// Intel HEX: an extended linear address record per 64 KiB, 16 data bytes a record, the end-of-file record
function intelHex(segments) {
  const record = (type, address, data) => {
    const bytes = [data.length, (address >> 8) & 0xff, address & 0xff, type, ...data];
    const sum = (0x100 - (bytes.reduce((a, b) => a + b, 0) & 0xff)) & 0xff;
    return `:${[...bytes, sum].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join('')}\n`;
  };
  let out = '';
  let upper = -1;
  for (const [address, data] of segments) {
    for (let off = 0; off < data.length; off += 16) {
      const at = address + off;
      if (at >>> 16 !== upper) {
        upper = at >>> 16;
        out += record(4, 0, [upper >> 8, upper & 0xff]);
      }
      out += record(0, at & 0xffff, [...data.subarray(off, Math.min(off + 16, data.length))]);
    }
  }
  return out + record(1, 0, []);
}

const padded = (buf, size) => Buffer.concat([buf, Buffer.alloc(size - buf.length, 0xff)]);

const [command, ...args] = process.argv.slice(2);
if (command === 'body') {
  const [bin, size, out] = args;
  const app = readFileSync(bin);
  writeFileSync(out, Buffer.concat([app, bodyFill(Number(size) - app.length)]));
} else if (command === 'internal') {
  const [body, version, out] = args;
  const header = Buffer.alloc(112);
  commonFields(header, readFileSync(body), version);
  header.writeUInt32BE(crc32(header.subarray(0, 108)), 108);
  writeFileSync(out, padded(header, HEADER_AREA));
} else if (command === 'combined') {
  const [bootloader, header, body, out] = args;
  const parts = [readFileSync(bootloader), readFileSync(header), readFileSync(body)];
  writeFileSync(out, intelHex([[BASE, parts[0]], [BASE + HEADER_OFFSET, parts[1]], [BASE + HEADER_OFFSET + parts[1].length, parts[2]]]));
} else if (command === 'candidate') {
  const [bodyFile, version, out] = args;
  const body = readFileSync(bodyFile);
  const header = Buffer.alloc(296);
  commonFields(header, body, version);
  header.writeBigUInt64BE(BigInt(body.length), 88); // payload size and hash: the payload is the body itself
  createHash('sha256').update(body).digest().copy(header, 96);
  createHmac('sha256', ROT_KEY).update(header.subarray(0, 232)).digest().copy(header, 232);
  writeFileSync(out, Buffer.concat([padded(header, HEADER_AREA), body]));
} else {
  process.stderr.write('usage: mbedimage.mjs body|internal|combined|candidate ...\n');
  process.exitCode = 2;
}
