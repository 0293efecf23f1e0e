import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { execa } from 'execa';
import { formatDuration } from './duration.js';
import { RigError } from './errors.js';
import { killGroup, trackGroup, untrackGroup } from './processGroups.js';
import type { Timeline } from './Timeline.js';

export interface RunToolOptions {
  /** Rig part blamed in errors and the timeline: `probe`, `power`, `outputs.button`. */
  part: string;
  /** Executable, or the whole command line when `shell` is set. */
  cmd: string;
  args?: readonly string[];
  /** Hard limit; the tool and everything it started are killed when it passes. */
  timeoutMs: number;
  cwd?: string;
  /** Added to the current environment. */
  env?: Record<string, string | undefined>;
  /** Written to the tool's stdin (otherwise stdin is closed, so no tool waits on a terminal). */
  input?: string | Uint8Array;
  /** Aborting kills the tool's process group; the call then rejects with the signal's reason. */
  signal?: AbortSignal;
  timeline?: Timeline;
  /** Runs `cmd` through /bin/sh: the user's own commands from a rig file. */
  shell?: boolean;
  /** false: a non-zero exit resolves with its exit code instead of throwing (callers that parse errors themselves). */
  reject?: boolean;
  /** Shown when the tool is missing: "install <hint>". */
  installHint?: string;
  /** Time between SIGTERM and SIGKILL when the tool is killed. */
  killGraceMs?: number;
  /** Output as it arrives (progress bars); the result still carries all of it. */
  onOutput?(chunk: string, stream: 'stdout' | 'stderr'): void;
}

export interface ToolResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  durationMs: number;
}

/** Lines of the tool's output kept in a RigError's detail. */
const DETAIL_LINES = 40;
const DETAIL_CHARS = 8 * 1024;
const MESSAGE_CHARS = 300;
/** How long output may keep arriving after the tool exited. */
const LINGER_MS = 500;
const TELLING = /\b(error|fail(ed|ure)?|fatal|cannot|can't|unable|not found|no such|denied|refused|invalid|timed? ?out)\b/i;
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;

/** The tool's name as a user knows it: the first word of a shell command, the basename of a path. */
function toolName(cmd: string, shell: boolean): string {
  const first = shell ? (cmd.trim().split(/\s+/)[0] ?? cmd) : cmd;
  return first.split('/').pop() || first;
}

/** The line a user needs from a failed tool: the last one that says what went wrong, else the last non-blank one. */
export function lastMeaningfulLine(output: string): string | undefined {
  const lines = output
    .replace(ANSI, '')
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .filter((line) => /[\p{L}\p{N}]/u.test(line))
    .slice(-20);
  const line = lines.findLast((l) => TELLING.test(l)) ?? lines.at(-1);
  return line === undefined ? undefined : line.slice(0, MESSAGE_CHARS);
}

function tail(output: string): string | undefined {
  const lines = output.replace(/\s+$/, '').split('\n').slice(-DETAIL_LINES).join('\n');
  const text = lines.length > DETAIL_CHARS ? lines.slice(-DETAIL_CHARS) : lines;
  return text === '' ? undefined : text;
}

function signalExitCode(signal: string | undefined): number {
  const number = signal ? osConstants.signals[signal as NodeJS.Signals] : undefined;
  return number === undefined ? 1 : 128 + number;
}

/**
 * Runs a tool to completion in its own process group. On timeout or abort the whole group gets SIGTERM,
 * then SIGKILL after a grace; when the tool exits, whatever it left running in its group is killed too
 * (a stray child would otherwise hold the output pipes open and outlive the case).
 * Failures become a RigError(part) with the tool's own output tail in `detail`.
 */
export async function runTool(options: RunToolOptions): Promise<ToolResult> {
  const { part, cmd, args = [], timeoutMs, signal, timeline } = options;
  const shell = options.shell ?? false;
  const name = toolName(cmd, shell);
  signal?.throwIfAborted();

  const started = performance.now();
  const subprocess = execa(cmd, args, {
    detached: true,
    reject: false,
    all: true,
    shell,
    cwd: options.cwd,
    env: options.env,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
  });
  const pid = subprocess.pid;
  if (options.onOutput) forwardOutput(subprocess, options.onOutput);
  timeline?.record('proc', { phase: 'start', part, cmd, args: [...args], pid });

  const guard = guardGroup(subprocess, options);
  const result = await subprocess;
  const killedFor = guard.release();

  const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
  const stdout = String(result.stdout ?? '');
  const stderr = String(result.stderr ?? '');
  const exitCode = result.exitCode ?? signalExitCode(result.signal);
  timeline?.record('proc', {
    phase: 'exit',
    part,
    cmd,
    pid,
    exitCode: pid === undefined ? undefined : exitCode,
    signal: result.signal,
    durationMs,
    ...(killedFor ? { killed: killedFor } : {}),
    ...(result.code ? { error: result.code } : {}),
  });

  const detail = tail(String(result.all ?? ''));
  if (killedFor === 'abort') throw signal?.reason;
  if (killedFor === 'timeout') {
    throw new RigError(part, `${name} timed out after ${formatDuration(timeoutMs)} (killed with its children)`, { detail });
  }
  if (pid === undefined)
    throw spawnError(part, name, options, result.originalMessage ?? result.shortMessage ?? 'spawn failed', result.code);

  const missing = shell && exitCode === 127 ? /([^\s:]+): (?:command )?not found/.exec(stderr) : null;
  if (missing) throw new RigError(part, notFound(missing[1]!, options.installHint), { detail });

  if (exitCode !== 0 && options.reject !== false) {
    const line = lastMeaningfulLine(stderr) ?? lastMeaningfulLine(stdout);
    const why = result.signal ? `killed by ${result.signal}` : `exit ${exitCode}`;
    throw new RigError(part, line ? `${name} failed (${why}): ${line}` : `${name} failed (${why})`, { detail });
  }
  return { stdout, stderr, exitCode, durationMs };
}

/** The tool's output as text as it comes. One decoder per stream: a UTF-8 character split across two chunks must not become two U+FFFD. */
function forwardOutput(subprocess: Pick<ChildProcess, 'stdout' | 'stderr'>, onOutput: NonNullable<RunToolOptions['onOutput']>): void {
  const stdoutText = new StringDecoder('utf8');
  const stderrText = new StringDecoder('utf8');
  subprocess.stdout?.on('data', (chunk: Buffer) => onOutput(stdoutText.write(chunk), 'stdout'));
  subprocess.stderr?.on('data', (chunk: Buffer) => onOutput(stderrText.write(chunk), 'stderr'));
}

/**
 * Kills the tool's process group on timeout or abort (SIGTERM, SIGKILL after a grace) and once the tool has
 * exited. `release`, once the tool is done: stops watching and says why it was killed, if it was.
 */
function guardGroup(
  subprocess: Pick<ChildProcess, 'pid' | 'once' | 'stdout' | 'stderr'>,
  options: RunToolOptions,
): { release(): 'timeout' | 'abort' | undefined } {
  const { timeoutMs, signal } = options;
  const pid = subprocess.pid;
  let killedFor: 'timeout' | 'abort' | undefined;
  let exited = false;
  let graceTimer: NodeJS.Timeout | undefined;
  let lingerTimer: NodeJS.Timeout | undefined;
  const kill = (why: 'timeout' | 'abort') => {
    if (pid === undefined || killedFor || exited) return;
    killedFor = why;
    killGroup(pid, 'SIGTERM');
    graceTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), options.killGraceMs ?? 1000);
  };
  const onAbort = () => kill('abort');
  const timer = setTimeout(() => kill('timeout'), timeoutMs);
  if (pid !== undefined) {
    trackGroup(pid);
    signal?.addEventListener('abort', onAbort, { once: true });
    subprocess.once('exit', () => {
      exited = true;
      killGroup(pid, 'SIGKILL');
      // A child that escaped the group (setsid) can still hold the pipes open: stop waiting for it.
      lingerTimer = setTimeout(() => {
        subprocess.stdout?.destroy();
        subprocess.stderr?.destroy();
      }, LINGER_MS);
    });
  }

  return {
    release() {
      clearTimeout(timer);
      clearTimeout(graceTimer);
      clearTimeout(lingerTimer);
      signal?.removeEventListener('abort', onAbort);
      if (pid !== undefined) untrackGroup(pid);
      return killedFor;
    },
  };
}

function notFound(name: string, hint: string | undefined): string {
  return `${name}: not found on PATH${hint ? ` (install ${hint})` : ''}`;
}

function spawnError(part: string, name: string, options: RunToolOptions, message: string, code: string | undefined): RigError {
  // Node reports a missing working directory as ENOENT too; say which one it is.
  if (options.cwd !== undefined && !existsSync(options.cwd)) {
    return new RigError(part, `${name}: working directory ${options.cwd} does not exist`);
  }
  if (code === 'ENOENT') return new RigError(part, notFound(options.cmd, options.installHint));
  if (code === 'EACCES') return new RigError(part, `${options.cmd}: permission denied (not executable?)`);
  return new RigError(part, `${name}: ${message}`, { detail: message });
}

/** The program a shell command line starts: its first word after any `VAR=value` assignments. */
function programOf(command: string): string | undefined {
  return command
    .trim()
    .split(/\s+/)
    .find((word) => !/^\w+=/.test(word));
}

/**
 * Proves the programs of some shell commands exist (on PATH or relative to `cwd`) without running them:
 * a rig check for commands that would switch the board. Rejects with a RigError naming the first one missing.
 */
export async function checkCommandsExist(
  commands: string[],
  options: { part: string; cwd?: string; timeline?: Timeline; timeoutMs: number },
): Promise<void> {
  for (const command of commands) {
    const program = programOf(command);
    if (!program) continue;
    const { exitCode } = await runTool({ ...options, cmd: 'sh', args: ['-c', 'command -v "$1"', 'sh', program], reject: false });
    if (exitCode !== 0) throw new RigError(options.part, notFound(program, undefined), { detail: `in: ${command}` });
  }
}
