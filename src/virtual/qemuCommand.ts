import type { QemuBoardOptions } from './QemuBoardOptions.js';

/** Files of one QEMU process, already absolute. */
export interface QemuPaths {
  kernel?: string;
  /** In the order of `options.nv`. */
  nv: string[];
  /** In the order of `options.drives`. */
  drives: string[];
  /** Unix socket hil listens on; QEMU connects to it as the QMP monitor. */
  qmpSocket: string;
  /** Unix socket QEMU listens on for the GPIO UART: hil connects anew at every power-on. */
  gpioSocket?: string;
  /** powerCycle reset: the socket hil listens on for QEMU's qtest link (RAM cleared at power-on). */
  qtestSocket?: string;
  /** powerCycle reset: where each pty UART also logs what the guest wrote (its size counts the bytes sent). */
  serialLog?: (index: number) => string;
}

/** Chardev labels as `query-chardev` reports them. */
export const chardevId = {
  qmp: 'hil-qmp',
  gdb: 'gdb',
  gpio: 'hil-gpio',
  serial: (index: number) => `hil-serial${index}`,
};

/** QEMU's option syntax splits on commas; a literal comma is written twice. */
function quote(value: string): string {
  return value.replaceAll(',', ',,');
}

export function qemuArgs(o: QemuBoardOptions, paths: QemuPaths): string[] {
  const args: string[] = [];
  const backend = o.memoryBackend === undefined ? o.nv[0]?.id : o.memoryBackend;
  args.push('-machine', backend ? `${o.machine},memory-backend=${backend}` : o.machine);
  if (o.cpu) args.push('-cpu', o.cpu);
  o.nv.forEach((nv, i) => {
    args.push('-object', `memory-backend-file,id=${nv.id},size=${nv.size},mem-path=${quote(paths.nv[i]!)},share=on`);
  });
  o.drives.forEach((drive, i) => {
    const index = drive.index === undefined ? '' : `,index=${drive.index}`;
    args.push('-drive', `if=${drive.if},format=${drive.format},file=${quote(paths.drives[i]!)}${index}`);
  });
  if (paths.kernel) args.push('-kernel', paths.kernel);
  if (o.icount !== false) args.push('-icount', o.icount === true ? 'shift=0,sleep=off' : o.icount);

  args.push('-display', 'none', '-monitor', 'none', '-parallel', 'none');
  for (let i = 0; i < o.serials; i++) {
    if (i === o.gpioSerial) {
      // QEMU listens: a connection dropped at a power cut takes the bytes the guest never read with it.
      args.push(
        '-chardev',
        `socket,id=${chardevId.gpio},path=${quote(paths.gpioSocket!)},server=on,wait=off`,
        '-serial',
        `chardev:${chardevId.gpio}`,
      );
    } else {
      // Appending: hil empties the log at each power-on, and QEMU's next byte must land at its new start.
      const log = paths.serialLog ? `,logfile=${quote(paths.serialLog(i))},logappend=on` : '';
      args.push('-chardev', `pty,id=${chardevId.serial(i)}${log}`, '-serial', `chardev:${chardevId.serial(i)}`);
    }
  }
  args.push('-chardev', `socket,id=${chardevId.qmp},path=${quote(paths.qmpSocket)}`, '-mon', `chardev=${chardevId.qmp},mode=control`);
  if (paths.qtestSocket) args.push('-qtest', `unix:${paths.qtestSocket}`, '-qtest-log', 'none');
  args.push('-gdb', `tcp:127.0.0.1:${o.gdbPort}`);
  // Always paused at start: the host opens the UARTs (pty output is dropped until then) before `cont`.
  args.push('-S');
  args.push(...o.args);
  return args;
}
