/**
 * The TypeScript encoder and the C bootloader agree on the format: images made here are booted by
 * rigs/virtual/firmware/build/bootloader.bin in QEMU, and a flipped byte is refused with "bad hash".
 * Skipped when qemu-system-arm is not installed.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeImage } from '../../src/image/McubootImage.js';
import { parseFlashMapHeader } from '../../src/image/flashMap.js';

const FIRMWARE = join(dirname(fileURLToPath(import.meta.url)), '../../rigs/virtual/firmware');
const BUILD = join(FIRMWARE, 'build');
const haveQemu = spawnSync('qemu-system-arm', ['--version']).status === 0;
const map = parseFlashMapHeader(readFileSync(join(FIRMWARE, 'flash_map.h'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'hil-image-qemu-'));

/** Boots an NV image holding the bootloader and `primary`, returns UART0 once `until` shows up (or after 5 s); `until` should match a whole line, its line end included (the log is read while the UART writes it). */
async function bootWithPrimary(name: string, primary: Buffer, until: RegExp): Promise<string> {
  const nv = Buffer.alloc(map.nv.size, 0xff);
  readFileSync(join(BUILD, 'bootloader.bin')).copy(nv, map.regions.bootloader!.nvOffset!);
  primary.copy(nv, map.regions.primary!.nvOffset!);
  const nvFile = join(work, `${name}.nv`);
  const log = join(work, `${name}.log`);
  writeFileSync(nvFile, nv);
  writeFileSync(log, '');
  const qemu = spawn(
    'qemu-system-arm',
    [
      '-M',
      'mps2-an385,memory-backend=nv',
      '-object',
      `memory-backend-file,id=nv,size=16M,mem-path=${nvFile},share=on`,
      '-kernel',
      join(BUILD, 'bootrom.bin'),
      '-nographic',
      '-monitor',
      'none',
      '-serial',
      `file:${log}`,
      '-serial',
      'null',
    ],
    { stdio: 'ignore' },
  );
  try {
    const end = Date.now() + 5000;
    let text = '';
    while (Date.now() < end && qemu.exitCode === null) {
      text = readFileSync(log, 'latin1');
      if (until.test(text)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    return text;
  } finally {
    qemu.kill('SIGKILL');
    await new Promise((r) => (qemu.exitCode !== null || qemu.signalCode !== null ? r(null) : qemu.once('exit', r)));
  }
}

(haveQemu ? describe : describe.skip)('the C bootloader and the TypeScript image encoder', () => {
  const body = readFileSync(join(BUILD, 'factory.bin'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('boots an image encoded here (version from the header, protected TLV included)', async () => {
    const image = encodeImage({
      body,
      version: '1.0.7+3',
      headerSize: map.imageHeaderSize,
      protectedTlvs: [{ type: 0x50, data: Buffer.from([7, 0, 0, 0]) }],
    });
    const out = await bootWithPrimary('good', image, /Factory app v1\.0\.0 running\r\n/);
    expect(out).toContain('[INF] MCUboot Bootloader Started\r\n');
    expect(out).toContain('[INF] Primary slot: valid, version 1.0.7+3\r\n');
    expect(out).toContain('[INF] Starting application at 0x21010200\r\n');
    expect(out).toContain('Factory app v1.0.0 running\r\n');
  });

  it('refuses the same image with one body byte flipped', async () => {
    const image = encodeImage({ body, version: '1.0.7', headerSize: map.imageHeaderSize });
    image[map.imageHeaderSize + 100]! ^= 0x40;
    const out = await bootWithPrimary('flipped', image, /No valid image[^\n]*\n/);
    expect(out).toContain('[ERR] Primary slot: invalid (bad hash)\r\n');
    expect(out).toContain('[ERR] No valid image found. Press USER button to roll back to factory app\r\n');
    expect(out).not.toContain('Starting application');
  });
});
