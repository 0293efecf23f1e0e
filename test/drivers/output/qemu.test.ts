import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { RigError } from '../../../src/core/errors.js';
import { qemuOutputDriver } from '../../../src/drivers/output/qemu.js';
import { flashedVirtualRig, virtualDrivers } from '../../helpers/virtualDrivers.js';
import { until } from '../../helpers/until.js';
import { qemuResources, type VirtualRig } from '../../helpers/virtualRig.js';

describe("QemuOutput: GPIO input lines over the board's UART1 socket", () => {
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

  it("writes 'A'+n / 'a'+n, seen by the guest at once, and re-sends held levels right after every power-on", async () => {
    const { power, console, button, lines, close } = virtualDrivers(rig);
    await console.open();
    const inputs = () => lines.filter((l) => l.text.startsWith('in ')).map((l) => l.text);
    try {
      await power.on();
      await until('boot', () => lines.some((l) => l.text.startsWith('boot')));
      const pressed = performance.now();
      await button.set(true);
      await until('press seen', () => inputs().length === 1);
      const ms = performance.now() - pressed;
      process.stdout.write(`button -> guest sees it: ${ms.toFixed(1)} ms\n`);
      expect(ms).toBeLessThan(500);
      await button.set(false);
      await until('release seen', () => inputs().length === 2);
      expect(inputs()).toEqual(['in A', 'in a']);
      expect(button.level()).toBe(false);

      // Held through a power cycle: the board hears the level as soon as it comes up, before any tick.
      await button.set(true);
      await until('press seen', () => inputs().length === 3);
      await power.off();
      lines.length = 0;
      await power.on();
      await until('level re-sent', () => inputs().length === 1);
      expect(lines[0]!.text).toMatch(/^boot \d+$/);
      expect(lines[1]!.text).toBe('in A');
    } finally {
      await close();
    }
  });

  it('active: low inverts what goes on the wire; a level set while off is sent at the next power-on', async () => {
    const { power, console, lines, close, context } = virtualDrivers(rig);
    const bootPin = qemuOutputDriver.create(
      qemuOutputDriver.schema.parse({ kind: 'qemu', line: 2, active: 'low' }),
      context('outputs.boot'),
    );
    await console.open();
    try {
      await bootPin.set(true);
      expect(bootPin.level()).toBe(true);
      await power.on();
      await until('level sent', () => lines.some((l) => l.text.startsWith('in ')));
      // Line 2 driven low: 'a'+2.
      expect(lines.find((l) => l.text.startsWith('in '))!.text).toBe('in c');
    } finally {
      await close();
    }
  });

  it('a board without a GPIO UART refuses to drive lines', async () => {
    const context = rig.session(qemuResources(rig, { gpioSerial: null }));
    const line = qemuOutputDriver.create(qemuOutputDriver.schema.parse({ kind: 'qemu', line: 0 }), context('outputs.button'));
    await expect(line.set(true)).rejects.toBeInstanceOf(RigError);
  });
});
