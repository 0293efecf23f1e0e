import { isAbsolute, resolve } from 'node:path';

/** A file QEMU reads, as the rig file names it: `field` is its path under `resources.qemu`. */
export interface QemuInput {
  field: Array<string | number>;
  path: string;
}

/** Options taking a file QEMU reads (firmware, device tree, flash images). */
const FILE_OPTIONS = new Set(['-kernel', '-bios', '-initrd', '-dtb', '-pflash', '-mtdblock', '-sd']);
/** Options whose comma list holds a `file=` key (`-device loader,file=app.bin,addr=0x0`, `-drive file=…`). */
const FILE_KEY_OPTIONS = new Set(['-device', '-drive']);

/** QEMU's option syntax splits on single commas; a literal comma is written twice. */
function splitOptionList(value: string): string[] {
  return value.split(/(?<!,),(?!,)/);
}

/** The `file=` of an option list: its index among the parts, and the path (`,,` unescaped). */
function fileKey(value: string): { index: number; path: string } | undefined {
  const parts = splitOptionList(value);
  const index = parts.findIndex((p) => p.startsWith('file='));
  return index < 0 ? undefined : { index, path: parts[index]!.slice('file='.length).replaceAll(',,', ',') };
}

/** Every file `kernel` and `args` make QEMU read. */
export function qemuInputs(options: { kernel?: string; args: string[] }): QemuInput[] {
  const inputs: QemuInput[] = [];
  if (options.kernel !== undefined) inputs.push({ field: ['kernel'], path: options.kernel });
  options.args.forEach((arg, i) => {
    const value = options.args[i + 1];
    if (value === undefined) return;
    if (FILE_OPTIONS.has(arg)) inputs.push({ field: ['args', i + 1], path: value });
    if (FILE_KEY_OPTIONS.has(arg)) {
      const key = fileKey(value);
      if (key) inputs.push({ field: ['args', i + 1], path: key.path });
    }
  });
  return inputs;
}

/**
 * `args` with each file they name made absolute, relative to the rig file's folder (`rigDir`) as every path of
 * a rig file is: QEMU itself would take it relative to wherever hil was started.
 */
export function resolveQemuArgs(args: string[], rigDir: string): string[] {
  const absolute = (path: string) => (isAbsolute(path) ? path : resolve(rigDir, path));
  return args.map((arg, i) => {
    const option = args[i - 1];
    if (option === undefined) return arg;
    if (FILE_OPTIONS.has(option)) return absolute(arg);
    if (!FILE_KEY_OPTIONS.has(option)) return arg;
    const key = fileKey(arg);
    if (!key) return arg;
    const parts = splitOptionList(arg);
    parts[key.index] = `file=${absolute(key.path).replaceAll(',', ',,')}`;
    return parts.join(',');
  });
}
