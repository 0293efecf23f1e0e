import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DriverContext } from '../../../src/protocols/DriverContext.js';
import { gpiodDriver } from '../../../src/drivers/output/gpiod.js';
import { Timeline } from '../../../src/core/Timeline.js';

/**
 * No GPIO chip exists here, so a stand-in gpioset (libgpiod v1 or v2 by its --version) records its
 * command line and stdin, and runs until signalled as the real one does when it holds a line.
 */
let dir: string;
const savedPath = process.env.PATH;

async function fakeGpioset(version: string) {
  const script = `#!/bin/sh
if [ "$1" = "--version" ]; then echo "gpioset (libgpiod) ${version}"; exit 0; fi
echo "start $$ $*" >> "${dir}/log"
trap 'echo "stop $$" >> "${dir}/log"; exit 0' TERM
while read -r line; do echo "stdin $line" >> "${dir}/log"; done
while :; do sleep 0.05; done
`;
  await writeFile(join(dir, 'gpioset'), script);
  await chmod(join(dir, 'gpioset'), 0o755);
  await rm(join(dir, 'log'), { force: true });
}

function ctx(): DriverContext {
  const shared = new Map<string, unknown>();
  return {
    rigName: 't',
    rigDir: '/tmp',
    stateRoot: '/tmp/hil-state-unused',
    part: 'outputs.boot',
    timeline: new Timeline(),
    resources: {},
    log: () => undefined,
    shared: <T>(key: string, create: () => T) => (shared.has(key) ? shared.get(key) : shared.set(key, create()).get(key)) as T,
  };
}

const log = async () =>
  (await readFile(join(dir, 'log'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => l.replace(/^(start|stop) \d+/, '$1 PID'));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hil-gpio-'));
  process.env.PATH = `${dir}:${savedPath}`;
});
afterAll(async () => {
  process.env.PATH = savedPath;
  await rm(dir, { recursive: true, force: true });
});

describe('gpiod holds the line', () => {
  it('v1: one gpioset --mode=signal per level, running until the next edge or close', async () => {
    await fakeGpioset('v1.6.3');
    const out = gpiodDriver.create(gpiodDriver.schema.parse({ kind: 'gpiod', line: 17, active: 'low', startup: 100 }), ctx());
    await out.set(true);
    expect(await log()).toEqual(['start PID --mode=signal gpiochip0 17=0']);
    await out.set(false);
    await out.close();
    expect(await log()).toEqual([
      'start PID --mode=signal gpiochip0 17=0',
      'stop PID',
      'start PID --mode=signal gpiochip0 17=1',
      'stop PID',
    ]);
  });

  it('v2: one interactive gpioset for the run, later edges as `set` commands', async () => {
    await fakeGpioset('v2.1');
    const out = gpiodDriver.create(gpiodDriver.schema.parse({ kind: 'gpiod', line: 'GPIO17', startup: 100 }), ctx());
    await out.set(true);
    await out.set(false);
    await out.set(true);
    await out.close();
    expect(await log()).toEqual([
      'start PID -i --consumer=hil -c gpiochip0 GPIO17=1',
      'stdin set GPIO17=0',
      'stdin set GPIO17=1',
      'stop PID',
    ]);
  });
});
