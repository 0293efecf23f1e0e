import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { virtualDrivers } from '../helpers/virtualDrivers.js';
import { until } from '../helpers/until.js';
import { makeVirtualRig, type VirtualRig } from '../helpers/virtualRig.js';

/** The real virtual-board firmware (rigs/virtual/firmware/build), driven through the qemu drivers. */
const BUILD = resolve(import.meta.dirname, '../../rigs/virtual/firmware/build');
const present = ['bootrom.elf', 'bootloader.elf', 'factory.img', 'flash_map.json'].every((f) => existsSync(join(BUILD, f)));

(present ? describe : describe.skip)('the virtual board firmware on the qemu drivers', () => {
  let rig: VirtualRig;
  const factoryBase = () =>
    (JSON.parse(readFileSync(join(BUILD, 'flash_map.json'), 'utf8')) as { regions: { factory: { base: number } } }).regions.factory.base;
  const resources = () => ({
    qemu: { kernel: join(BUILD, 'bootrom.elf'), nv: [{ id: 'nv', size: '16M', address: 0x21000000 }], stateDir: 'state', lifetime: '2m' },
  });
  beforeAll(async () => {
    rig = await makeVirtualRig();
  });
  afterEach(() => {
    expect(rig.leftovers()).toEqual([]);
  });
  afterAll(async () => {
    await rig?.remove();
  });

  it('boots the bootloader, finds no image, and rolls back to the factory app on a USER button press', async () => {
    const { power, console, button, probe, lines, close } = virtualDrivers(rig, resources());
    const seen = (text: string) => lines.some((l) => l.text.includes(text));
    await probe.flash(
      [
        { name: 'bootloader', path: join(BUILD, 'bootloader.elf') },
        { name: 'factory', path: join(BUILD, 'factory.img'), address: factoryBase() },
      ],
      { verify: true },
    );
    await console.open();
    try {
      await power.on();
      await until('banner', () => seen('MCUboot Bootloader Started'));
      expect(lines[0]!.text).toBe('[INF] MCUboot Bootloader Started');
      await until('no image', () => seen('No valid image found'), 10_000);
      await button.set(true);
      await new Promise((r) => setTimeout(r, 200));
      await button.set(false);
      await until('rollback', () => seen('Rollback complete'), 20_000);
      await until('app started', () => seen('Starting application at'), 10_000);
    } finally {
      await close();
    }
  });
});
