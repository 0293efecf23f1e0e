import { afterEach, beforeEach, describe, it, expect } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConsoleLine } from '../../src/protocols/Console.js';
import { RigError } from '../../src/core/errors.js';
import { CaseRecorder, consoleLogLine, consoleStamp } from '../../src/report/CaseRecorder.js';
import { Timeline } from '../../src/core/Timeline.js';
import { caseResult } from '../helpers/results.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'hil-case-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const line = (t: number, raw: Buffer | string, text = String(raw).replace(/\r?\n$/, ''), truncated?: boolean): ConsoleLine => ({
  t,
  raw: Buffer.isBuffer(raw) ? raw : Buffer.from(raw),
  text,
  ...(truncated ? { truncated } : {}),
});

describe('console.log lines', () => {
  it('stamp seconds since the case start, dmesg style', () => {
    expect(consoleStamp(123456.7)).toBe('[   123.457]');
    expect(consoleStamp(0)).toBe('[     0.000]');
    expect(consoleLogLine(line(51.2, 'MCUboot\r\n', 'MCUboot'))).toBe('[     0.051] MCUboot');
  });
  it('show control characters as \\xNN, keep tabs and everything printable', () => {
    expect(consoleLogLine(line(1, '', 'a\u0000b\u001b[31mc\td\u007f é🔥'))).toBe('[     0.001] a\\x00b\\x1b[31mc\td\\x7f é🔥');
  });
  it('mark a line cut for having no newline', () => {
    expect(consoleLogLine(line(1, 'aaaa', 'aaaa', true))).toBe('[     0.001] aaaa [no newline: cut here]');
  });
});

describe('CaseRecorder', () => {
  it('writes the timeline and console as they happen, then result.json', async () => {
    const dir = join(root, 'run', 'case-1');
    const timeline = new Timeline();
    const recorder = new CaseRecorder(dir, timeline);
    timeline.record('step', { index: 0, key: 'power', description: 'power on', phase: 'start' });
    recorder.consoleLine(line(10, 'Boot\r\n', 'Boot'));
    const garbage = Buffer.from([0x00, 0xff, 0x1b, 0x0d, 0x0a]);
    recorder.consoleLine(line(20, garbage, '\u0000\ufffd\u001b'));
    timeline.record('power', { state: 'off', cause: 'step', latencyMs: 1.5 });

    // Not in the middle of this turn of the event loop (a cut reacting to a line must not wait for the disk)...
    expect(readFileSync(join(dir, 'timeline.jsonl'), 'utf8')).toBe('');
    // ...but at its end, before finish: a crash now would leave all of this on disk.
    await new Promise((r) => setImmediate(r));
    const events = readFileSync(join(dir, 'timeline.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.map((e) => e.type)).toEqual(['step', 'power']);
    expect(events[1]).toMatchObject({ state: 'off', latencyMs: 1.5 });
    expect(events[0].t).toBeLessThanOrEqual(events[1].t);
    expect(readFileSync(join(dir, 'console.log'), 'utf8')).toBe('[     0.010] Boot\n[     0.020] \\x00\ufffd\\x1b\n');
    expect(readFileSync(join(dir, 'console.raw')).equals(Buffer.concat([Buffer.from('Boot\r\n'), garbage]))).toBe(true);

    const result = caseResult({ status: 'fail', message: 'm' });
    expect(await recorder.finish(result)).toBeUndefined();
    expect(JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'))).toEqual(result);
    timeline.record('sent', { text: 'after-finish' });
    recorder.consoleLine(line(30, 'after\n'));
    expect(readFileSync(join(dir, 'timeline.jsonl'), 'utf8')).not.toContain('after-finish');
    expect(readFileSync(join(dir, 'console.log'), 'utf8')).not.toContain('after');
  });

  it('keeps recording past an event JSON cannot hold', async () => {
    const dir = join(root, 'case');
    const timeline = new Timeline();
    const recorder = new CaseRecorder(dir, timeline);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    // What no event type allows, as a field a driver fills from a library's untyped value could still carry.
    const record = timeline.record.bind(timeline) as (type: string, data: object) => void;
    record('flash', { address: 0x21000000n });
    record('weird', { cycle });
    record('after', {});
    expect(await recorder.finish(caseResult())).toBeUndefined();
    const events = readFileSync(join(dir, 'timeline.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.map((e) => e.type)).toEqual(['flash', 'weird', 'after']);
    expect(events[0].address).toBe('553648128');
    expect(events[1].unrecordable).toMatch(/circular/i);
  });

  it('turns an unwritable directory into one RigError at finish, never a throw during the case', async () => {
    writeFileSync(join(root, 'file'), '');
    const dir = join(root, 'file', 'case');
    const timeline = new Timeline();
    const recorder = new CaseRecorder(dir, timeline);
    expect(() => {
      timeline.record('step', { index: 0, key: 'power', description: 'power on', phase: 'start' });
      recorder.consoleLine(line(1, 'x\n'));
    }).not.toThrow();
    expect(recorder.failure()).toBeInstanceOf(RigError);
    const err = await recorder.finish(caseResult());
    expect(err).toBeInstanceOf(RigError);
    expect(err!.part).toBe('reports');
    expect(err!.message).toBe(`cannot write case files in ${dir}: ENOTDIR: not a directory, mkdir '${dir}'`);
  });
});
