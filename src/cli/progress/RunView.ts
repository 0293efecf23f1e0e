import type { TimelineEvent } from '../../core/TimelineEvent.js';
import type { CaseResult } from '../../report/CaseResult.js';
import type { CaseSpec } from '../../scenario/cases.js';
import { paint, write } from '../output.js';
import { caseLines } from './caseLines.js';
import { bytes, clock, rate, seconds, stepTime } from './format.js';
import { fit, liveBlock } from './LiveBlock.js';
import { RunTracker, type Milestone } from './RunTracker.js';

/** A CI log with no line for this long gets one saying what is under way. */
const HEARTBEAT_MS = 10_000;
/** How often a terminal's live block is redrawn. */
const REDRAW_MS = 100;

export interface RunViewOptions {
  stream: NodeJS.WriteStream;
  verbose: boolean;
  color: boolean;
  jobs: number;
  /** Redraw a live block in place: a terminal. Otherwise (a pipe, a CI log) plain lines only. */
  live: boolean;
  now?: () => number;
}

/**
 * What `hil run` prints while it runs. Always lines: each case's start, its end with its duration (and a
 * failure's detail), the run's messages; with `-v` each step with its duration and each flash with its bytes and
 * rate. On a terminal, under them, a block redrawn in place (the cases under way, their steps, flash progress,
 * `-v` console lines, elapsed time and ETA). In a pipe, never an escape to move the cursor: a step's line is
 * written as it starts and finished with its duration, and a line every 10 s of silence shows life.
 */
export class RunView {
  private readonly tracker: RunTracker;
  private readonly timer: NodeJS.Timeout;
  /** Rows of the live block now on screen. */
  private drawn = 0;
  /** A step line written without its end (pipe, `-v`): finished by the step's end unless another line comes first. */
  private open: { id: string; index: number } | undefined;
  private lastLine: number;

  constructor(private readonly options: RunViewOptions) {
    this.tracker = new RunTracker(options.jobs, options.now);
    this.lastLine = this.tracker.now();
    this.timer = setInterval(() => (options.live ? this.draw() : this.heartbeat()), options.live ? REDRAW_MS : 1000);
    this.timer.unref();
  }

  caseStart(spec: CaseSpec, index: number, total: number, rig: string): void {
    this.tracker.caseStart(spec, index, total, rig);
    this.lines([`${paint('bold', `[${index}/${total}]`, this.options.color)} ${spec.id} on ${rig}`]);
  }

  caseEnd(result: CaseResult, _index: number, total: number): void {
    this.tracker.caseEnd(result, total);
    this.lines(caseLines(result, this.options.color));
  }

  /** A message of the run (a stale lease taken over, a rig quarantined): grey, indented. */
  log(message: string): void {
    this.lines([paint('gray', `  ${message}`, this.options.color)]);
  }

  /** A line as it is (the signal's notice). */
  say(line: string): void {
    this.lines([line]);
  }

  /** Called in the turn that records the event: takes note, and writes at most a line. */
  event(spec: CaseSpec, event: TimelineEvent): void {
    const milestone = this.tracker.event(spec, event);
    if (milestone && this.options.verbose) this.milestone(milestone);
  }

  /** Stops the redraws and the heartbeat; the live block is wiped, so what follows starts on a clean line. */
  close(): void {
    clearInterval(this.timer);
    this.wipe();
    this.finishOpen();
  }

  private milestone(m: Milestone): void {
    const { color, live } = this.options;
    const who = this.options.jobs > 1 ? `[${m.active.index}/${this.tracker.total}] ` : '';
    if (m.kind === 'step-start') {
      if (live) return;
      this.finishOpen();
      write(this.options.stream, paint('gray', `  ${who}step ${m.step.index + 1}: ${m.step.description}`, color));
      this.open = { id: m.active.id, index: m.step.index };
      this.lastLine = this.tracker.now();
      return;
    }
    if (m.kind === 'step-end') {
      const took = `(${stepTime(m.ms)}${m.error ? ', failed' : ''})`;
      if (this.open?.id === m.active.id && this.open.index === m.step.index) {
        write(this.options.stream, `${paint('gray', ` ${took}`, color)}\n`);
        this.open = undefined;
        this.lastLine = this.tracker.now();
      } else this.lines([paint('gray', `  ${who}step ${m.step.index + 1}: ${m.step.description} ${took}`, color)]);
      return;
    }
    const f = m.flash;
    const amount = f.total !== undefined ? `${bytes(f.total)} in ${Math.round(f.ms)} ms` : `done in ${Math.round(f.ms)} ms`;
    const speed = f.total ? rate(f.total, f.ms) : undefined;
    this.lines([paint('gray', `    ${who}${f.phase}${f.image ? ` ${f.image}` : ''}: ${amount}${speed ? ` (${speed})` : ''}`, color)]);
  }

  /** Permanent lines: above the live block on a terminal. */
  private lines(lines: string[]): void {
    this.finishOpen();
    this.wipe();
    write(this.options.stream, lines.map((l) => `${l}\n`).join(''));
    this.lastLine = this.tracker.now();
    if (this.options.live) this.draw();
  }

  private finishOpen(): void {
    if (!this.open) return;
    write(this.options.stream, '\n');
    this.open = undefined;
  }

  private wipe(): void {
    if (!this.drawn) return;
    // To the start of the block's first row, then clear to the end of the screen.
    write(this.options.stream, `\u001b[${this.drawn}F\u001b[J`);
    this.drawn = 0;
  }

  private draw(): void {
    const width = Math.max(20, (this.options.stream.columns || 80) - 1);
    let block = liveBlock(this.tracker, this.options).map((l) => fit(l, width));
    // Taller than the screen, the rows above its top could not be wiped: the first rows and the run's line.
    const rows = Math.max(3, (this.options.stream.rows || 24) - 1);
    if (block.length > rows) block = [...block.slice(0, rows - 1), block.at(-1)!];
    const wipe = this.drawn ? `\u001b[${this.drawn}F\u001b[J` : '';
    // One write, so the terminal never shows the block half drawn.
    write(this.options.stream, `${wipe}${block.map((l) => `${l}\n`).join('')}`);
    this.drawn = block.length;
  }

  /** In a pipe: after 10 s without a line, one saying which case and step are under way, and the ETA. */
  private heartbeat(): void {
    const now = this.tracker.now();
    if (now - this.lastLine < HEARTBEAT_MS || !this.tracker.active.size) return;
    const eta = this.tracker.eta();
    const cases = [...this.tracker.active.values()].map((a) => {
      const step = a.step ? `, step ${a.step.index + 1} (${a.step.description}) for ${seconds(now - a.step.startedAt)}` : '';
      return `[${a.index}/${this.tracker.total}] ${a.id} ${seconds(now - a.startedAt)}${step}`;
    });
    this.lines([
      paint(
        'gray',
        `  ... ${cases.join('; ')}; run ${clock(this.tracker.elapsed())}${eta === undefined ? '' : `, ETA ${clock(eta)}`}`,
        this.options.color,
      ),
    ]);
  }
}
