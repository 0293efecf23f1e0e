import { lastMeaningfulLine } from '../core/exec.js';

/** QEMU reports errors as "qemu-system-arm: <what>": the first such line is the cause, later ones its consequences. */
export function qemuSaid(stderr: string): string | undefined {
  const own = /^qemu-system-[\w-]+: (.+)$/m.exec(stderr)?.[1];
  return own?.trim() ?? lastMeaningfulLine(stderr);
}
