import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import type { ExpectationSpec } from '../expect/ExpectationModel.js';
import { parseModel } from '../expect/parseModel.js';
import type { CaseResult, CutMeasure } from '../report/CaseResult.js';
import type { LiveCase } from '../run/LiveCase.js';
import { buttonStep } from '../steps/ButtonStep.js';
import { cutStep } from '../steps/CutStep.js';
import { flashStep } from '../steps/FlashStep.js';
import { inspectStep } from '../steps/InspectStep.js';
import { outputStep } from '../steps/OutputStep.js';
import { powerStep } from '../steps/PowerStep.js';
import { resetStep } from '../steps/ResetStep.js';
import { steps as stepRegistry } from '../steps/registry.js';
import { sleepStep } from '../steps/SleepStep.js';
import type { StepDefinition } from '../steps/Step.js';
import { waitStep } from '../steps/WaitStep.js';
import { asCaseError } from './asCaseError.js';
import { cutOnLineStep, expectStep, readRange, readStep, writeStep, type ReadTarget } from './boardSteps.js';
import { ConsoleLines, consoleRegExp, type ConsoleMatch, type ConsolePattern } from './ConsoleLines.js';

/** Milliseconds, or a duration as scenarios write it: `'120ms'`, `'5s'`. */
export type Duration = number | string;

/** A model that accepts every event and fails on none: what a board without an expectation model runs. */
export const noModel: ExpectationSpec = {
  patterns: [],
  forbidden: [],
  model: parseModel({ initial: 'running', states: { running: {} } }, { patternNames: [], patternGroups: {} }).tree!,
};

/** A code location the probe halts at (`cut({ at })`), as a scenario's `cut: { at }` writes it. */
export interface CodeLocation {
  symbol: string;
  /** Which pass through the symbol, from 1, counted from when the cut is armed. */
  hit: number;
  /** The rig image whose ELF defines the symbol; default: the rig's first image. */
  image?: string;
  /** An ELF file instead. */
  symbols?: string;
}

export interface TimedCut {
  /** Cut after the next console line matching this (searched from the last match on, as `console.expect`). */
  on?: ConsolePattern;
  /** Cut after the model enters this state (needs a model). */
  when?: string;
  /** Delay after the anchor (the line's arrival, the state's entry, or now); default 0. */
  after?: Duration;
  /** How long to wait for the anchor; default 60s. */
  within?: Duration;
}

/** A breakpoint armed by `cut({ at })`: power goes off when the CPU halts there. */
export interface ArmedCut {
  /** Resolves once the power is off; rejects if the CPU never got there within the cut's `within`. */
  landed: Promise<CutMeasure>;
}

/** The arguments of a scenario's `inspect:` step. */
export type InspectArgs = z.input<typeof inspectStep.schema>;
/** The arguments of a scenario's `flash:` step: rig image names, or `{ images, erase, verify, reset }`. */
export type FlashArgs =
  | string[]
  | {
      /** Rig images, or a spoilt copy of one: `{ image: 'upgrade', tamper: 'body-byte' }`. */
      images?: Array<string | { image: string; tamper?: string; than?: string }>;
      /** Layout regions to erase first. */
      erase?: string[];
      verify?: boolean;
      reset?: boolean;
    };

interface BoardHooks {
  hasModel: boolean;
  errorsFail: boolean;
  ended(result: CaseResult): Promise<void>;
  /** After the case is reported: the rig released, when the board leased it. */
  after?(): Promise<unknown>;
}

function ms(value: Duration, what: string): number {
  const parsed = parseDuration(value);
  if (parsed === undefined)
    throw new ConfigError({ file: what, message: `expected a duration such as 120ms or 5000, got ${JSON.stringify(value)}` });
  return parsed;
}

/** Parses a step's arguments as its scenario form would be; a mistake is a ConfigError naming the call. */
function parsed(definition: StepDefinition, raw: unknown, where: string): unknown {
  const result = definition.schema.safeParse(raw);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => ({
      file: where,
      field: issue.path.length ? issue.path.join('.') : undefined,
      message: issue.message,
    })),
  );
}

/**
 * A board under test, driven from code: one case on a leased rig, recorded as `hil run` records a case
 * (console, timeline, result) and checked by an optional expectation model alongside. Every call is a step
 * on the case's timeline. A model failure (a forbidden line, a state's time limit) is thrown by the next call,
 * and by `close` when no call came after it. `close` switches power off and ends the case.
 */
export class Board {
  private readonly lines = new ConsoleLines();
  private steps = 0;
  private threw = false;
  private closing?: Promise<CaseResult>;
  private ended?: CaseResult;

  readonly power = {
    on: () => this.run('power.on', powerStep, 'on', () => this.lines.skipToEnd()),
    off: () => this.run('power.off', powerStep, 'off'),
    /** Off, wait `offTime` (default 500ms), on. */
    cycle: (offTime: Duration = 500) =>
      this.run('power.cycle', powerStep, { cycle: ms(offTime, 'power.cycle') }, () => this.lines.skipToEnd()),
  };

  readonly console = {
    /**
     * The next console line matching `pattern`, searched from after the last line matched (lines printed
     * before a power-on never answer). Rejects with CaseFailure after `timeout` (default 30s).
     */
    expect: async (pattern: ConsolePattern, options: { timeout?: Duration } = {}): Promise<ConsoleMatch> => {
      const args = {
        regex: consoleRegExp(pattern, 'console.expect'),
        lines: this.lines,
        timeoutMs: ms(options.timeout ?? 30_000, 'console.expect timeout'),
        tail: () => this.live.expectation.lastLines(),
        found: undefined as ConsoleMatch | undefined,
      };
      await this.exec(expectStep, args);
      return args.found!;
    },
    /** Writes `text` and a line ending (default `\r`, as a terminal sends Enter). */
    send: (text: string, options: { eol?: string } = {}) =>
      this.exec(writeStep, { data: Buffer.from(`${text}${options.eol ?? '\r'}`, 'utf8'), shown: text }),
    /** Writes bytes as given. */
    write: (data: string | Uint8Array) =>
      this.exec(writeStep, { data: Buffer.from(data), shown: JSON.stringify(Buffer.from(data).toString('latin1')) }),
    /** Lines printed and not yet passed by a match. */
    unread: () => this.lines.unread(),
  };

  constructor(
    private readonly live: LiveCase,
    private readonly hooks: BoardHooks,
  ) {
    live.onLine((line) => this.lines.push(line));
  }

  /** The rig's name. */
  get rig(): string {
    return this.live.options.rig.name;
  }

  /** The case's id: its name in the reports. */
  get id(): string {
    return this.live.options.spec.id;
  }

  /** The case's folder (console.log, console.raw, timeline.jsonl, result.json). */
  get dir(): string {
    return this.live.caseDir;
  }

  /** The case's facts, as JUnit properties. */
  get properties(): Readonly<Record<string, string>> {
    return this.live.properties;
  }

  /** The model's state (dotted path); undefined without a model. */
  get state(): string | undefined {
    return this.hooks.hasModel ? this.live.expectation.state() : undefined;
  }

  /** The case's result once `close` has written it (also when `close` threw the model's late failure). */
  get result(): CaseResult | undefined {
    return this.ended;
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** @internal Opens the rig's drivers and the console. */
  async open(): Promise<void> {
    try {
      await this.live.open();
    } catch (err) {
      this.live.fail(err);
      await this.close().catch(() => undefined);
      throw err;
    }
  }

  /** A button: `press` (default 200ms) and release, `hold` for a while, or `down` (released by `up` or at the end). */
  button(name: string) {
    return {
      press: (options: { hold?: Duration } = {}) =>
        this.run('button.press', buttonStep, { press: name, hold: ms(options.hold ?? 200, 'button.press hold') }),
      hold: (time: Duration) => this.run('button.hold', buttonStep, { press: name, hold: ms(time, 'button.hold') }),
      down: () => this.run('button.down', buttonStep, { down: name }),
      up: () => this.run('button.up', buttonStep, { up: name }),
    };
  }

  /** A named output (a boot-mode pin, a line): set active or inactive. */
  output(name: string) {
    return {
      set: (active: boolean) => this.run('output.set', outputStep, { [name]: active }),
      on: () => this.run('output.on', outputStep, { [name]: true }),
      off: () => this.run('output.off', outputStep, { [name]: false }),
    };
  }

  /** Writes rig images through the probe: `flash('factory')`, `flash(['bootloader', 'factory'])`, or `{ erase, images, verify, reset }`. */
  flash(what: string | FlashArgs): Promise<void> {
    return this.run('flash', flashStep, typeof what === 'string' ? [what] : what);
  }

  /**
   * Cuts power: now; `after` a delay past the next console line matching `on`; past entering the model state
   * `when`; or, with `at`, when the CPU halts at a code location (returns once armed: `landed` resolves when
   * the power is off). Resolves with the cut as measured.
   */
  cut(options: { at: CodeLocation; within?: Duration }): Promise<ArmedCut>;
  cut(options?: TimedCut): Promise<CutMeasure>;
  async cut(options: TimedCut | { at: CodeLocation; within?: Duration } = {}): Promise<CutMeasure | ArmedCut> {
    if ('at' in options) {
      const landed = this.nextCut();
      landed.catch(() => undefined);
      await this.run('cut', cutStep, {
        at: options.at,
        ...(options.within !== undefined ? { within: ms(options.within, 'cut within') } : {}),
      });
      return { landed };
    }
    const { on, when } = options;
    if (on !== undefined && when !== undefined)
      throw new ConfigError({ file: 'cut', message: 'give either on (a pattern) or when (a state), not both' });
    const afterMs = ms(options.after ?? 0, 'cut after');
    const withinMs = ms(options.within ?? 60_000, 'cut within');
    const landed = this.nextCut();
    landed.catch(() => undefined);
    if (on !== undefined) await this.exec(cutOnLineStep, { regex: consoleRegExp(on, 'cut on'), lines: this.lines, afterMs, withinMs });
    else await this.run('cut', cutStep, { ...(when ? { when } : {}), after: afterMs, within: withinMs });
    return landed;
  }

  /** Resets the board through its probe (power stays on). */
  reset(): Promise<void> {
    return this.run('reset', resetStep, 'probe', () => this.lines.skipToEnd());
  }

  /** Asserts what flash holds, as a scenario's `inspect:` step (`{ region: 'primary', image: 'valid' }`, `{ region, holds }`, ...). */
  inspect(args: InspectArgs): Promise<void> {
    return this.run('inspect', inspectStep, args);
  }

  /** Reads memory or flash through the probe. */
  async read(target: ReadTarget): Promise<Buffer> {
    const { address, length, shown } = readRange(this.rig, this.live.rig.regions, target);
    const args = { address, length, shown, data: undefined as Buffer | undefined };
    await this.exec(readStep, args);
    return args.data!;
  }

  /** Waits until the model is in `state` (default timeout 30s); needs a model. */
  wait(state: string, options: { timeout?: Duration } = {}): Promise<void> {
    this.needModel('wait');
    return this.run('wait', waitStep, options.timeout === undefined ? state : { state, timeout: ms(options.timeout, 'wait timeout') });
  }

  /** Does nothing for a while; the model keeps running (and fails the call if it fails meanwhile). */
  sleep(time: Duration): Promise<void> {
    return this.run('sleep', sleepStep, ms(time, 'sleep'));
  }

  /** Any scenario step, with its arguments as a scenario writes them: `step('button', { press: 'user', hold: '5s' })`. */
  async step(key: string, args: unknown): Promise<void> {
    const definition = stepRegistry.get(key);
    if (!definition)
      throw new ConfigError({ file: 'step', message: `unknown step "${key}"; steps are ${[...stepRegistry.keys()].join(', ')}` });
    return this.run(key, definition, args);
  }

  /** Adds a fact to the case's result and JUnit properties. */
  note(key: string, value: string): void {
    this.live.properties[key] = value;
  }

  /**
   * Ends the case: buttons released, power off, drivers closed, result.json written (its CaseResult returned).
   * `error` is the test's own outcome when it failed (what a test runner's fixture hands over). Throws the
   * model's failure, or what broke in the background, when no call has thrown it yet. Idempotent.
   */
  close(options: { error?: unknown } = {}): Promise<CaseResult> {
    this.closing ??= this.finish(options.error);
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async finish(error: unknown): Promise<CaseResult> {
    const live = this.live;
    if (error !== undefined) live.fail(asCaseError(error));
    let late: unknown;
    try {
      if (live.signal.aborted) throw live.signal.reason;
      await live.settle();
    } catch (err) {
      live.fail(err);
      late = err;
    }
    await live.end();
    const result = await live.report();
    this.ended = result;
    await this.hooks.ended(result);
    await this.hooks.after?.();
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- the model's failure or a background error, as it was
    if (late !== undefined && error === undefined && !this.threw) throw late;
    return result;
  }

  /** Runs a step with arguments already parsed; an error it throws fails the case unless a fixture decides. */
  private async exec(definition: StepDefinition, args: unknown): Promise<void> {
    if (this.closing) throw new Error(`board ${this.id} is closed`);
    try {
      await this.live.step({ definition, args, index: this.steps++, description: definition.describe(args) });
    } catch (err) {
      this.threw = true;
      if (this.hooks.errorsFail) this.live.fail(err);
      throw err;
    }
  }

  private run(where: string, definition: StepDefinition, raw: unknown, before?: () => void): Promise<void> {
    let args: unknown;
    try {
      args = parsed(definition, raw, where);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    before?.();
    return this.exec(definition, args);
  }

  private needModel(what: string): void {
    if (!this.hooks.hasModel)
      throw new ConfigError({
        file: what,
        message: 'the board has no expectation model: pass model (a scenario or a model file) to open it with one',
      });
  }

  /** The next power cut recorded on the timeline. */
  private nextCut(): Promise<CutMeasure> {
    return new Promise<CutMeasure>((resolve, reject) => {
      const unsubscribe = this.live.timeline.subscribe((event) => {
        if (event.type !== 'cut' || event.phase === 'armed') return;
        unsubscribe();
        this.live.signal.removeEventListener('abort', onAbort);
        resolve({ atMs: event.issuedAt, lateMs: event.lateMs, actuationMs: event.latencyMs, state: event.state, anchor: event.anchor });
      });
      const onAbort = () => {
        unsubscribe();
        reject(this.live.signal.reason);
      };
      this.live.signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
