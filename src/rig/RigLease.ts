import { linkSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RigError } from '../core/errors.js';
import { sleep } from '../core/sleep.js';
import { stateRoot } from '../core/stateRoot.js';

/** What a lease file says: enough for a person to find the runner that holds the rig. */
export interface LeaseHolder {
  rig: string;
  pid: number;
  host: string;
  /** When the lease was taken (ISO 8601). */
  since: string;
  /** Last refresh (ISO 8601); older than `ttlMs` means the holder is gone, whatever host it ran on. */
  heartbeat: string;
  ttlMs: number;
  run?: string;
}

export interface LeaseOptions {
  /** Folder of lease files, `<project>/.hil/leases`. */
  dir: string;
  rig: string;
  run?: string;
  /** How long to wait for a busy rig; 0 fails at once. */
  waitMs?: number;
  ttlMs?: number;
  heartbeatMs?: number;
  signal?: AbortSignal;
  log(message: string): void;
}

const LEASE_TTL_MS = 30_000;
const HEARTBEAT_MS = 5_000;
const POLL_MS = 250;
/** A takeover lock left by a runner killed between its two syscalls; far longer than a takeover takes. */
const TAKEOVER_LOCK_STALE_MS = 10_000;

/** Where leases live: `leases/` in the state root (see stateRoot). */
export function leaseDir(projectRoot: string): string {
  return join(stateRoot(projectRoot), 'leases');
}

function describeHolder(h: LeaseHolder): string {
  return `pid ${h.pid} on ${h.host} since ${h.since}${h.run ? ` (run ${h.run})` : ''}`;
}

function readHolder(file: string): LeaseHolder | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LeaseHolder;
  } catch {
    return undefined;
  }
}

/** The live lease on a rig, if any (a stale one is reported as no lease). */
export function readLease(dir: string, rig: string): LeaseHolder | undefined {
  const holder = readHolder(join(dir, `${rig}.json`));
  return holder && !staleReason(holder) ? holder : undefined;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why a holder no longer counts, or undefined while it does. */
function staleReason(h: LeaseHolder, now: number = Date.now()): string | undefined {
  if (h.host === hostname() && !pidAlive(h.pid)) return `its process ${h.pid} is gone`;
  const age = now - Date.parse(h.heartbeat);
  if (!(age <= h.ttlMs)) return `its last heartbeat was ${Math.round(age / 1000)}s ago (limit ${Math.round(h.ttlMs / 1000)}s)`;
  return undefined;
}

const sameHolder = (a: LeaseHolder | undefined, b: LeaseHolder) => a?.pid === b.pid && a.host === b.host && a.since === b.since;

/**
 * Exclusive use of one rig by one runner, across processes and (with a shared .hil folder) hosts: a file created
 * atomically (written aside, then hard-linked into place, so a reader never sees it half written), refreshed by a
 * heartbeat, removed on release and on process exit; a killed runner's lease is stale and taken over.
 */
export class RigLease {
  private timer: NodeJS.Timeout | undefined;
  private released = false;
  private readonly onExit = () => this.release();

  private constructor(
    readonly file: string,
    readonly holder: LeaseHolder,
  ) {}

  static async acquire(options: LeaseOptions): Promise<RigLease> {
    mkdirSync(options.dir, { recursive: true });
    const file = join(options.dir, `${options.rig}.json`);
    const deadline = Date.now() + (options.waitMs ?? 0);
    let announced = false;
    for (;;) {
      const now = new Date().toISOString();
      const holder: LeaseHolder = {
        rig: options.rig,
        pid: process.pid,
        host: hostname(),
        since: now,
        heartbeat: now,
        ttlMs: options.ttlMs ?? LEASE_TTL_MS,
        run: options.run,
      };
      if (tryCreate(file, holder)) {
        const lease = new RigLease(file, holder);
        lease.start(options.heartbeatMs ?? HEARTBEAT_MS);
        return lease;
      }
      const current = readHolder(file);
      const stale = current ? staleReason(current) : undefined;
      if (current && stale) {
        if (takeOver(file, current)) options.log(`rig ${options.rig}: took over the lease of ${describeHolder(current)}: ${stale}`);
        else await sleep(POLL_MS / 5);
        continue;
      }
      if (options.signal?.aborted) throw options.signal.reason;
      if (Date.now() >= deadline) {
        const who = current ? describeHolder(current) : 'another runner';
        const hint = options.waitMs ? `waited ${Math.round(options.waitMs / 1000)}s` : 'pass --wait SECONDS to queue for it';
        throw new RigError('lease', `rig ${options.rig} is in use by ${who}; ${hint}`, { detail: `lease file: ${file}` });
      }
      if (!announced && current) {
        options.log(`rig ${options.rig} is in use by ${describeHolder(current)}; waiting`);
        announced = true;
      }
      await sleep(POLL_MS, options.signal);
    }
  }

  private start(heartbeatMs: number): void {
    this.timer = setInterval(() => this.beat(), heartbeatMs);
    this.timer.unref();
    process.once('exit', this.onExit);
  }

  private beat(): void {
    if (!sameHolder(readHolder(this.file), this.holder)) return; // taken over: never write over the new holder
    this.holder.heartbeat = new Date().toISOString();
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify(this.holder, null, 2));
      renameSync(tmp, this.file);
    } catch {
      // A missed beat only brings staleness closer; the next one retries.
    }
  }

  /** Idempotent and synchronous, so it also runs from process 'exit'. */
  release(): void {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    process.off('exit', this.onExit);
    if (!sameHolder(readHolder(this.file), this.holder)) return;
    try {
      unlinkSync(this.file);
    } catch {
      // Already gone.
    }
  }
}

let attempt = 0;

function tryCreate(file: string, holder: LeaseHolder): boolean {
  const tmp = `${file}.${process.pid}.${++attempt}.new`;
  writeFileSync(tmp, JSON.stringify(holder, null, 2), { flag: 'wx' });
  try {
    linkSync(tmp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new RigError('lease', `cannot create the lease file ${file}: ${(error as Error).message}`);
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * Removes a stale lease, under a lock so two waiters cannot both see it stale and one then delete the lease the
 * other has just taken. Returns whether this runner removed it.
 */
function takeOver(file: string, stale: LeaseHolder): boolean {
  const lock = `${file}.takeover`;
  try {
    writeFileSync(lock, String(process.pid), { flag: 'wx' });
  } catch {
    try {
      if (Date.now() - statSync(lock).mtimeMs > TAKEOVER_LOCK_STALE_MS) unlinkSync(lock);
    } catch {
      // Another runner finished its takeover meanwhile.
    }
    return false;
  }
  try {
    if (!sameHolder(readHolder(file), stale)) return false;
    unlinkSync(file);
    return true;
  } finally {
    unlinkSync(lock);
  }
}
