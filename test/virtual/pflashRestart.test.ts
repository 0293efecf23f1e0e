import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConsoleLine } from '../../src/protocols/Console.js';
import type { DriverContext } from '../../src/protocols/DriverContext.js';
import { Timeline } from '../../src/core/Timeline.js';
import { qemuBoardFor } from '../../src/virtual/qemuBoardFor.js';
import { qemuConsoleDriver, type QemuConsole } from '../../src/drivers/console/qemu.js';
import { qemuPowerDriver, type QemuPower } from '../../src/drivers/power/qemu.js';
import { processesMentioning } from '../helpers/processes.js';
import { until } from '../helpers/until.js';

/** Debian's u-boot-qemu: a real firmware that writes a pflash bank (installed by scripts/bootstrap). */
const UBOOT = '/usr/lib/u-boot/qemu_arm/u-boot.bin';
/** virt's second pflash bank (the first holds -bios). */
const BANK1 = 0x04000000;
const MARKER = 'c0ffee11';

/**
 * powerCycle restart on a rig with a pflash drive: QEMU reads a drive image only when it starts, so a QEMU
 * started ahead of a power-on must never be one that read the image before the last power-on wrote it.
 */
describe('pflash drive, powerCycle restart, real U-Boot', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hil-pflash-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('the rebooted board reads what the previous power-on wrote to flash', async () => {
    const timeline = new Timeline();
    const resources = {
      qemu: {
        machine: 'virt',
        args: ['-bios', UBOOT, '-nic', 'none'],
        drives: [{ path: 'flash1.img', if: 'pflash', index: 1, size: '64M' }],
        serials: 1,
        gpioSerial: null,
        powerCycle: 'restart',
        lifetime: '2m',
      },
    };
    const shared = new Map<string, unknown>();
    const context = (part: string): DriverContext => ({
      rigName: 'uboot-test',
      rigDir: dir,
      stateRoot: dir,
      part,
      timeline,
      resources,
      log: () => undefined,
      shared: <T>(key: string, create: () => T): T => {
        if (!shared.has(key)) shared.set(key, create());
        return shared.get(key) as T;
      },
    });
    const power = qemuPowerDriver.create(qemuPowerDriver.schema.parse({ kind: 'qemu' }), context('power')) as QemuPower;
    const console = qemuConsoleDriver.create(
      qemuConsoleDriver.schema.parse({ kind: 'qemu', serial: 0 }),
      context('console'),
    ) as QemuConsole;
    const lines: ConsoleLine[] = [];
    console.subscribe({ line: (l) => lines.push(l) });
    const texts = () => lines.map((l) => l.text);
    /** Stops autoboot and runs `command`; resolves with the console lines it printed up to `until`. */
    const uboot = async (command: string, done: RegExp) => {
      const from = lines.length;
      await console.write(`${command}\n`);
      await until(
        `U-Boot to answer ${command}`,
        () =>
          texts()
            .slice(from)
            .some((t) => done.test(t)),
        15_000,
      );
      return texts().slice(from);
    };
    const prompt = async () => {
      // Keys wait in the pty until QEMU polls it (up to a second): keep tapping until U-Boot's shell answers.
      const end = performance.now() + 30_000;
      while (!texts().some((t) => t.includes('=> ') || t.includes('autoboot'))) {
        if (performance.now() > end) throw new Error(`no U-Boot prompt; console: ${texts().join(' | ')}`);
        await console.write('\n');
        await new Promise((r) => setTimeout(r, 200));
      }
      await uboot('echo ready', /^ready/);
    };
    try {
      await console.open();
      await power.on();
      await prompt();
      // This QEMU 7.2 times out on buffered writes (saveenv, large cp.b); a single-word cp.l programs one word.
      await uboot(
        `mw.l 0x41000000 0x${MARKER}; protect off 0x${BANK1.toString(16)} +0x40000; cp.l 0x41000000 0x${BANK1.toString(16)} 1; echo written`,
        /^written/,
      );
      const wrote = await uboot(`md.l 0x${BANK1.toString(16)} 1`, /^04000000:/);
      expect(wrote.find((t) => t.startsWith('04000000:'))).toContain(MARKER);
      const file = await readFile(join(dir, 'rigs', 'uboot-test', 'flash1.img'));
      expect(file.readUInt32LE(0).toString(16)).toBe(MARKER);

      await power.off();
      lines.length = 0;
      await power.on();
      await prompt();
      const read = await uboot(`md.l 0x${BANK1.toString(16)} 1`, /^04000000:/);
      expect(read.find((t) => t.startsWith('04000000:'))).toContain(MARKER);
    } finally {
      await console.close();
      await power.close();
      await qemuBoardFor(context('power')).close();
    }
    expect(processesMentioning(dir)).toEqual([]);
  }, 90_000);
});
