/**
 * Every kind of event a case's timeline records, with its fields. `timeline.jsonl` holds one per line and the
 * HTML report draws from it, so each kind is declared once, here: tsc checks what every emitter records
 * against it, and a reader that tests `type` (and `phase`, where a kind has several) gets the fields.
 */

/** A subprocess the rig started: a tool run by `exec`, gdb, QEMU, a held `gpioset`. */
type ProcEvent =
  | { phase: 'start'; part: string; cmd: string; args: string[]; pid: number | undefined }
  | {
      phase: 'exit';
      part: string;
      cmd: string;
      pid: number | undefined;
      exitCode?: number | null;
      signal?: string | null;
      durationMs?: number;
      /** Why hil killed it. */
      killed?: 'timeout' | 'abort';
      /** The spawn error's code (`ENOENT`). */
      error?: string;
    };

/** The emulated board's QEMU: started, ready, stopped (power off), killed, died, a spare that failed. */
type QemuEvent =
  | { phase: 'run'; part: string; pid: number | undefined; startMs: number }
  | { phase: 'ready'; part: string; pid: number | undefined; startMs: number; serials: Record<string, string>; gdbPort?: number }
  | { phase: 'stop'; part: string; pid: number | undefined; ask: number; done: number; latencyMs: number }
  | { phase: 'kill'; part: string; pid: number | undefined; ask: number; done: number; latencyMs: number; why?: string }
  | {
      phase: 'died';
      part: string;
      pid: number | undefined;
      exitCode: number | null;
      signal: string | null;
      stderr: string;
      rigFault: boolean;
    }
  | { phase: 'lifetime'; part: string; pid: number | undefined; lifetimeMs: number }
  | { phase: 'spare-failed'; part: string; error: string };

/** Power cut by the cut step; `state` is where the model was when it landed. */
interface CutMade {
  phase?: undefined;
  anchor: string;
  issuedAt: number;
  doneAt: number;
  lateMs: number;
  latencyMs: number;
  state: string;
}

type CutEvent =
  /** A code breakpoint armed: the step's own bookkeeping, no power cut yet. */
  | { phase: 'armed'; anchor: string; armedAt: number }
  /** A cut timed from an anchor: `after` ms past `anchorAt`, aimed at `target`. */
  | (CutMade & { anchorAt: number; after: number; target: number })
  /**
   * A cut at a code breakpoint: the CPU halted at `haltedAt` (at `pc`), and the fault model applied there; `sweep`,
   * the parameter its hit came from (`hit2` for a second cut).
   */
  | (CutMade & { armedAt: number; haltedAt: number; pc: number | undefined; fault?: FaultApplied; sweep?: string });

/**
 * A fault model applied at a cut: the operation it hit (its arguments from the registers) and what it changed.
 * A probe's `fault()` returns it (`protocols/Probe.ts` narrows `model` to the models `flash/` defines) and the cut
 * step records it as it came.
 */
export interface FaultApplied<Model extends string = string> {
  model: Model;
  seed: number;
  /** The flash operation the CPU was in, and its arguments as read from the registers. */
  op?: 'program' | 'erase';
  address?: number;
  data?: number;
  length?: number;
  /** Bytes of flash the model changed. */
  changed: number;
  /** after-op: when the CPU halted again, at the operation's return. */
  haltedAt?: number;
  pc?: number;
}

type StepEvent =
  | { phase: 'start'; index: number; key: string; description: string }
  | { phase: 'end'; index: number; key: string; ms: number; error?: string };

type InspectEvent =
  | { region: string; holds: string; difference: string | null }
  | { address: number; bytes: string }
  | { region: string; found: string; version: string | undefined };

/** Fields of each kind of event, by its `type`. */
export interface TimelineEventFields {
  case: { id: string; scenario: string; rig: string; params: Record<string, string> };
  result: { status: 'pass' | 'fail' | 'error' | 'skipped'; message: string | undefined };
  step: StepEvent;
  background: { name: string; error: string };
  cleanup: { part?: string; error: string };
  /** A console line (its text, control characters stripped). */
  line: { text: string };
  sent: { text: string };
  /** Power switched; `stateAtCut` is the model state a cut landed in. */
  power: { state: 'on' | 'off'; cause: string; askedAt?: number; latencyMs?: number; stateAtCut?: string };
  output: { name: string; active: boolean; askedAt: number; latencyMs: number };
  cut: CutEvent;
  flash: { erase: string[]; images: string[] };
  inspect: InspectEvent;
  usb: { id: string; device: string; serial: string | undefined };
  /** A model transition; `from` is null for the model's start. */
  model: { from: string | null; event: string; to: string };
  'model-failure': { reason: string; state: string; message: string };
  'model-listener-error': { error: string };
  'console-gap': { part: string; path: string; reason: string };
  'console-resume': { part: string; path: string; gapMs: number };
  'console-failed': { part: string; path: string; message: string };
  'console-listener-error': { part: string; error: string };
  'probe-progress': { part: string; phase: string; percent: number; image?: string; bytes?: number; total?: number };
  pdudaemon: { part: string; action: string; url: string; status: number };
  'rig-check': { part: string; kind: string; ok: boolean; message: string; detail?: string };
  proc: ProcEvent;
  qemu: QemuEvent;
}

export type TimelineEventType = keyof TimelineEventFields;

/** One event of the kind `K`: its time (ms since the case started), its type and its fields. */
export type TimelineEventOf<K extends TimelineEventType> = K extends TimelineEventType
  ? { t: number; type: K } & TimelineEventFields[K]
  : never;

/** Any event, discriminated by `type`. */
export type TimelineEvent = TimelineEventOf<TimelineEventType>;
