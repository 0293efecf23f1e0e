import { afterEach, beforeEach, describe, it, expect } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RigError } from '../../src/core/errors.js';
import { junitChunks, renderJunit, SYSTEM_OUT_MAX_CHARS, writeJunit } from '../../src/report/junit.js';
import { cpuMsSince } from '../helpers/cpuTime.js';
import { caseResult, runResult } from '../helpers/results.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hil-junit-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** xmllint (Debian libxml2-utils) is a strict XML 1.0 parser: it rejects illegal characters, bad escapes, bad UTF-8. */
function wellFormed(xml: string): { ok: boolean; errors: string } {
  const file = join(dir, `check-${Math.random().toString(36).slice(2)}.xml`);
  writeFileSync(file, xml);
  const result = spawnSync('xmllint', ['--noout', file], { encoding: 'utf8' });
  return { ok: result.status === 0, errors: result.stderr };
}

/** Reads a value back through a real XML parser, so escaping is checked by what a CI tool would see. */
function xpath(xml: string, expression: string): string {
  const file = join(dir, 'read.xml');
  writeFileSync(file, xml);
  // xmllint ends what it prints with one newline of its own.
  return execFileSync('xmllint', ['--xpath', expression, file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).replace(/\n$/, '');
}

describe('renderJunit', () => {
  const run = runResult([
    caseResult(),
    caseResult({
      id: 'rollback-powerfail[cut_after=120ms]',
      params: { cut_after: '120ms' },
      status: 'fail',
      message: 'model failed in state booted: "Factory app" never came',
      detail: 'model state: booted\nexpected events: FACTORY\nlast console lines:\n  Jumping to primary slot',
    }),
    caseResult({
      id: 'rollback-powerfail[cut_after=20ms]',
      status: 'error',
      message: 'probe: openocd failed (exit 1): Error: unable to find a matching CMSIS-DAP device',
      detail: 'Open On-Chip Debugger 0.12.0\nError: unable to find',
    }),
    caseResult({
      id: 'flash-layout',
      scenario: 'flash-layout',
      params: {},
      status: 'skipped',
      message: 'not run: the run was interrupted',
      consoleText: '',
      startedAt: '2026-03-01T02:00:09.000Z',
    }),
  ]);

  it('is well-formed XML with a testsuite per scenario and counts that add up', () => {
    const xml = renderJunit(run);
    expect(wellFormed(xml)).toEqual({ ok: true, errors: '' });
    expect(xpath(xml, 'string(/testsuites/@tests)')).toBe('4');
    expect(xpath(xml, 'string(/testsuites/@failures)')).toBe('1');
    expect(xpath(xml, 'string(/testsuites/@errors)')).toBe('1');
    expect(xpath(xml, 'string(/testsuites/@skipped)')).toBe('1');
    expect(xpath(xml, 'count(/testsuites/testsuite)')).toBe('2');
    const suite = '/testsuites/testsuite[@name="rollback-powerfail"]';
    expect(xpath(xml, `string(${suite}/@tests)`)).toBe('3');
    expect(xpath(xml, `string(${suite}/@failures)`)).toBe('1');
    expect(xpath(xml, `string(${suite}/@errors)`)).toBe('1');
    expect(xpath(xml, `string(${suite}/@skipped)`)).toBe('0');
    expect(xpath(xml, `string(${suite}/@time)`)).toBe('12.963');
    expect(xpath(xml, `string(${suite}/@timestamp)`)).toBe('2026-03-01T02:00:01');
    expect(xpath(xml, `string(${suite}/@hostname)`)).toBe(hostname());
    expect(xpath(xml, 'string(/testsuites/testsuite[@name="flash-layout"]/@skipped)')).toBe('1');
  });

  it('names each case by its id under classname hil.<scenario>, time in seconds', () => {
    const xml = renderJunit(run);
    const tc = '//testcase[@name="rollback-powerfail[cut_after=60ms]"]';
    expect(xpath(xml, `string(${tc}/@classname)`)).toBe('hil.rollback-powerfail');
    expect(xpath(xml, `string(${tc}/@time)`)).toBe('4.321');
  });

  it('tells a board failure from a rig error, and marks skipped cases', () => {
    const xml = renderJunit(run);
    const failed = '//testcase[@name="rollback-powerfail[cut_after=120ms]"]';
    expect(xpath(xml, `string(${failed}/failure/@type)`)).toBe('CaseFailure');
    expect(xpath(xml, `string(${failed}/failure/@message)`)).toBe('model failed in state booted: "Factory app" never came');
    expect(xpath(xml, `string(${failed}/failure)`)).toContain('expected events: FACTORY\nlast console lines:');
    expect(xpath(xml, `count(${failed}/error)`)).toBe('0');
    const errored = '//testcase[@name="rollback-powerfail[cut_after=20ms]"]';
    expect(xpath(xml, `string(${errored}/error/@type)`)).toBe('RigError');
    expect(xpath(xml, `string(${errored}/error)`)).toBe('Open On-Chip Debugger 0.12.0\nError: unable to find');
    expect(xpath(xml, `count(${errored}/failure)`)).toBe('0');
    expect(xpath(xml, 'string(//testcase[@name="flash-layout"]/skipped/@message)')).toBe('not run: the run was interrupted');
    expect(
      xpath(xml, 'count(//testcase[@name="rollback-powerfail[cut_after=60ms]"]/*[self::failure or self::error or self::skipped])'),
    ).toBe('0');
  });

  it('puts rig, params and every case fact in properties, and the console in system-out', () => {
    const xml = renderJunit(run);
    const props = '//testcase[@name="rollback-powerfail[cut_after=60ms]"]/properties/property';
    const value = (name: string) => xpath(xml, `string(${props}[@name="${name}"]/@value)`);
    expect(value('rig')).toBe('virtual');
    expect(value('param.cut_after')).toBe('60ms');
    expect(value('seed')).toBe('42');
    expect(value('image.factory.sha256')).toBe('ab'.repeat(32));
    expect(value('cut.at')).toBe('60.4ms');
    expect(value('power.latencyMs')).toBe('1.2');
    expect(value('case.dir')).toBe('rollback-powerfail_cut_after=60ms');
    expect(xpath(xml, 'string(//testcase[@name="rollback-powerfail[cut_after=60ms]"]/system-out)')).toBe(caseResult().consoleText);
    expect(xpath(xml, 'string(/testsuites/testsuite[1]/properties/property[@name="run"]/@value)')).toBe(run.runId);
  });

  it('records an interrupted run', () => {
    const xml = renderJunit(runResult([caseResult()], { interrupted: 'SIGINT' }));
    expect(xpath(xml, 'string(//testsuite/properties/property[@name="interrupted"]/@value)')).toBe('SIGINT');
  });

  describe('whatever the board printed', () => {
    const invalidUtf8 = Buffer.from([0x42, 0x6f, 0x6f, 0x74, 0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]).toString('utf8');
    const nasty = [
      'NUL:\u0000 BEL:\u0007 VT:\u000b FF:\u000c DEL:\u007f',
      '\u001b[31mHardFault\u001b[0m \u001b]0;title\u0007 \u001b[2K\u001b[1Gprogress',
      `bad utf8: ${invalidUtf8}`,
      'lone surrogates: \ud800 \udfff and non-characters \ufffe \uffff',
      'CDATA end ]]> and <script>alert("x")</script> & &amp; \'quote\'',
      'emoji 🔥💾 stays 🔥',
    ];
    const consoleText = nasty.map((l, i) => `[     0.00${i}] ${l}`).join('\n');
    const board = runResult([
      caseResult({
        id: 'weird[x="<&>"]\u0000',
        status: 'fail',
        message: `forbidden line "HardFault"\nat 0.1s\t\u001b[31m${nasty[0]}`,
        detail: nasty.join('\n'),
        consoleText,
        properties: { 'last.line': nasty.join('\r\n'), 'emoji 🔥': '💾' },
      }),
    ]);

    it('stays well-formed XML', () => {
      const result = wellFormed(renderJunit(board));
      expect(result).toEqual({ ok: true, errors: '' });
    });

    it('makes control characters visible, drops colour codes, keeps emoji and markup as text', () => {
      const xml = renderJunit(board);
      const out = xpath(xml, 'string(//system-out)');
      expect(out).toContain('NUL:\\x00 BEL:\\x07 VT:\\x0b FF:\\x0c DEL:\\x7f');
      expect(out).toContain('HardFault  progress');
      expect(out).not.toContain('[31m');
      expect(out).not.toContain('\u001b');
      expect(out).toContain('bad utf8: Boot\ufffd\ufffd\ufffd(\ufffd\ufffd\ufffd');
      expect(out).toContain('lone surrogates: \\ud800 \\udfff and non-characters \\ufffe \\uffff');
      expect(out).toContain('CDATA end ]]> and <script>alert("x")</script> & &amp; \'quote\'');
      expect(out).toContain('emoji 🔥💾 stays 🔥');
      expect(xml).not.toContain('<script>');
    });

    it('escapes attribute values so newlines, tabs and quotes survive', () => {
      const xml = renderJunit(board);
      expect(xpath(xml, 'string(//testcase/@name)')).toBe('weird[x="<&>"]\\x00');
      expect(xpath(xml, 'string(//failure/@message)')).toBe(
        'forbidden line "HardFault"\nat 0.1s\tNUL:\\x00 BEL:\\x07 VT:\\x0b FF:\\x0c DEL:\\x7f',
      );
      expect(xpath(xml, 'string(//property[@name="emoji 🔥"]/@value)')).toBe('💾');
      expect(xpath(xml, 'string(//property[@name="last.line"]/@value)')).toContain('\r\n');
    });

    it('stays well-formed for every UTF-16 code unit and every byte', () => {
      let everyUnit = '';
      for (let u = 0; u <= 0xffff; u++) everyUnit += String.fromCharCode(u);
      const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString('utf8');
      const xml = renderJunit(
        runResult([
          caseResult({
            status: 'error',
            message: everyByte,
            detail: everyUnit,
            consoleText: `${everyUnit}\n${everyByte}`,
            properties: { all: everyUnit },
          }),
        ]),
      );
      expect(wellFormed(xml)).toEqual({ ok: true, errors: '' });
    });
  });

  it('keeps the end of a huge console in system-out and says where the rest is', () => {
    const lines = Array.from({ length: 40_000 }, (_, i) => `[${String(i).padStart(10)}] line ${i} ${'x'.repeat(40)}`);
    const xml = renderJunit(runResult([caseResult({ consoleText: lines.join('\n') })]));
    const out = xpath(xml, 'string(//system-out)');
    expect(out.length).toBeLessThanOrEqual(SYSTEM_OUT_MAX_CHARS + 200);
    expect(out).toMatch(
      /^\[\d+ earlier characters omitted: the whole console is in rollback-powerfail_cut_after=60ms\/console\.log\]\n\[ +\d+\] line \d+ x+\n/,
    );
    expect(out.endsWith(lines.at(-1)!)).toBe(true);
  });
});

describe('writeJunit', () => {
  it('writes the file whole, replacing an older one', () => {
    const file = join(dir, 'nested', 'junit.xml');
    writeJunit(runResult([caseResult({ id: 'old' })]), file);
    writeJunit(runResult([caseResult()]), file);
    expect(readFileSync(file, 'utf8')).toBe(renderJunit(runResult([caseResult()])));
    expect(readdirSync(join(dir, 'nested'))).toEqual(['junit.xml']);
  });

  it('reports an unwritable place as a RigError naming the file', () => {
    writeFileSync(join(dir, 'a-file'), '');
    const file = join(dir, 'a-file', 'junit.xml');
    let err: unknown;
    try {
      writeJunit(runResult([caseResult()]), file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RigError);
    expect((err as RigError).part).toBe('reports');
    expect((err as RigError).message).toMatch(new RegExp(`^cannot write ${file}: EEXIST: file already exists, mkdir`));
    expect(readdirSync(dir)).toEqual(['a-file']);
  });
});

describe('junitChunks', () => {
  it('costs CPU in proportion to the cases (a run rewrites junit.xml after each of hundreds)', () => {
    const testcase = Buffer.from('    <testcase/>');
    const cpuOf = (n: number) => {
      const run = runResult(Array.from({ length: n }, (_, i) => caseResult({ id: `s[hit=${i}]`, scenario: 's' })));
      const start = process.cpuUsage();
      const chunks = junitChunks(run, () => testcase);
      expect(chunks.filter((c) => c === testcase)).toHaveLength(n);
      return cpuMsSince(start);
    };
    cpuOf(2000);
    const small = cpuOf(2000);
    // Gathering each scenario's cases by copying its list at every case was quadratic: 16000 cases cost ~150
    // times 2000 (900 ms), not 8.
    expect(cpuOf(16000)).toBeLessThan(small * 16 + 30);
  });
});
