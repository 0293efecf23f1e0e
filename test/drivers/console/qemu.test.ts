import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { RigError } from '../../../src/core/errors.js';
import { qemuConsoleDriver } from '../../../src/drivers/console/qemu.js';
import { flashedVirtualRig, virtualDrivers } from '../../helpers/virtualDrivers.js';
import { until } from '../../helpers/until.js';
import type { VirtualRig } from '../../helpers/virtualRig.js';

describe('QemuConsole on a real QEMU pty', () => {
  let rig: VirtualRig;
  beforeAll(async () => {
    rig = await flashedVirtualRig();
  });
  afterEach(() => {
    expect(rig.leftovers()).toEqual([]);
  });
  afterAll(async () => {
    await rig?.remove();
  });

  it('survives power cycles: a gap at each cut, a resume at each power-on, and every boot line received', async () => {
    const { power, console, lines, close } = virtualDrivers(rig);
    const events: string[] = [];
    console.subscribe({
      line: (l) => l.text.startsWith('boot') && events.push(l.text.replace(/\d+$/, 'N')),
      gap: (g) => events.push(`gap ${g.reason}`),
      resume: (r) => events.push(r.gapMs >= 0 ? 'resume' : 'resume?'),
    });
    await console.open();
    try {
      for (let cycle = 0; cycle < 5; cycle++) {
        await power.on();
        const boots = () => lines.filter((l) => l.text.startsWith('boot')).length;
        await until(`boot line ${cycle + 1}`, () => boots() === cycle + 1);
        // Cut at once on some cycles: the boot line must still have been caught, as it is printed first.
        if (cycle % 2 === 1) await until('a tick', () => lines.at(-1)!.text.startsWith('tick'));
        await power.off();
      }
    } finally {
      await close();
    }
    expect(events).toEqual([
      'boot N',
      'gap power off',
      'resume',
      'boot N',
      'gap power off',
      'resume',
      'boot N',
      'gap power off',
      'resume',
      'boot N',
      'gap power off',
      'resume',
      'boot N',
      'gap power off',
    ]);
    const counts = lines.filter((l) => l.text.startsWith('boot')).map((l) => Number(l.text.slice(5)));
    expect(counts).toEqual(counts.map((_, i) => counts[0]! + i));
    // Lines are whole: the raw bytes end with the newline the board sent.
    for (const line of lines.filter((l) => !l.raw.toString('latin1').endsWith('\n'))) {
      expect(line.text).toMatch(/^(t|ti|tic|tick|tick \d*|b.*)$/);
    }
  });

  it('writes to the board while powered, and refuses to while off', async () => {
    const { power, console, lines, close } = virtualDrivers(rig);
    await console.open();
    try {
      await expect(console.write('x')).rejects.toBeInstanceOf(RigError);
      await power.on();
      await until('boot', () => lines.some((l) => l.text.startsWith('boot')));
      const sent = performance.now();
      await console.write('Q');
      await until('echo', () => lines.some((l) => l.text === 'rx Q'));
      process.stdout.write(`console write -> echo: ${(performance.now() - sent).toFixed(1)} ms\n`);
    } finally {
      await close();
    }
  });

  it('opened while the board already runs: picks up the current pty', async () => {
    const { power, console, lines, close } = virtualDrivers(rig);
    await power.on();
    try {
      await console.open();
      await until('ticks', () => lines.filter((l) => /^tick \d+$/.test(l.text)).length >= 2);
    } finally {
      await close();
    }
  });

  it('refuses a UART that is not a console', async () => {
    const gpio = qemuConsoleDriver.create(qemuConsoleDriver.schema.parse({ kind: 'qemu', serial: 1 }), rig.session()('console'));
    await expect(gpio.open()).rejects.toThrow(/UART1 is not a console: the board has 2 UARTs, UART1 carries the GPIO lines/);
  });
});
