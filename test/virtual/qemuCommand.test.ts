import { describe, expect, it } from '@jest/globals';
import { qemuArgs, type QemuPaths } from '../../src/virtual/qemuCommand.js';
import { qemuBoardSchema } from '../../src/virtual/QemuBoardOptions.js';

const paths: QemuPaths = { kernel: '/r/rom.elf', nv: ['/s/nv.img'], drives: [], qmpSocket: '/t/qmp', gpioSocket: '/t/gpio' };
const parse = (o: Record<string, unknown>) => qemuBoardSchema.parse(o);
const after = (args: string[], flag: string) => args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));

describe('qemuBoardSchema', () => {
  it('fills the virtual board defaults and parses sizes and durations', () => {
    const o = parse({ kernel: 'rom.elf', nv: [{ id: 'nv', size: '16M', address: '0x21000000' }], lifetime: '30m' });
    expect(o).toMatchObject({
      qemu: 'qemu-system-arm',
      machine: 'mps2-an385',
      serials: 2,
      gpioSerial: 1,
      gdbPort: 0,
      icount: false,
      lifetime: 1_800_000,
      startTimeout: 10_000,
    });
    expect(o.nv[0]).toEqual({ id: 'nv', size: 16 * 1024 * 1024, address: 0x21000000 });
    expect(
      parse({
        nv: [
          { id: 'a', size: '64K' },
          { id: 'b', size: 0x1000 },
        ],
      }).nv.map((n) => n.size),
    ).toEqual([65536, 4096]);
  });

  it('rejects what would make a broken command line, naming the field', () => {
    const issues = (o: Record<string, unknown>) =>
      qemuBoardSchema.safeParse(o).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ nv: [{ id: 'nv', size: '16 megs' }] })).toEqual([
      'nv.0.size: expected a size or address such as 0x8000, 32K or 1M, got "16 megs"',
    ]);
    expect(issues({ serials: 1 })).toEqual(['gpioSerial: UART 1 does not exist: serials is 1']);
    expect(issues({ nv: [{ id: 'nv', size: 1 }], memoryBackend: 'ram' })).toEqual(['memoryBackend: no nv entry with id "ram" (have: nv)']);
    expect(issues({ nv: [{ id: 'a,b', size: 1 }] })?.[0]).toMatch(/^nv\.0\.id: /);
    expect(
      issues({
        nv: [
          { id: 'x', size: 1 },
          { id: 'x', size: 1 },
        ],
      }),
    ).toEqual(['nv: nv id "x" is used twice']);
    expect(issues({ machin: 'x' })?.[0]).toMatch(/machin/);
  });
});

describe('qemuArgs', () => {
  it('NV as the machine memory backend, UART0 on a pty, UART1 on a GPIO socket QEMU serves, QMP as a client, paused', () => {
    const args = qemuArgs(parse({ nv: [{ id: 'nv', size: '16M' }] }), paths);
    expect(after(args, '-machine')).toEqual(['mps2-an385,memory-backend=nv']);
    expect(after(args, '-object')).toEqual(['memory-backend-file,id=nv,size=16777216,mem-path=/s/nv.img,share=on']);
    expect(after(args, '-kernel')).toEqual(['/r/rom.elf']);
    expect(after(args, '-chardev')).toEqual([
      'pty,id=hil-serial0',
      'socket,id=hil-gpio,path=/t/gpio,server=on,wait=off',
      'socket,id=hil-qmp,path=/t/qmp',
    ]);
    expect(after(args, '-serial')).toEqual(['chardev:hil-serial0', 'chardev:hil-gpio']);
    expect(after(args, '-mon')).toEqual(['chardev=hil-qmp,mode=control']);
    expect(after(args, '-gdb')).toEqual(['tcp:127.0.0.1:0']);
    expect(args).toContain('-S');
    expect(args).not.toContain('-icount');
    expect(args).not.toContain('-qtest');
  });

  it('powerCycle reset: a qtest link (to clear RAM) and a byte log behind each pty UART', () => {
    const o = parse({ nv: [{ id: 'nv', size: '16M' }], powerCycle: 'reset' });
    expect(o.powerCycle).toBe('reset');
    const args = qemuArgs(o, { ...paths, qtestSocket: '/t/qtest', serialLog: (i) => `/t/serial${i}.out` });
    expect(after(args, '-qtest')).toEqual(['unix:/t/qtest']);
    expect(after(args, '-qtest-log')).toEqual(['none']);
    expect(after(args, '-chardev')[0]).toBe('pty,id=hil-serial0,logfile=/t/serial0.out,logappend=on');
    expect(qemuBoardSchema.safeParse({ powerCycle: 'reboot' }).error?.issues[0]?.path).toEqual(['powerCycle']);
  });

  it('options a user board needs: cpu, pflash drives, icount, no memory backend, extra args last, commas escaped', () => {
    const o = parse({
      qemu: 'qemu-system-aarch64',
      machine: 'virt',
      cpu: 'cortex-a53',
      nv: [{ id: 'env', size: '1M' }],
      memoryBackend: null,
      drives: [{ path: 'flash0.img', index: 0 }],
      gpioSerial: null,
      serials: 1,
      icount: true,
      gdbPort: 1234,
      args: ['-device', 'pc-dimm,memdev=env'],
    });
    const args = qemuArgs(o, { nv: ['/s/a,b.img'], drives: ['/s/flash0.img'], qmpSocket: '/t/qmp' });
    expect(after(args, '-machine')).toEqual(['virt']);
    expect(after(args, '-cpu')).toEqual(['cortex-a53']);
    expect(after(args, '-object')).toEqual(['memory-backend-file,id=env,size=1048576,mem-path=/s/a,,b.img,share=on']);
    expect(after(args, '-drive')).toEqual(['if=pflash,format=raw,file=/s/flash0.img,index=0']);
    expect(after(args, '-icount')).toEqual(['shift=0,sleep=off']);
    expect(after(args, '-gdb')).toEqual(['tcp:127.0.0.1:1234']);
    expect(args).not.toContain('-kernel');
    expect(args.slice(-2)).toEqual(['-device', 'pc-dimm,memdev=env']);
    expect(qemuArgs({ ...o, icount: 'shift=auto' }, { nv: ['/s/e'], drives: ['/s/f'], qmpSocket: '/t/q' })).toContain('shift=auto');
  });
});
