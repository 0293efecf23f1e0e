import { describe, it, expect } from '@jest/globals';
import { RigError } from '../../src/core/errors.js';
import { lastMeaningfulLine, runTool } from '../../src/core/exec.js';
import { Timeline, type TimelineEvent } from '../../src/core/Timeline.js';
import { groupGone, groupMembers } from '../helpers/processGroup.js';

function recording(): { timeline: Timeline; events: TimelineEvent[] } {
  const timeline = new Timeline();
  const events: TimelineEvent[] = [];
  timeline.subscribe((e) => events.push(e));
  return { timeline, events };
}

function startedPid(events: TimelineEvent[]): number {
  const start = events.find((e) => e.type === 'proc' && e.phase === 'start');
  expect(typeof start?.pid).toBe('number');
  return start!.pid as number;
}

async function rigError(promise: Promise<unknown>): Promise<RigError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RigError);
  return err as RigError;
}

describe('runTool', () => {
  it('returns output, exit code and duration, and records start and exit in the timeline', async () => {
    const { timeline, events } = recording();
    const result = await runTool({ part: 'probe', cmd: 'sh', args: ['-c', 'echo out; echo err >&2'], timeoutMs: 5000, timeline });
    expect(result).toMatchObject({ stdout: 'out', stderr: 'err', exitCode: 0 });
    expect(result.durationMs).toBeGreaterThan(0);
    const procs = events.filter((e) => e.type === 'proc');
    expect(procs.map((e) => e.phase)).toEqual(['start', 'exit']);
    expect(procs[0]).toMatchObject({ part: 'probe', cmd: 'sh', args: ['-c', 'echo out; echo err >&2'] });
    expect(procs[1]).toMatchObject({ pid: procs[0]!.pid, exitCode: 0, durationMs: result.durationMs });
    expect(procs[1]!.t).toBeGreaterThanOrEqual(procs[0]!.t);
  });

  it('kills the whole process tree on timeout', async () => {
    const { timeline, events } = recording();
    const began = Date.now();
    const err = await rigError(runTool({ part: 'probe', cmd: 'sh', args: ['-c', 'sleep 100 & sleep 100'], timeoutMs: 300, timeline }));
    expect(err.message).toBe('sh timed out after 300ms (killed with its children)');
    expect(err.part).toBe('probe');
    expect(Date.now() - began).toBeLessThan(5000);
    const pid = startedPid(events);
    expect(await groupGone(pid)).toEqual([]);
    expect(events.find((e) => e.type === 'proc' && e.phase === 'exit')).toMatchObject({ killed: 'timeout' });
  });

  it('escalates to SIGKILL when the tool ignores SIGTERM', async () => {
    const { timeline, events } = recording();
    const began = Date.now();
    const script = 'trap "" TERM; while :; do sleep 0.05; done';
    await rigError(runTool({ part: 'power', cmd: 'sh', args: ['-c', script], timeoutMs: 200, killGraceMs: 300, timeline }));
    expect(Date.now() - began).toBeGreaterThanOrEqual(450);
    expect(await groupGone(startedPid(events))).toEqual([]);
  });

  it('kills what a finished tool left running instead of waiting for it', async () => {
    const { timeline, events } = recording();
    const began = Date.now();
    const result = await runTool({ part: 'probe', cmd: 'sh', args: ['-c', 'sleep 100 & echo done'], timeoutMs: 20_000, timeline });
    expect(result.stdout).toBe('done');
    expect(Date.now() - began).toBeLessThan(3000);
    expect(await groupGone(startedPid(events))).toEqual([]);
  });

  it('kills the tree and rejects with the reason when the signal aborts', async () => {
    const { timeline, events } = recording();
    const controller = new AbortController();
    const reason = new Error('case aborted');
    const running = runTool({
      part: 'probe',
      cmd: 'sh',
      args: ['-c', 'sleep 100 & sleep 100'],
      timeoutMs: 20_000,
      timeline,
      signal: controller.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const pid = startedPid(events);
    expect(groupMembers(pid).length).toBeGreaterThanOrEqual(2);
    controller.abort(reason);
    await expect(running).rejects.toBe(reason);
    expect(await groupGone(pid)).toEqual([]);
  });

  it('does not start anything when the signal is already aborted', async () => {
    const { timeline, events } = recording();
    const reason = new Error('already');
    await expect(runTool({ part: 'probe', cmd: 'true', timeoutMs: 1000, timeline, signal: AbortSignal.abort(reason) })).rejects.toBe(
      reason,
    );
    expect(events).toEqual([]);
  });

  it('names a missing tool and how to install it', async () => {
    const err = await rigError(
      runTool({ part: 'probe', cmd: 'hil-no-such-tool', timeoutMs: 1000, installHint: 'openocd (apt-get install openocd)' }),
    );
    expect(err.message).toBe('hil-no-such-tool: not found on PATH (install openocd (apt-get install openocd))');
    expect(err.part).toBe('probe');
  });

  it('names a missing tool inside a shell command', async () => {
    const err = await rigError(runTool({ part: 'power', cmd: 'hil-no-such-relay HURTM_1=1', shell: true, timeoutMs: 5000 }));
    expect(err.message).toBe('hil-no-such-relay: not found on PATH');
  });

  it('says a missing working directory is missing, not the tool', async () => {
    const err = await rigError(runTool({ part: 'probe', cmd: 'true', cwd: '/nonexistent/hil', timeoutMs: 1000 }));
    expect(err.message).toBe('true: working directory /nonexistent/hil does not exist');
  });

  it('turns a non-zero exit into the line that says what went wrong, with the output tail as detail', async () => {
    const script =
      'echo "Open On-Chip Debugger"; echo "Error: unable to find a matching CMSIS-DAP device" >&2; echo "  " >&2; echo "shutdown command invoked" >&2; exit 1';
    const err = await rigError(runTool({ part: 'probe', cmd: 'sh', args: ['-c', script], timeoutMs: 5000 }));
    expect(err.message).toBe('sh failed (exit 1): Error: unable to find a matching CMSIS-DAP device');
    expect(err.detail).toContain('Open On-Chip Debugger');
    expect(err.detail).toContain('shutdown command invoked');
  });

  it('reports a tool with no output by its exit code', async () => {
    const err = await rigError(runTool({ part: 'power', cmd: 'exit 7', shell: true, timeoutMs: 5000 }));
    expect(err.message).toBe('exit failed (exit 7)');
  });

  it('resolves a non-zero exit when asked not to reject', async () => {
    const result = await runTool({ part: 'probe', cmd: 'sh', args: ['-c', 'echo partial; exit 3'], timeoutMs: 5000, reject: false });
    expect(result).toMatchObject({ stdout: 'partial', exitCode: 3 });
  });

  it('feeds input on stdin, passes env and cwd', async () => {
    const result = await runTool({
      part: 'probe',
      cmd: 'sh',
      args: ['-c', 'cat; echo " $HIL_X $(pwd)"'],
      input: 'abc',
      env: { HIL_X: 'x1' },
      cwd: '/tmp',
      timeoutMs: 5000,
    });
    expect(result.stdout).toBe('abc x1 /tmp');
  });

  it('closes stdin when there is no input, so a tool reading it does not hang', async () => {
    const result = await runTool({ part: 'probe', cmd: 'cat', timeoutMs: 5000 });
    expect(result.stdout).toBe('');
  });
});

describe('lastMeaningfulLine', () => {
  it('prefers the last line that reports an error, ignoring blank and decorative lines and colours', () => {
    expect(lastMeaningfulLine('Info : x\n\x1b[31mError: flash write failed\x1b[0m\nInfo : shutdown\n-----\n')).toBe(
      'Error: flash write failed',
    );
  });
  it('falls back to the last non-blank line', () => {
    expect(lastMeaningfulLine('one\ntwo\n\n  \n')).toBe('two');
    expect(lastMeaningfulLine(' \n')).toBeUndefined();
  });
});

describe('runTool onOutput', () => {
  it('hands over output as it arrives, per stream, never splitting a UTF-8 character', async () => {
    const seen: Record<string, string> = { stdout: '', stderr: '' };
    // printf writes the euro sign's three bytes in two separate writes.
    const script = "printf '\\342'; sleep 0.05; printf '\\202\\254 ok'; echo warn >&2";
    const result = await runTool({
      part: 'probe',
      cmd: 'sh',
      args: ['-c', script],
      timeoutMs: 5000,
      onOutput: (chunk, stream) => (seen[stream] += chunk),
    });
    expect(seen).toEqual({ stdout: '€ ok', stderr: 'warn\n' });
    expect(result.stdout).toBe('€ ok');
  });
});
