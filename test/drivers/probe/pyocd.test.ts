import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProbeProgress, type ProbeProgressUpdate } from '../../../src/protocols/ProbeProgress.js';
import { PyocdCommands, PyocdProgress, detectPyocd, probesListed, pyocdDriver } from '../../../src/drivers/probe/pyocd.js';
import { driverContext, rigErrorOf } from '../../helpers/driverContext.js';

const k64f = pyocdDriver.schema.parse({ kind: 'pyocd', target: 'k64f', uid: '0240000032044e45', sectorSize: 4096 });
const image = { name: 'app', path: '/b/app.bin', address: 0xa400 };
/** The same image as a file that exists: probes refuse to start their tool on a path that is not a regular file. */
const dir = mkdtempSync(join(tmpdir(), 'hil-pyocd-'));
const built = { ...image, path: join(dir, 'app.bin') };
writeFileSync(built.path, Buffer.alloc(64));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pyocd command lines', () => {
  it('modern pyocd: subcommands, -u, --base-address, byte-range erase, commander savemem', () => {
    const cli = new PyocdCommands('pyocd', { ...k64f, frequency: 4_000_000 });
    expect(cli.flash(image, false)).toEqual({
      cmd: 'pyocd',
      args: [
        'flash',
        '-t',
        'k64f',
        '-u',
        '0240000032044e45',
        '-f',
        '4000000',
        '-W',
        '--base-address',
        '0xa400',
        '--no-reset',
        '/b/app.bin',
      ],
    });
    expect(cli.erase(0x8000, 0x2000).args).toEqual([
      'erase',
      '-t',
      'k64f',
      '-u',
      '0240000032044e45',
      '-f',
      '4000000',
      '-W',
      '--sector',
      '0x8000+0x2000',
    ]);
    expect(cli.read(0xa000, 1024, '/t/d.bin').args).toEqual([
      'commander',
      '-t',
      'k64f',
      '-u',
      '0240000032044e45',
      '-f',
      '4000000',
      '-W',
      '-c',
      'savemem 0xa000 1024 /t/d.bin',
    ]);
    expect(cli.reset()).toEqual({ cmd: 'pyocd', args: ['reset', '-t', 'k64f', '-u', '0240000032044e45', '-f', '4000000', '-W'] });
  });

  it('pyOCD 0.13: pyocd-flashtool and pyocd-tool, -b, sector-count erase, kHz for pyocd-tool', () => {
    const cli = new PyocdCommands('legacy', { ...k64f, frequency: 4_000_000 });
    expect(cli.flash(image, true)).toEqual({
      cmd: 'pyocd-flashtool',
      args: ['-t', 'k64f', '-b', '0240000032044e45', '-f', '4000000', '-a', '0xa400', '/b/app.bin'],
    });
    expect(cli.erase(0x8000, 0x2000)).toEqual({
      cmd: 'pyocd-tool',
      args: ['-t', 'k64f', '-b', '0240000032044e45', '-k', '4000', 'erase', '0x8000', '2'],
    });
    expect(cli.read(0xa000, 1024, '/t/d.bin').args).toEqual([
      '-t',
      'k64f',
      '-b',
      '0240000032044e45',
      '-k',
      '4000',
      'savemem',
      '0xa000',
      '1024',
      '/t/d.bin',
    ]);
    expect(cli.reset().args.at(-1)).toBe('reset');
  });

  it('detects which pyOCD is installed', () => {
    expect(detectPyocd('auto', '/nonexistent')).toBeUndefined();
    expect(detectPyocd('auto', '/usr/bin')).toBe('legacy');
    expect(detectPyocd('pyocd', '/nonexistent')).toBe('pyocd');
  });

  it('reads unique IDs from both list formats', () => {
    const id = '0240000032044e4500257009997b00386781000097969900';
    expect(probesListed(readFileSync('test/fixtures/transcripts/pyocd-list-legacy.txt', 'utf8'))).toEqual([id]);
    expect(probesListed(readFileSync('test/fixtures/transcripts/pyocd-list.txt', 'utf8'))).toEqual([id]);
    expect(probesListed('No available debug probes are connected\n')).toEqual([]);
  });
});

describe('pyocd progress', () => {
  it('counts the piped bar, 40 marks to 100%, in chunks cut anywhere', () => {
    const updates: ProbeProgressUpdate[] = [];
    const parser = new PyocdProgress((u) => updates.push(u), 'app');
    const transcript = readFileSync('test/fixtures/transcripts/pyocd-flashtool-notty.txt', 'utf8');
    for (let i = 0; i < transcript.length; i += 5) parser.feed(transcript.slice(i, i + 5));
    const percents = updates.map((u) => u.percent);
    expect(percents[0]).toBe(0);
    expect(percents.at(-1)).toBe(100);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(percents.length).toBeGreaterThan(5);
  });

  it('reads the terminal bar redrawn with carriage returns', () => {
    const updates: ProbeProgressUpdate[] = [];
    const parser = new PyocdProgress((u) => updates.push(u));
    parser.feed('\r[==                  ]  10%\r[==========          ]  50%\r[====================] 100%\n');
    expect(updates.map((u) => u.percent)).toEqual([10, 50, 100]);
  });

  it('records probe-progress events and calls onProgress listeners, dropping repeats', () => {
    const ctx = driverContext();
    const progress = new ProbeProgress(ctx);
    const seen: number[] = [];
    progress.onProgress((u) => seen.push(u.percent));
    const parser = new PyocdProgress(progress.report, 'app');
    parser.feed('[---|---|---|---|---|---|---|---|---|----]\n[====');
    parser.feed('====');
    parser.feed('');
    expect(seen).toEqual([0, 10, 20]);
    expect(ctx.events.filter((e) => e.type === 'probe-progress').map((e) => [e.part, e.phase, e.percent, e.image])).toEqual([
      ['probe', 'program', 0, 'app'],
      ['probe', 'program', 10, 'app'],
      ['probe', 'program', 20, 'app'],
    ]);
  });
});

describe("Debian's pyOCD 0.13 with no probe attached (the real tools)", () => {
  it('flash: pyocd-flashtool says "No connected debug probes"', async () => {
    const ctx = driverContext();
    const err = await rigErrorOf(pyocdDriver.create({ ...k64f, uid: undefined }, ctx).flash([built]));
    expect(err.part).toBe('probe');
    expect(err.message).toBe('pyocd-flashtool (exit 1): No connected debug probes');
    expect(err.detail).toContain('Error: There is no debug probe connected.');
    const start = ctx.events.find((e) => e.type === 'proc' && e.phase === 'start');
    expect([start?.cmd, start?.args]).toEqual(['pyocd-flashtool', ['-t', 'k64f', '-a', '0xa400', built.path]]);
  });

  it('flash with a unique ID: pyocd-flashtool names the missing probe', async () => {
    const err = await rigErrorOf(pyocdDriver.create(k64f, driverContext()).flash([built]));
    expect(err.message).toBe(
      "pyocd-flashtool (exit 1): A debug probe matching unique ID '0240000032044e45' is not connected, or no connected probe matches",
    );
  });

  it('reset and read: pyocd-tool would wait for a probe forever, so its listing answers first', async () => {
    const ctx = driverContext();
    const probe = pyocdDriver.create(k64f, ctx);
    expect((await rigErrorOf(probe.reset())).message).toBe('pyocd-tool list: No available debug probes are connected');
    expect((await rigErrorOf(probe.read(0, 16))).message).toBe('pyocd-tool list: No available debug probes are connected');
    expect(ctx.events.filter((e) => e.type === 'proc' && e.phase === 'start').map((e) => (e.args as string[]).join(' '))).toEqual([
      'list',
      'list',
    ]);
  });

  it('erase without a sector size is refused before any tool runs', async () => {
    const probe = pyocdDriver.create({ ...k64f, sectorSize: undefined }, driverContext());
    expect((await rigErrorOf(probe.erase(0x8000, 0x2000))).message).toBe(
      'pyocd-tool erases whole sectors by count: set sectorSize in the probe block',
    );
  });

  it("rig check: the listing is empty, in pyocd-tool's words", async () => {
    const err = await rigErrorOf(pyocdDriver.check(k64f, driverContext()));
    expect(err.message).toBe('pyocd-tool list: No available debug probes are connected');
  });
});
