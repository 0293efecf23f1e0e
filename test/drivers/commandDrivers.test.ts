import { afterEach, beforeEach, describe, it, expect } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandPowerDriver } from '../../src/drivers/power/command.js';
import { outputPower } from '../../src/rig/OutputPower.js';
import { powerDrivers } from '../../src/drivers/power/registry.js';
import { commandFor, commandOutputDriver } from '../../src/drivers/output/command.js';
import type { DigitalOutput } from '../../src/protocols/DigitalOutput.js';
import { outputDrivers } from '../../src/drivers/output/registry.js';
import { RigError } from '../../src/core/errors.js';
import { driverContext } from '../helpers/driverContext.js';
import { groupGone } from '../helpers/processGroup.js';

let rigDir: string;

function context(part = 'power') {
  return driverContext(part, rigDir);
}

async function rigError(p: Promise<unknown>): Promise<RigError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RigError);
  return err as RigError;
}

const relayState = () => readFileSync(join(rigDir, 'relay'), 'utf8').trim();

beforeEach(() => {
  rigDir = mkdtempSync(join(tmpdir(), 'hil-command-'));
});

afterEach(() => {
  rmSync(rigDir, { recursive: true, force: true });
});

describe('command power', () => {
  const power = (options: Record<string, unknown>, ctx = context()) =>
    commandPowerDriver.create(commandPowerDriver.schema.parse({ kind: 'command', ...options }), ctx);

  it('is the power kind `command`', () => {
    expect(powerDrivers.get('command')).toBe(commandPowerDriver);
    expect(commandPowerDriver.schema.parse({ kind: 'command', on: 'a', off: 'b' })).toEqual({
      kind: 'command',
      on: 'a',
      off: 'b',
      timeout: 10_000,
    });
    expect(commandPowerDriver.schema.safeParse({ kind: 'command', on: 'a' }).success).toBe(false);
  });

  it('runs the user commands through the shell in the rig directory and tracks the state', async () => {
    const ctx = context();
    const p = power({ on: 'echo 1 > relay', off: 'echo 0 > relay' }, ctx);
    expect(p.state()).toBe('unknown');
    await p.on();
    expect(relayState()).toBe('1');
    expect(p.state()).toBe('on');
    await p.off();
    expect(relayState()).toBe('0');
    expect(p.state()).toBe('off');
    const procs = ctx.events.filter((e) => e.type === 'proc');
    expect(procs.map((e) => [e.phase, e.cmd])).toEqual([
      ['start', 'echo 1 > relay'],
      ['exit', 'echo 1 > relay'],
      ['start', 'echo 0 > relay'],
      ['exit', 'echo 0 > relay'],
    ]);
    expect(procs[1]).toMatchObject({ part: 'power', exitCode: 0 });
  });

  it('turns a failing command into a RigError with its own words, power state unknown', async () => {
    const p = power({ on: 'echo "relay board HURTM not found" >&2; exit 2', off: 'true' });
    await p.off();
    const err = await rigError(p.on());
    expect(err.part).toBe('power');
    expect(err.message).toBe('echo failed (exit 2): relay board HURTM not found');
    expect(p.state()).toBe('unknown');
  });

  it('kills a hanging command with its children after the timeout', async () => {
    const ctx = context();
    const p = power({ on: 'sleep 60 & sleep 60', off: 'true', timeout: '300ms' }, ctx);
    const err = await rigError(p.on());
    expect(err.message).toBe('sleep timed out after 300ms (killed with its children)');
    const pid = ctx.events.find((e) => e.type === 'proc' && e.phase === 'start')!.pid as number;
    expect(await groupGone(pid)).toEqual([]);
  });

  it('verifies each switch with the status command', async () => {
    const p = power({ on: 'echo 1 > relay', off: 'echo 0 > relay', status: 'grep -q 1 relay' });
    await p.on();
    expect(p.state()).toBe('on');
    await p.off();
    expect(p.state()).toBe('off');
  });

  it('calls a switch that did not happen a rig error, even when the command exited 0', async () => {
    writeFileSync(join(rigDir, 'relay'), '0\n');
    const p = power({ on: 'true', off: 'echo 0 > relay', status: 'grep -q 1 relay' });
    const err = await rigError(p.on());
    expect(err.message).toBe('power on command succeeded but the status command says off');
    expect(p.state()).toBe('unknown');
  });

  it('says what a status command that is neither 0 nor 1 printed', async () => {
    const p = power({ on: 'true', off: 'true', status: 'echo "cannot reach PDU" >&2; exit 5' });
    const err = await rigError(p.on());
    expect(err.message).toBe('power status command failed (exit 5; expected 0 for on, 1 for off): cannot reach PDU');
  });

  it('rig check reads the status, or only looks for the programs when there is none', async () => {
    writeFileSync(join(rigDir, 'relay'), '1\n');
    const check = (options: Record<string, unknown>) =>
      commandPowerDriver.check(commandPowerDriver.schema.parse({ kind: 'command', ...options }), context());
    await expect(check({ on: 'touch on', off: 'touch off', status: 'grep -q 1 relay' })).resolves.toBe('status command says power is on');
    await expect(check({ on: 'touch on', off: 'touch off' })).resolves.toBe(
      'on/off commands found on PATH (not run: they would switch the board)',
    );
    expect(existsSync(join(rigDir, 'on'))).toBe(false);
    const err = await rigError(check({ on: 'RELAY=1 hil-no-such-relayctl on', off: 'true' }));
    expect(err.message).toBe('hil-no-such-relayctl: not found on PATH');
  });
});

describe('command output', () => {
  const output = (options: Record<string, unknown>, ctx = context('outputs.button')) =>
    commandOutputDriver.create(commandOutputDriver.schema.parse({ kind: 'command', ...options }), ctx);

  it('is the relay kind `command`, taking `set` with {level} or `on` and `off`', () => {
    expect(outputDrivers.get('command')).toBe(commandOutputDriver);
    const ok = (o: Record<string, unknown>) => commandOutputDriver.schema.safeParse({ kind: 'command', ...o }).success;
    expect(ok({ set: 'gpioset chip0 17={level}' })).toBe(true);
    expect(ok({ on: 'a', off: 'b' })).toBe(true);
    expect(ok({ set: 'gpioset chip0 17=1' })).toBe(false);
    expect(ok({ set: 'x {level}', on: 'a', off: 'b' })).toBe(false);
    expect(ok({ on: 'a' })).toBe(false);
    expect(ok({})).toBe(false);
    expect(commandFor({ set: 'x={level} y={level}' }, true)).toBe('x=1 y=1');
    expect(commandFor({ on: 'up', off: 'down' }, false)).toBe('down');
  });

  it('writes the level with `set`, inverted by active: low', async () => {
    const button = output({ set: 'echo {level} > relay', active: 'low' });
    expect(button.level()).toBeUndefined();
    await button.set(true);
    expect(relayState()).toBe('0');
    expect(button.level()).toBe(true);
    await button.set(false);
    expect(relayState()).toBe('1');
    expect(button.level()).toBe(false);
  });

  it('runs `on` and `off`, waiting the settle time after each edge', async () => {
    const button = output({ on: 'echo energised > relay', off: 'echo released > relay', settle: '150ms' });
    const began = performance.now();
    await button.set(true);
    expect(performance.now() - began).toBeGreaterThanOrEqual(150);
    expect(relayState()).toBe('energised');
    await button.set(false);
    expect(relayState()).toBe('released');
  });

  it('turns a failing command into a RigError for its output', async () => {
    const err = await rigError(output({ set: 'echo "line 17 busy, cannot set {level}" >&2; exit 1' }).set(true));
    expect(err.part).toBe('outputs.button');
    expect(err.message).toBe('echo failed (exit 1): line 17 busy, cannot set 1');
  });

  it('rig check only looks for the programs', async () => {
    const check = (o: Record<string, unknown>) =>
      commandOutputDriver.check(commandOutputDriver.schema.parse({ kind: 'command', ...o }), context());
    await expect(check({ set: 'echo {level} > relay' })).resolves.toContain('not run');
    expect(existsSync(join(rigDir, 'relay'))).toBe(false);
    await expect(check({ on: 'true', off: 'hil-no-such-gpio 0' })).rejects.toThrow('hil-no-such-gpio: not found on PATH');
  });
});

describe('outputPower', () => {
  function fakeOutput(): DigitalOutput & { calls: boolean[]; closed: boolean } {
    let last: boolean | undefined;
    const out = {
      description: 'relay X',
      calls: [] as boolean[],
      closed: false,
      async set(active: boolean) {
        out.calls.push(active);
        last = active;
      },
      level: () => last,
      async close() {
        out.closed = true;
      },
    };
    return out;
  }

  it('makes any output a power switch: on = active', async () => {
    const relay = fakeOutput();
    const power = outputPower(relay);
    expect(power.description).toBe('relay X');
    expect(power.state()).toBe('unknown');
    await power.on();
    expect(power.state()).toBe('on');
    await power.off();
    expect(power.state()).toBe('off');
    expect(relay.calls).toEqual([true, false]);
    await power.close();
    expect(relay.closed).toBe(true);
  });

  it('works with a real command output', async () => {
    const power = outputPower(
      commandOutputDriver.create(commandOutputDriver.schema.parse({ kind: 'command', set: 'echo {level} > relay' }), context()),
    );
    await power.on();
    expect(relayState()).toBe('1');
    await power.off();
    expect(relayState()).toBe('0');
  });
});
