import { describe, expect, it } from '@jest/globals';
import { volatileRam } from '../../src/virtual/volatileRam.js';

/** `info mtree` of qemu-system-arm 7.2 -machine mps2-an385,memory-backend=nv (trimmed). */
const MTREE = `address-space: bitband-source
  0000000000000000-ffffffffffffffff (prio 0, i/o): bitband-source

address-space: memory
  0000000000000000-ffffffffffffffff (prio -1, i/o): system
    0000000000000000-00000000003fffff (prio 0, ram): mps.ssram1
    0000000000400000-00000000007fffff (prio 0, ram): alias mps.ssram1_m @mps.ssram1 0000000000000000-00000000003fffff
    0000000001000000-0000000001003fff (prio 0, ram): mps.blockram
    0000000001004000-0000000001007fff (prio 0, ram): alias mps.blockram_m1 @mps.blockram 0000000000000000-0000000000003fff
    0000000020000000-00000000203fffff (prio 0, ram): mps.ssram23
    0000000021000000-0000000021ffffff (prio 0, ram): nv
    0000000021000000-0000000021ffffff (prio -1000, i/o): PSRAM
    0000000040004000-0000000040004fff (prio 0, i/o): uart

address-space: cpu-memory-0
  0000000000000000-ffffffffffffffff (prio 0, i/o): armv7m-container
    0000000000000000-00000000003fffff (prio 0, ram): mps.ssram1
`;

describe('volatileRam', () => {
  it('takes the RAM blocks of the system address space once each, without aliases, I/O or the flash backends', () => {
    expect(volatileRam(MTREE, ['nv'])).toEqual([
      { name: 'mps.ssram1', address: 0, size: 0x400000 },
      { name: 'mps.blockram', address: 0x1000000, size: 0x4000 },
      { name: 'mps.ssram23', address: 0x20000000, size: 0x400000 },
    ]);
  });

  it("reads the monitor's CRLF lines as QMP returns them", () => {
    expect(volatileRam(MTREE.replaceAll('\n', '\r\n'), ['nv'])).toHaveLength(3);
  });

  it('a backend that is not flash is RAM like any other', () => {
    expect(volatileRam(MTREE, []).map((b) => b.name)).toContain('nv');
  });
});
