import { mkdtemp, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatDuration } from '../core/duration.js';
import { RigError } from '../core/errors.js';
import { ensureErasedImage } from '../image/erasedImage.js';
import { linkGpio } from './GpioLink.js';
import { listenOn, type Listening } from './listenOn.js';
import type { QemuBoardEnv } from './QemuBoardEnv.js';
import type { QemuBoardOptions } from './QemuBoardOptions.js';
import { readChardevs, type QemuChardev } from './qemuChardevs.js';
import { qemuArgs, type QemuPaths } from './qemuCommand.js';
import { fileIdentity, round, type QemuInstance } from './QemuInstance.js';
import { QemuProcess, type QemuExit } from './QemuProcess.js';
import { qemuSaid } from './qemuSaid.js';
import { Qmp } from './Qmp.js';
import { Qtest } from './Qtest.js';
import type { RamClearing } from './RamClearing.js';

/** A power-off arrived while a power-on was still preparing. */
class PowerCut extends Error {}

/** Starts a board's QEMU processes, paused, with their flash files, sockets and ptys. */
export class QemuLauncher {
  constructor(
    private readonly options: QemuBoardOptions,
    /** Read at each use: the board may be bound to another case meanwhile. */
    private readonly env: () => QemuBoardEnv,
    private readonly ram: RamClearing,
    /** Run once the process has exited; settles `instance.down`. */
    private readonly teardown: (instance: QemuInstance, exit: QemuExit, part: string) => Promise<void>,
  ) {}

  /**
   * Starts QEMU paused and learns its ptys and gdb port over QMP; the guest does not run. `cut` given: a power-on,
   * which a power-off arriving first cancels (undefined is returned).
   */
  async spawn(part: string, cut?: () => boolean): Promise<QemuInstance | undefined> {
    const o = this.options;
    const t0 = this.env().timeline.now();
    const runtimeDir = await mkdtemp(join(tmpdir(), 'hil-qemu-'));
    const paths = this.paths(runtimeDir);
    const servers: Listening[] = [];
    let qemu: QemuProcess;
    try {
      await Promise.all(o.nv.map((nv, i) => ensureErasedImage(paths.nv[i]!, nv.size, part)));
      await Promise.all(o.drives.flatMap((d, i) => (d.size === undefined ? [] : [ensureErasedImage(paths.drives[i]!, d.size, part)])));
      servers.push(await listenOn(paths.qmpSocket));
      if (paths.qtestSocket) servers.push(await listenOn(paths.qtestSocket));
      if (cut?.()) throw new PowerCut();
      qemu = await QemuProcess.start(o.qemu, qemuArgs(o, paths), { part, timeline: this.env().timeline, lifetimeMs: o.lifetime });
    } catch (err) {
      for (const { server } of servers) server.close();
      await rm(runtimeDir, { recursive: true, force: true });
      if (err instanceof PowerCut) return undefined;
      throw err;
    }

    const instance: QemuInstance = {
      process: qemu,
      runtimeDir,
      paths,
      servers,
      startedAt: performance.now(),
      serials: new Map(),
      links: [],
      down: Promise.resolve(),
    };
    instance.down = qemu.exited.then((exit) => this.teardown(instance, exit, part));
    try {
      const [qmpServer, qtestServer] = servers;
      const qmp = new Qmp(await this.accept(qmpServer!, instance, part), part);
      instance.qmp = qmp;
      await qmp.handshake();
      readChardevs(instance, await qmp.execute<QemuChardev[]>('query-chardev'), o.serials);
      if (qtestServer) {
        instance.qtest = new Qtest(await this.accept(qtestServer, instance, part), part);
        await this.ram.learn(qmp);
      }
      instance.files = await fileIdentity(paths);
      instance.gpioLink = linkGpio(instance, part, o.startTimeout);
      const timeline = this.env().timeline;
      timeline.record('qemu', {
        phase: 'ready',
        part,
        pid: qemu.pid,
        startMs: round(timeline.now() - t0),
        serials: Object.fromEntries(instance.serials),
        gdbPort: instance.gdbPort,
      });
      return instance;
    } catch (err) {
      instance.failed = true;
      qemu.kill();
      await instance.down;
      throw this.startError(err, qemu, part);
    }
  }

  /** Why `qemu` did not come up, in QEMU's own words where it said any. */
  startError(err: unknown, qemu: QemuProcess, part: string): RigError {
    const stderr = qemu.stderr().trim();
    const said = qemuSaid(stderr);
    const what = `QEMU (${this.options.machine}) failed to start`;
    if (said) return new RigError(part, `${what}: ${said}`, { detail: stderr, cause: err });
    if (err instanceof RigError) return new RigError(part, `${what}: ${err.message}`, { detail: err.detail, cause: err });
    return new RigError(part, `${what}: ${(err as Error).message}`, { cause: err });
  }

  /** The one connection QEMU makes to a socket hil listens on; fails as soon as QEMU exits instead. */
  private accept(listening: Listening, instance: QemuInstance, part: string): Promise<Socket> {
    const ms = this.options.startTimeout;
    return new Promise<Socket>((resolveSocket, reject) => {
      const timer = setTimeout(() => reject(new RigError(part, `QEMU did not connect within ${formatDuration(ms)}`)), ms);
      void instance.process.exited.then(() => {
        clearTimeout(timer);
        reject(new RigError(part, 'QEMU exited while starting'));
      });
      void listening.connection.then((socket) => {
        clearTimeout(timer);
        resolveSocket(socket);
      });
    });
  }

  private paths(runtimeDir: string): QemuPaths {
    const env = this.env();
    // Relative and inside the state folder: the rig schema allows nothing else.
    const state = (p: string) => resolve(env.stateDir, p);
    const o = this.options;
    const resets = o.powerCycle === 'reset';
    return {
      kernel: o.kernel === undefined ? undefined : resolve(env.rigDir, o.kernel),
      nv: o.nv.map((nv) => state(nv.path ?? `${nv.id}.img`)),
      drives: o.drives.map((d) => state(d.path)),
      qmpSocket: join(runtimeDir, 'qmp'),
      gpioSocket: o.gpioSerial !== null ? join(runtimeDir, 'gpio') : undefined,
      qtestSocket: resets ? join(runtimeDir, 'qtest') : undefined,
      serialLog: resets ? (index) => join(runtimeDir, `serial${index}.out`) : undefined,
    };
  }
}
