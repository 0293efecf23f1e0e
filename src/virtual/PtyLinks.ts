import { mkdir, rename, rm, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { QemuInstance } from './QemuInstance.js';

/** `<stateDir>/serial<N>` → this power-on's pty, as /dev/serial/by-id names a USB-serial whatever its ttyUSB. */
export async function linkSerials(instance: QemuInstance, stateDir: string): Promise<void> {
  // A QEMU serving another power cycle keeps its ptys, and they are linked already.
  if (instance.links.length) return;
  await mkdir(stateDir, { recursive: true });
  for (const [index, pty] of instance.serials) {
    const link = join(stateDir, `serial${index}`);
    const aside = `${link}.${process.pid}`;
    await rm(aside, { force: true });
    await symlink(pty, aside);
    await rename(aside, link);
    instance.links.push(link);
  }
}

/** The links of a QEMU that is gone: its ptys went with it. */
export async function unlinkSerials(instance: QemuInstance): Promise<void> {
  await Promise.all(instance.links.map((link) => unlink(link).catch(() => undefined)));
}
