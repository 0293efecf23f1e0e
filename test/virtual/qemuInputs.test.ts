import { describe, expect, it } from '@jest/globals';
import { qemuInputs, resolveQemuArgs } from '../../src/virtual/qemuInputs.js';

describe('files QEMU reads, from a rig file', () => {
  const args = [
    '-nic',
    'none',
    '-bios',
    'fw/u-boot.bin',
    '-device',
    'loader,file=a,,b.bin,addr=0x0',
    '-drive',
    'if=pflash,file=/abs/flash.img',
    '-device',
    'virtio-rng-device',
  ];

  it('finds -bios, a loader file= (commas unescaped) and a drive file=, with the field naming each', () => {
    expect(qemuInputs({ kernel: 'rom.bin', args })).toEqual([
      { field: ['kernel'], path: 'rom.bin' },
      { field: ['args', 3], path: 'fw/u-boot.bin' },
      { field: ['args', 5], path: 'a,b.bin' },
      { field: ['args', 7], path: '/abs/flash.img' },
    ]);
  });

  it("makes relative ones absolute from the rig file's folder, not from where hil was started; the rest stays", () => {
    expect(resolveQemuArgs(args, '/p/rigs')).toEqual([
      '-nic',
      'none',
      '-bios',
      '/p/rigs/fw/u-boot.bin',
      '-device',
      'loader,file=/p/rigs/a,,b.bin,addr=0x0',
      '-drive',
      'if=pflash,file=/abs/flash.img',
      '-device',
      'virtio-rng-device',
    ]);
  });
});
