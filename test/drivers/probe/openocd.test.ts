import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenOcdProgress, openocdDriver, openocdProgram } from '../../../src/drivers/probe/openocd.js';
import type { ProbeProgressUpdate } from '../../../src/protocols/ProbeProgress.js';
import { driverContext, rigErrorOf } from '../../helpers/driverContext.js';

const psoc6 = openocdDriver.schema.parse({
  kind: 'openocd',
  args: ['-f', 'interface/cmsis-dap.cfg', '-f', 'target/psoc6.cfg'],
  serial: '0B0B0F9701047400',
  timeout: '30s',
});
const dir = mkdtempSync(join(tmpdir(), 'hil-openocd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NO_PROBE = 'Error: unable to find a matching CMSIS-DAP device';

describe('openocd command lines', () => {
  it('programs each image, with an address only for raw binaries', () => {
    expect(openocdProgram({ name: 'boot', path: '/b/boot.hex' }, { verify: true, reset: false })).toBe('program /b/boot.hex verify exit');
    expect(openocdProgram({ name: 'app', path: '/my images/app.bin', address: 0x08008400 }, { verify: true, reset: true })).toBe(
      'program {/my images/app.bin} 0x8008400 verify reset exit',
    );
  });

  it('selects the adapter by serial and speed before init', () => {
    const probe = openocdDriver.create({ ...psoc6, speed: 1000 }, driverContext());
    expect(probe.commandLine(['reset run', 'shutdown'])).toEqual([
      '-f',
      'interface/cmsis-dap.cfg',
      '-f',
      'target/psoc6.cfg',
      '-c',
      'adapter serial 0B0B0F9701047400',
      '-c',
      'adapter speed 1000',
      '-c',
      'init',
      '-c',
      'reset run',
      '-c',
      'shutdown',
    ]);
  });

  it('reads the phases of a program run from its banners', () => {
    const updates: ProbeProgressUpdate[] = [];
    const parser = new OpenOcdProgress((u) => updates.push(u), 'app');
    const transcript = readFileSync('test/fixtures/transcripts/openocd-program-stm32f4.txt', 'utf8');
    for (let i = 0; i < transcript.length; i += 7) parser.feed(transcript.slice(i, i + 7));
    expect(updates.map((u) => `${u.phase} ${u.percent}`)).toEqual(['program 0', 'program 100', 'verify 0', 'verify 100', 'reset 100']);
    expect(updates.every((u) => u.image === 'app')).toBe(true);
  });
});

describe('openocd with no probe attached (the real tool)', () => {
  it("flash fails with a RigError carrying openocd's own message", async () => {
    const ctx = driverContext();
    const probe = openocdDriver.create(psoc6, ctx);
    const hexFile = join(dir, 'app.hex');
    writeFileSync(hexFile, ':00000001FF\n');
    const err = await rigErrorOf(probe.flash([{ name: 'app', path: hexFile }], { reset: true }));
    expect(err.part).toBe('probe');
    expect(err.message).toBe(`openocd (exit 1): ${NO_PROBE}`);
    expect(err.detail).toContain('Open On-Chip Debugger');
    const start = ctx.events.find((e) => e.type === 'proc' && e.phase === 'start');
    expect(start?.args).toEqual([...psoc6.args, '-c', 'adapter serial 0B0B0F9701047400', '-c', `program ${hexFile} verify reset exit`]);
  });

  it.each([
    ['read', (p: ReturnType<typeof openocdDriver.create>) => p.read(0x10000000, 256)],
    ['erase', (p: ReturnType<typeof openocdDriver.create>) => p.erase(0x10018000, 0x1000)],
    ['reset', (p: ReturnType<typeof openocdDriver.create>) => p.reset()],
  ])('%s fails the same way', async (_name, op) => {
    const err = await rigErrorOf(op(openocdDriver.create(psoc6, driverContext())));
    expect(err.message).toBe(`openocd (exit 1): ${NO_PROBE}`);
  });

  it("rig check says the probe is missing in openocd's words", async () => {
    const err = await rigErrorOf(openocdDriver.check(psoc6, driverContext()));
    expect(err.message).toContain(NO_PROBE);
  });

  it('a missing openocd is a not-found RigError with the install hint', async () => {
    const err = await rigErrorOf(openocdDriver.check({ ...psoc6, cmd: 'openocd-not-installed' }, driverContext()));
    expect(err.message).toBe('openocd-not-installed: not found on PATH (install openocd (apt-get install openocd))');
  });
});
