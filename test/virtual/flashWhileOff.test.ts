import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { virtualDrivers } from '../helpers/virtualDrivers.js';
import { until } from '../helpers/until.js';
import { strays } from '../helpers/processes.js';
import { makeVirtualRig, type VirtualRig } from '../helpers/virtualRig.js';

/**
 * powerCycle reset, power off: the QEMU probe flashes raw images into the paused QEMU through qtest, not gdb. The
 * board ran code from that flash before, so QEMU holds it translated: what runs at the next power-on must be the
 * new code, as after gdb's `restore` (a write behind QEMU's back, into the file, would run the old translation).
 */
const BUILD = resolve(import.meta.dirname, '../../rigs/virtual/firmware/build');
const present = ['bootrom.elf', 'bootloader.bin', 'bootloader-no-validate.bin', 'factory.img'].every((f) => existsSync(join(BUILD, f)));
const NV_BASE = 0x21000000;
const PRIMARY = NV_BASE + 0x10000;

(present ? describe : describe.skip)('flashing a powered-off board (powerCycle reset)', () => {
  let rig: VirtualRig;
  let tampered: string;
  beforeAll(async () => {
    rig = await makeVirtualRig();
    // The factory app with one body byte changed: a bootloader that validates refuses it, one that does not boots it.
    const image = readFileSync(join(BUILD, 'factory.img'));
    image[0x300] ^= 0xff;
    tampered = join(rig.dir, 'tampered.img');
    writeFileSync(tampered, image);
  });
  afterAll(async () => {
    await rig?.remove();
  });

  it('runs the code flashed while off, not what QEMU translated from the flash before', async () => {
    const resources = {
      qemu: {
        kernel: join(BUILD, 'bootrom.elf'),
        nv: [{ id: 'nv', size: '16M', address: NV_BASE }],
        stateDir: 'state',
        powerCycle: 'reset',
      },
    };
    const { power, console, probe, lines, close } = virtualDrivers(rig, resources);
    const boot = async (until_: RegExp) => {
      lines.length = 0;
      await power.on();
      await until(String(until_), () => lines.some((l) => until_.test(l.text)), 10_000);
      await power.off();
    };
    try {
      await probe.flash(
        [
          { name: 'bootloader', path: join(BUILD, 'bootloader.bin'), address: NV_BASE },
          { name: 'primary', path: tampered, address: PRIMARY },
        ],
        { verify: true },
      );
      await console.open();
      await boot(/Primary slot: invalid/);
      // The other build over the same addresses, with the board off: its check of the slot is other code.
      await probe.flash([{ name: 'bootloader', path: join(BUILD, 'bootloader-no-validate.bin'), address: NV_BASE }], { verify: true });
      await boot(/Starting application/);
      await probe.flash([{ name: 'bootloader', path: join(BUILD, 'bootloader.bin'), address: NV_BASE }]);
      await boot(/Primary slot: invalid/);
      expect(readFileSync(rig.nvFile).subarray(0, 16)).toEqual(readFileSync(join(BUILD, 'bootloader.bin')).subarray(0, 16));
      // No gdb was needed: none was started.
      expect(strays('--interpreter=mi3')).toEqual([]);
    } finally {
      await close();
    }
  });
});
