#!/usr/bin/env node
/**
 * imageTool: make and inspect MCUboot images (a small imgtool), used by the virtual board's
 * firmware Makefile.
 *
 *   imageTool create --version 1.1.0+0 [--header-size 0x200] [--load-addr N] [--flags N]
 *                    [--pad --slot-size 0x10000 [--confirm]] [--erased-val 0xff] [--fill-to N] in.bin out.img
 *   imageTool show [--json] [--offset N] file.img      exit 0 hash OK, 1 bad hash, 2 not an image
 *   imageTool flashmap flash_map.h [--image name=file@REGION|0xADDR]... [-o flash_map.json]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { bodyFill } from './bodyFill.js';
import { describeImage, encodeImage, type EncodeOptions, ImageFormatError, parseImage } from './McubootImage.js';
import { parseFlashMapHeader, placeImage } from './flashMap.js';

const USAGE = `usage:
  imageTool create --version V [--header-size N] [--load-addr N] [--flags N] [--pad --slot-size N [--confirm]] [--erased-val N] [--fill-to N] IN.bin OUT.img
  imageTool show [--json] [--offset N] FILE
  imageTool flashmap FLASH_MAP.h [--image name=file@REGION|0xADDR]... [-o OUT.json]`;

class UsageError extends Error {}

function num(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(t)) throw new UsageError(`${what}: "${text}" is not a number`);
  return Number(t);
}

function create(args: string[], out: (s: string) => void): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      version: { type: 'string' },
      'header-size': { type: 'string' },
      'load-addr': { type: 'string' },
      flags: { type: 'string' },
      pad: { type: 'boolean' },
      'slot-size': { type: 'string' },
      confirm: { type: 'boolean' },
      'erased-val': { type: 'string' },
      'fill-to': { type: 'string' },
    },
  });
  if (positionals.length !== 2 || !values.version) throw new UsageError('create needs --version, an input and an output file');
  const [input, output] = positionals as [string, string];
  const options = {
    body: readFileSync(input),
    version: values.version,
    headerSize: num(values['header-size'], '--header-size'),
    loadAddr: num(values['load-addr'], '--load-addr'),
    flags: num(values.flags, '--flags'),
    pad: values.pad,
    slotSize: num(values['slot-size'], '--slot-size'),
    confirm: values.confirm,
    erasedVal: num(values['erased-val'], '--erased-val'),
  };
  const fillTo = num(values['fill-to'], '--fill-to');
  const image = fillTo === undefined ? encodeImage(options) : filledImage(options, fillTo);
  writeFileSync(output, image);
  const parsed = parseImage(image);
  out(
    `${basename(output)}: version ${parsed.version}, ${parsed.size} bytes${image.length > parsed.size ? ` (padded to ${image.length})` : ''}, sha256 ${parsed.computedHash.toString('hex')}`,
  );
  return 0;
}

/** The image with its body grown by bodyFill until header + body + TLVs are exactly `size` bytes. */
function filledImage(options: EncodeOptions, size: number): Buffer {
  const bare = parseImage(encodeImage({ ...options, pad: false, confirm: false })).size;
  if (size < bare) throw new UsageError(`--fill-to ${size}: the image is already ${bare} bytes`);
  return encodeImage({ ...options, body: Buffer.concat([options.body, bodyFill(size - bare)]) });
}

function show(args: string[], out: (s: string) => void): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, offset: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new UsageError('show needs one file');
  const data = readFileSync(positionals[0] as string).subarray(num(values.offset, '--offset') ?? 0);
  const img = parseImage(data);
  if (values.json) {
    out(
      JSON.stringify(
        {
          ...img,
          computedHash: img.computedHash.toString('hex'),
          hash: img.hash?.toString('hex'),
          protectedTlvs: img.protectedTlvs.map((t) => ({ ...t, data: t.data.toString('hex') })),
          tlvs: img.tlvs.map((t) => ({ ...t, data: t.data.toString('hex') })),
        },
        null,
        2,
      ),
    );
  } else {
    for (const line of describeImage(img)) out(line);
  }
  return img.hashOk ? 0 : 1;
}

function flashmap(args: string[], out: (s: string) => void): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { image: { type: 'string', multiple: true }, output: { type: 'string', short: 'o' } },
  });
  if (positionals.length !== 1) throw new UsageError('flashmap needs the flash_map.h path');
  const header = positionals[0] as string;
  const map = parseFlashMapHeader(readFileSync(header, 'utf8'), basename(header));
  if (values.image?.length) map.images = Object.fromEntries(values.image.map((spec) => placeImage(map, spec)));
  const json = `${JSON.stringify(map, null, 2)}\n`;
  if (values.output) writeFileSync(values.output, json);
  else out(json.trimEnd());
  return 0;
}

/** Runs the tool; returns the exit code (0 ok, 1 bad hash for `show`, 2 usage or format error). */
export function main(argv: string[], out: (s: string) => void = console.log, err: (s: string) => void = console.error): number {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'create':
        return create(rest, out);
      case 'show':
        return show(rest, out);
      case 'flashmap':
        return flashmap(rest, out);
      case undefined:
      case '-h':
      case '--help':
        out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err(`imageTool: ${e.message}\n${USAGE}`);
      return 2;
    }
    if (e instanceof ImageFormatError || (e instanceof Error && ('code' in e || e instanceof RangeError || e instanceof TypeError))) {
      err(`imageTool: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
