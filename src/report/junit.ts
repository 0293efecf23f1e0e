import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import type { CaseResult, RunResult } from '../run/CaseResult.js';
import { escapeAttr, escapeText } from './xmlText.js';

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function testcase(c: CaseResult): string {
  const lines = [`    <testcase name="${escapeAttr(c.id)}" classname="hil.${escapeAttr(c.scenario)}" time="${seconds(c.durationMs)}">`];
  const props = { ...c.properties, ...(c.dir ? { 'case.dir': c.dir } : {}) };
  if (Object.keys(props).length) {
    lines.push('      <properties>');
    for (const [name, value] of Object.entries(props)) lines.push(`        <property name="${escapeAttr(name)}" value="${escapeAttr(value)}"/>`);
    lines.push('      </properties>');
  }
  const body = escapeText(c.detail ?? c.message ?? '');
  if (c.status === 'fail') lines.push(`      <failure message="${escapeAttr(c.message ?? 'failed')}" type="CaseFailure">${body}</failure>`);
  if (c.status === 'error') lines.push(`      <error message="${escapeAttr(c.message ?? 'rig error')}" type="RigError">${body}</error>`);
  if (c.status === 'skipped') lines.push(`      <skipped message="${escapeAttr(c.message ?? '')}"/>`);
  if (c.consoleText) lines.push(`      <system-out>${escapeText(c.consoleText)}</system-out>`);
  lines.push('    </testcase>');
  return lines.join('\n');
}

/** JUnit XML: a testsuite per scenario, a testcase per case; `<failure>` is the board, `<error>` the rig. */
export function renderJunit(run: RunResult): string {
  const byScenario = new Map<string, CaseResult[]>();
  for (const c of run.cases) byScenario.set(c.scenario, [...(byScenario.get(c.scenario) ?? []), c]);
  const count = (cases: CaseResult[], status: CaseResult['status']) => cases.filter((c) => c.status === status).length;
  const total = (cases: CaseResult[]) => cases.reduce((ms, c) => ms + c.durationMs, 0);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(
    `<testsuites name="hil" tests="${run.cases.length}" failures="${count(run.cases, 'fail')}" errors="${count(run.cases, 'error')}" skipped="${count(run.cases, 'skipped')}" time="${seconds(run.durationMs)}">`,
  );
  for (const [scenario, cases] of byScenario) {
    out.push(
      `  <testsuite name="${escapeAttr(scenario)}" tests="${cases.length}" failures="${count(cases, 'fail')}" errors="${count(cases, 'error')}" skipped="${count(cases, 'skipped')}" time="${seconds(total(cases))}" timestamp="${escapeAttr(cases[0]!.startedAt)}" hostname="${escapeAttr(hostname())}">`,
    );
    out.push('    <properties>', `      <property name="run" value="${escapeAttr(run.runId)}"/>`);
    if (run.interrupted) out.push(`      <property name="interrupted" value="${run.interrupted}"/>`);
    out.push('    </properties>');
    for (const c of cases) out.push(testcase(c));
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

export function writeJunit(run: RunResult, file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, renderJunit(run));
}
