import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeImage, ImageFormatError, parseImage } from '../../src/image/McubootImage.js';
import { Timeline, type TimelineEvent } from '../../src/core/Timeline.js';
import { inspectStep } from '../../src/steps/InspectStep.js';
import type { StepContext } from '../../src/steps/Step.js';

/** `inspect: { region, image }` against a probe double over a flash buffer; the gdb path runs in the virtual rig's scenarios. */
const BASE = 0x21010000;
const SLOT = 0x10000;

function harness(flash: Buffer) {
  const reads: Array<{ offset: number; length: number }> = [];
  const events: TimelineEvent[] = [];
  const timeline = new Timeline();
  timeline.subscribe((e) => events.push(e));
  const probe = {
    description: 'fake',
    async read(address: number, length: number): Promise<Buffer> {
      const offset = address - BASE;
      if (offset < 0 || offset + length > flash.length)
        throw new Error(`read of ${length} bytes at 0x${address.toString(16)} is outside the region`);
      reads.push({ offset, length });
      return Buffer.from(flash.subarray(offset, offset + length));
    },
  };
  const ctx = {
    rig: { name: 'fake', probe, regions: { primary: { address: BASE, size: flash.length } } },
    timeline,
    signal: new AbortController().signal,
  } as unknown as StepContext;
  const inspect = async (image: unknown) => {
    const outcome = await inspectStep.run(inspectStep.schema.parse({ region: 'primary', image }), ctx).then(
      () => 'pass',
      (e: Error) => e.message,
    );
    const { found, version } = events.at(-1) as { found: string; version?: string };
    return { outcome, found, version };
  };
  return { inspect, reads, bytesRead: () => reads.reduce((n, r) => n + r.length, 0) };
}

/** The verdict from the whole region, as inspect judged it before it read only the image. */
function wholeRegionVerdict(flash: Buffer): { found: string; version?: string } {
  if (flash.every((b) => b === 0xff)) return { found: 'erased' };
  try {
    const image = parseImage(flash);
    return { found: image.hashOk ? 'valid' : 'invalid', version: image.version.replace(/\+0$/, '') };
  } catch (err) {
    if (!(err instanceof ImageFormatError)) throw err;
    return { found: 'invalid' };
  }
}

const bodyOf = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff));
const inSlot = (image: Buffer, size = SLOT): Buffer => Buffer.concat([image, Buffer.alloc(size - image.length, 0xff)]);
const hashedEnd = (image: Buffer) => parseImage(image).hashed.length;

function tampered(image: Buffer, at: number, write: (b: Buffer) => void): Buffer {
  const copy = Buffer.from(image);
  write(copy.subarray(at));
  return copy;
}

const small = encodeImage({ body: bodyOf(2048 - 32 - 40), version: '1.0.0+0' });
const big = encodeImage({
  body: bodyOf(10_000),
  version: '1.1.0+0',
  headerSize: 0x200,
  protectedTlvs: [{ type: 0x50, data: Buffer.from([1, 0, 0, 0]) }],
  tlvs: [{ type: 0x22, data: Buffer.alloc(64, 9) }],
});
/** Its TLV info starts 2 bytes before the end of the first read: the second read must fetch it. */
const straddling = encodeImage({ body: bodyOf(4096 - 32 - 2), version: '2.0.0+3' });

const cases: Record<string, Buffer> = {
  'valid 2 KiB image': inSlot(small),
  'valid 10 KiB image with protected TLVs': inSlot(big),
  'TLV info across the first read': inSlot(straddling),
  'image filling the region': inSlot(small, small.length),
  'image in a region smaller than the first read': inSlot(small, 3000),
  'bad hash': inSlot(tampered(small, 100, (b) => (b[0] ^= 1))),
  'bad hash past the first read': inSlot(tampered(big, 8000, (b) => (b[0] ^= 1))),
  'header beyond the region': inSlot(tampered(small, 12, (b) => b.writeUInt32LE(SLOT, 0))),
  'TLV area beyond the region': inSlot(
    tampered(small, hashedEnd(small) + 2, (b) => b.writeUInt16LE(0xffff, 0)),
    small.length + 100,
  ),
  'TLV info beyond the region': small.subarray(0, hashedEnd(small) + 2),
  'bad TLV magic': inSlot(tampered(big, hashedEnd(big), (b) => b.writeUInt16LE(0x1234, 0))),
  'ih_hdr_size too small': inSlot(tampered(small, 8, (b) => b.writeUInt16LE(8, 0))),
  erased: Buffer.alloc(SLOT, 0xff),
  'erased but one byte at the end': tampered(Buffer.alloc(SLOT, 0xff), SLOT - 1, (b) => (b[0] = 0)),
  garbage: Buffer.from(Array.from({ length: SLOT }, (_, i) => (i * 31 + 1) & 0xff)),
  'magic only, region of 20 bytes': inSlot(small.subarray(0, 20), 20),
};

describe('inspect: { region, image }', () => {
  it.each(Object.keys(cases))('gives the verdict the whole region gives: %s', async (name) => {
    const flash = cases[name]!;
    const h = harness(flash);
    const verdict = await h.inspect('valid');
    expect({ found: verdict.found, version: verdict.version }).toEqual(wholeRegionVerdict(flash));
    expect(h.reads.length).toBeLessThanOrEqual(3);
  });

  it('reads a 2 KiB image in a 64 KiB region in one read of 4 KiB, and passes on its version', async () => {
    const h = harness(inSlot(small));
    expect(await h.inspect({ version: '1.0.0' })).toEqual({ outcome: 'pass', found: 'valid', version: '1.0.0' });
    expect(h.reads.length).toBeLessThanOrEqual(2);
    expect(h.bytesRead()).toBeLessThan(8192);
  });

  it('reads a larger image only to the end of its TLV area: to the TLV info first, then the rest of the area', async () => {
    for (const image of [big, straddling]) {
      const h = harness(inSlot(image));
      expect((await h.inspect('valid')).outcome).toBe('pass');
      const info = hashedEnd(image) + 4;
      expect(h.reads).toEqual([
        { offset: 0, length: 4096 },
        { offset: 4096, length: info - 4096 },
        { offset: info, length: image.length - info },
      ]);
    }
  });

  it('passes on a version with a build number', async () => {
    expect(await harness(inSlot(straddling)).inspect({ version: '2.0.0+3' })).toMatchObject({
      outcome: 'pass',
      found: 'valid',
      version: '2.0.0+3',
    });
  });

  it('does not read past the region for a header claiming more than it holds', async () => {
    const h = harness(cases['header beyond the region']!);
    expect(await h.inspect('valid')).toMatchObject({ outcome: 'inspect primary: expected valid image, found invalid', found: 'invalid' });
    expect(h.reads).toEqual([{ offset: 0, length: 4096 }]);
  });

  it('still reads an erased region, or one without an image, in full', async () => {
    for (const name of ['erased', 'garbage']) {
      const h = harness(cases[name]!);
      await h.inspect('erased');
      expect(h.bytesRead()).toBe(SLOT);
      expect(h.reads).toEqual([
        { offset: 0, length: 4096 },
        { offset: 4096, length: SLOT - 4096 },
      ]);
    }
    const h = harness(cases['erased']!);
    expect((await h.inspect('erased')).outcome).toBe('pass');
  });
});

describe('inspect: { region, holds } and { region, offset, equals }', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inspect-holds-'));
  const padded = encodeImage({ body: bodyOf(2000), version: '1.1.0+0', pad: true, slotSize: SLOT });
  const file = join(dir, 'upgrade.img');
  writeFileSync(file, padded);
  const copied = inSlot(padded.subarray(0, parseImage(padded).size));
  const rawFile = join(dir, 'bootloader.bin');
  writeFileSync(rawFile, bodyOf(5000));

  function run(flash: Buffer, args: Record<string, unknown>) {
    const ctx = {
      rig: {
        name: 'fake',
        probe: { read: async (address: number, length: number) => Buffer.from(flash.subarray(address - BASE, address - BASE + length)) },
        regions: { primary: { address: BASE, size: SLOT } },
        images: { upgrade: { path: file }, raw: { path: rawFile } },
      },
      timeline: new Timeline(),
      signal: new AbortController().signal,
    } as unknown as StepContext;
    return inspectStep.run(inspectStep.schema.parse({ region: 'primary', ...args }), ctx).then(
      () => 'pass',
      (e: Error) => e.message,
    );
  }

  it('passes on a region holding the image then erased flash, without the trailer padded onto the file', async () => {
    expect(await run(copied, { holds: 'upgrade' })).toBe('pass');
    expect(await run(Buffer.alloc(SLOT, 0xff), { holds: 'erased' })).toBe('pass');
  });

  it('expects a file that is not an MCUboot image as it is, then erased flash', async () => {
    expect(await run(inSlot(bodyOf(5000)), { holds: 'raw' })).toBe('pass');
    expect(await run(inSlot(bodyOf(4996)), { holds: 'raw' })).toMatch(
      /^inspect primary: expected it to hold image raw and erased flash; \d bytes differ in 0x1384\.\./,
    );
  });

  it('fails on a byte left in the last sector, or a last word not copied, naming where', async () => {
    const leftOver = tampered(Buffer.alloc(SLOT, 0xff), SLOT - 16, (b) => b.writeUInt32LE(0x12345678, 0));
    expect(await run(leftOver, { holds: 'erased' })).toBe(
      'inspect primary: expected it to hold only erased flash; 4 bytes differ in 0xfff0..0xfff3; at 0xfff0 expected ff, read 78',
    );
    const end = parseImage(padded).size;
    const short = tampered(copied, end - 4, (b) => b.fill(0xff, 0, 4));
    expect(await run(short, { holds: 'upgrade' })).toMatch(
      new RegExp(
        `^inspect primary: expected it to hold image upgrade and erased flash; \\d bytes differ in 0x${(end - 4).toString(16)}\\.\\.`,
      ),
    );
    expect(await run(copied, { holds: 'erased' })).toMatch(/expected it to hold only erased flash; \d+ bytes differ in 0x0\.\./);
  });

  it('compares words at an offset of the region', async () => {
    expect(await run(padded, { offset: SLOT - 16, equals: '77c295f3 60d2ef7f 3552500f 2cb67980' })).toBe('pass');
    expect(await run(copied, { offset: '0xfff0', equals: '77c295f3' })).toBe('inspect primary+0xfff0: expected 77c295f3, read ffffffff');
    expect(await run(copied, { offset: SLOT - 2, equals: '77c295f3' })).toMatch(/4 bytes at offset 0xfffe run past region "primary"/);
  });
});
