import { hostname } from 'node:os';
import type { CaseResult } from './CaseResult.js';
import type { RunResult } from './RunResult.js';
import { cutLatency, cutLatencyProperties } from './cutLatency.js';
import { coverageProperties } from './coverage.js';
import { escapeAttr, escapeText } from './xmlText.js';
import { writeReportFile } from './writeReportFile.js';

/** CI pages choke on megabytes of console per test; the end, where a failure shows, is what is kept. */
export const SYSTEM_OUT_MAX_CHARS = 1024 * 1024;

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** The JUnit schema's timestamp: `2024-05-01T22:10:03`, no fraction, no zone (UTC here). */
function junitTimestamp(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString().slice(0, 19);
}

function consoleTail(c: CaseResult): string {
  if (c.consoleText.length <= SYSTEM_OUT_MAX_CHARS) return c.consoleText;
  const kept = c.consoleText.slice(-SYSTEM_OUT_MAX_CHARS);
  const omitted = c.consoleText.length - kept.length;
  return `[${omitted} earlier characters omitted: the whole console is in ${c.dir}/console.log]\n${kept.slice(kept.indexOf('\n') + 1)}`;
}

function counts(cases: CaseResult[]): string {
  const n = (status: CaseResult['status']) => cases.filter((c) => c.status === status).length;
  return `tests="${cases.length}" failures="${n('fail')}" errors="${n('error')}" skipped="${n('skipped')}"`;
}

function property(name: string, value: string, indent: string): string {
  return `${indent}<property name="${escapeAttr(name)}" value="${escapeAttr(value)}"/>`;
}

/** One `<testcase>`, as renderJunit places it. */
export function renderJunitCase(c: CaseResult): string {
  // classname groups a scenario's cases in CI UIs (Jenkins: package "hil", class = scenario); the rig is a property.
  const lines = [`    <testcase name="${escapeAttr(c.id)}" classname="hil.${escapeAttr(c.scenario)}" time="${seconds(c.durationMs)}">`];
  const props: Record<string, string> = {
    rig: c.rig,
    ...Object.fromEntries(Object.entries(c.params).map(([k, v]) => [`param.${k}`, v])),
    ...c.properties,
    ...(c.dir ? { 'case.dir': c.dir } : {}),
  };
  lines.push('      <properties>', ...Object.entries(props).map(([k, v]) => property(k, v, '        ')), '      </properties>');
  const body = escapeText(c.detail ?? c.message ?? '');
  if (c.status === 'fail') lines.push(`      <failure message="${escapeAttr(c.message ?? 'failed')}" type="CaseFailure">${body}</failure>`);
  if (c.status === 'error') lines.push(`      <error message="${escapeAttr(c.message ?? 'rig error')}" type="RigError">${body}</error>`);
  if (c.status === 'skipped') lines.push(`      <skipped message="${escapeAttr(c.message ?? '')}"/>`);
  if (c.consoleText) lines.push(`      <system-out>${escapeText(consoleTail(c))}</system-out>`);
  lines.push('    </testcase>');
  return lines.join('\n');
}

/**
 * JUnit XML: a testsuite per scenario, a testcase per case (`rollback-powerfail[cut_after=60ms]`); `<failure>` is
 * the board misbehaving, `<error>` the rig. Valid XML 1.0 whatever bytes the board printed (see xmlText).
 */
export function renderJunit(run: RunResult): string {
  return junitParts(run, renderJunitCase).join('\n');
}

/** renderJunit's bytes in pieces, each case's `<testcase>` already rendered (and encoded) once, when it ended. */
export function junitChunks(run: RunResult, testcase: (c: CaseResult) => Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (const p of junitParts(run, testcase)) {
    if (chunks.length) chunks.push(NEWLINE);
    chunks.push(typeof p === 'string' ? Buffer.from(p) : p);
  }
  return chunks;
}

const NEWLINE = Buffer.from('\n');

function junitParts<T>(run: RunResult, testcase: (c: CaseResult) => T): Array<string | T> {
  const byScenario = new Map<string, CaseResult[]>();
  for (const c of run.cases) {
    const cases = byScenario.get(c.scenario);
    if (cases) cases.push(c);
    else byScenario.set(c.scenario, [c]);
  }
  const host = escapeAttr(hostname());
  const out: Array<string | T> = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="hil ${escapeAttr(run.runId)}" ${counts(run.cases)} time="${seconds(run.durationMs)}">`);
  for (const [scenario, cases] of byScenario) {
    const time = cases.reduce((ms, c) => ms + c.durationMs, 0);
    const started = cases.map((c) => c.startedAt).sort()[0]!;
    out.push(
      `  <testsuite name="${escapeAttr(scenario)}" ${counts(cases)} time="${seconds(time)}" timestamp="${junitTimestamp(started)}" hostname="${host}">`,
    );
    out.push('    <properties>', property('run', run.runId, '      '));
    if (run.interrupted) out.push(property('interrupted', run.interrupted, '      '));
    if (run.unfinished) out.push(property('unfinished', 'true', '      '));
    const coverage = run.coverage?.find((c) => c.scenario === scenario);
    if (coverage) for (const [name, value] of Object.entries(coverageProperties(coverage))) out.push(property(name, value, '      '));
    const latency = cutLatency(cases);
    if (latency) for (const [name, value] of Object.entries(cutLatencyProperties(latency))) out.push(property(name, value, '      '));
    out.push('    </properties>');
    for (const c of cases) out.push(testcase(c));
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out;
}

export function writeJunit(run: RunResult, file: string): void {
  writeReportFile(file, renderJunit(run));
}
