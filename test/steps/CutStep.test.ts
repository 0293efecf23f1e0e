import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArmedBreakpoint, CodeBreakpoint, Halt } from '../../src/protocols/Probe.js';
import { CaseSkipped, RigError } from '../../src/core/errors.js';
import { Timeline } from '../../src/core/Timeline.js';
import { cutStep } from '../../src/steps/CutStep.js';
import { symbolFile } from '../../src/steps/codeCut.js';
import type { StepContext } from '../../src/steps/Step.js';

/** The logic of `cut: { at }` against a probe double; the real gdb path is test/virtual/breakAt.test.ts. */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hil-cutstep-'));
  for (const f of ['boot.bin', 'boot.elf', 'app.img', 'other.elf', 'flash.img']) writeFileSync(join(dir, f), '');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cut: { at } arguments', () => {
  it('takes the hit from a ${param} string and rejects a zero hit or a time offset', () => {
    expect(cutStep.schema.parse({ at: { symbol: 'flash_program_word', hit: '7' } }).at?.hit).toBe(7);
    expect(cutStep.schema.safeParse({ at: { symbol: 'flash_program_word', hit: '0' } }).success).toBe(false);
    expect(cutStep.schema.safeParse({ at: { symbol: 'flash_program_word', hit: 3 }, after: '10ms' }).success).toBe(false);
    expect(cutStep.schema.safeParse({ at: { symbol: 'flash_program_word', hit: 3 }, when: 'copying' }).success).toBe(false);
  });
});

describe('symbolFile: the ELF that defines the symbol', () => {
  const images = () => ({
    boot: { path: join(dir, 'boot.bin') },
    app: { path: join(dir, 'app.img') },
    other: { path: join(dir, 'other.elf') },
  });
  const at = (extra: Record<string, string> = {}) => ({ symbol: 'f', hit: 1, ...extra });

  it('follows the image: its path with .elf, the first image by default, an ELF image itself', () => {
    expect(symbolFile(at(), images(), dir)).toBe(join(dir, 'boot.elf'));
    expect(symbolFile(at({ image: 'boot' }), images(), dir)).toBe(join(dir, 'boot.elf'));
    expect(symbolFile(at({ image: 'other' }), images(), dir)).toBe(join(dir, 'other.elf'));
    expect(symbolFile(at({ symbols: join(dir, 'other.elf') }), images(), dir)).toBe(join(dir, 'other.elf'));
  });

  it('says what it looked for when there is no ELF', () => {
    expect(() => symbolFile(at({ image: 'app' }), images(), dir)).toThrow(
      new RegExp(`no ELF next to image app \\(looked for ${join(dir, 'app.elf')}\\)`),
    );
    expect(() => symbolFile(at({ image: 'nope' }), images(), dir)).toThrow(RigError);
    expect(() => symbolFile(at({ symbols: join(dir, 'missing.elf') }), images(), dir)).toThrow(/no symbol file/);
  });
});

describe('cut: { at } on a probe that can halt', () => {
  function harness(options: { breakAt?: boolean; calls?: number; cuttable?: string[] } = {}) {
    const events: string[] = [];
    const background: Array<Promise<void>> = [];
    const notes: Record<string, string> = {};
    let halt!: (h: Halt) => void;
    let armedWith: CodeBreakpoint | undefined;
    const probe = {
      description: 'fake',
      flashFiles: () => [{ name: 'flash', path: join(dir, 'flash.img') }],
      ...(options.breakAt === false
        ? {}
        : {
            async breakAt(bp: CodeBreakpoint): Promise<ArmedBreakpoint> {
              armedWith = bp;
              events.push('armed');
              return { halted: new Promise<Halt>((r) => (halt = r)), release: async () => (events.push('released early'), options.calls) };
            },
          }),
    };
    const ctx = {
      rig: { probe, images: { bootloader: { path: join(dir, 'boot.bin') } } },
      timeline: new Timeline(),
      expect: {
        state: () => 'copying',
        within: (path: string, name: string) => path === name || path.startsWith(`${name}.`),
        coverage: () => ({ states: [], visited: [], transitions: [], cuttable: options.cuttable ?? [] }),
      },
      signal: new AbortController().signal,
      caseDir: mkdtempSync(join(dir, 'case-')),
      async setPower(on: boolean, cause: string, opts?: { whileOff?: (landed: string) => Promise<void> }) {
        events.push(`power ${on ? 'on' : 'off'} (${cause})`);
        await opts?.whileOff?.('copying');
        events.push('model hears POWER_OFF');
        return 'copying';
      },
      async cutMade(cut: { flash: Array<{ name: string }>; landed: string }) {
        events.push(`cut made in ${cut.landed} (${cut.flash.map((f) => f.name).join(' ')})`);
      },
      background(_name: string, work: (signal: AbortSignal) => Promise<void>) {
        background.push(work(new AbortController().signal));
      },
      note(key: string, value: string) {
        notes[key] = value;
      },
    } as unknown as StepContext;
    const fire = () =>
      halt({
        t: ctx.timeline.now(),
        pc: 0x210003ce,
        release: async () => void events.push('released'),
      });
    return { ctx, events, background, notes, fire, armedWith: () => armedWith };
  }

  it('returns once armed; at the halt it cuts power, keeps the flash before the model (and the steps waiting for off) hears of it, then lets the debugger go', async () => {
    const h = harness();
    const args = cutStep.schema.parse({ at: { symbol: 'flash_program_word', hit: '42' } });
    await cutStep.run(args, h.ctx);
    expect(h.events).toEqual(['armed']);
    expect(h.armedWith()).toEqual({ symbol: 'flash_program_word', hit: 42, symbols: join(dir, 'boot.elf') });
    h.fire();
    await Promise.all(h.background);
    expect(h.events).toEqual(['armed', 'power off (cut)', 'cut made in copying (flash-at-cut.img)', 'model hears POWER_OFF', 'released']);
    expect(h.notes).toMatchObject({ cut_anchor: 'flash_program_word hit 42', cut_pc: '0x210003ce' });
  });

  it('a hit never reached within `within` is a case failure and the breakpoint is released', async () => {
    const h = harness();
    await cutStep.run(cutStep.schema.parse({ at: { symbol: 'flash_program_word', hit: 9 }, within: '50ms' }), h.ctx);
    await expect(Promise.all(h.background)).rejects.toThrow(/flash_program_word hit 9 not reached within 50ms/);
    expect(h.events).toEqual(['armed', 'released early']);
  });

  it('while the model is in a cuttable state the hit is not given up at `within`, only after 20 more periods of it', async () => {
    const h = harness({ calls: 120, cuttable: ['copying'] });
    await cutStep.run(cutStep.schema.parse({ at: { symbol: 'flash_program_word', hit: 601 }, within: '20ms' }), h.ctx);
    await expect(Promise.all(h.background)).rejects.toThrow(/^cut: flash_program_word hit 601 not reached within 420ms: 120 calls$/);
  });

  it('a probe that counts the calls it saw says how many: a hit sweep learns its count from the case past the end', async () => {
    const h = harness({ calls: 553 });
    await cutStep.run(cutStep.schema.parse({ at: { symbol: 'flash_program_word', hit: 601 }, within: '50ms' }), h.ctx);
    await expect(Promise.all(h.background)).rejects.toThrow(/^cut: flash_program_word hit 601 not reached within 50ms: 553 calls$/);
    expect(h.notes).toMatchObject({ cut_missed_hit: '601', cut_hits_seen: '553' });
  });

  it('a probe without the capability is a rig error naming it', async () => {
    const h = harness({ breakAt: false });
    await expect(cutStep.run(cutStep.schema.parse({ at: { symbol: 'f', hit: 1 } }), h.ctx)).rejects.toThrow(
      /probe \(fake\) cannot halt at a breakpoint/,
    );
  });
});

describe('cut: { when, after }: where the cut landed', () => {
  /** A model that enters `copying` at once and is in `landed` when power goes. */
  function harness(landed: string, failed = false) {
    const notes: Record<string, string> = {};
    const ctx = {
      rig: {},
      timeline: new Timeline(),
      expect: {
        onEnter: (_state: string, listener: (t: number) => void) => (listener(0), () => undefined),
        waitFor: async () => undefined,
        state: () => landed,
        within: (path: string, name: string) => path === name || path.startsWith(`${name}.`),
        failure: () => (failed ? { message: 'forbidden line' } : undefined),
      },
      signal: new AbortController().signal,
      setPower: async () => landed,
      note(key: string, value: string) {
        notes[key] = value;
      },
    } as unknown as StepContext;
    return { ctx, notes };
  }
  const args = cutStep.schema.parse({ when: 'copying', after: '1ms' });

  it('inside the state it was timed from: the cut stands', async () => {
    const h = harness('copying');
    await expect(cutStep.run(args, h.ctx)).resolves.toBeUndefined();
    expect(h.notes['cut_outside']).toBeUndefined();
  });

  it('after that state ended (the copy finished first): the case is skipped, saying where the cut went', async () => {
    const h = harness('factory-running');
    const run = cutStep.run(args, h.ctx);
    await expect(run).rejects.toThrow(CaseSkipped);
    await expect(run).rejects.toThrow('cut landed in factory-running, after copying ended');
    expect(h.notes['cut_outside']).toBe('copying');
  });

  it('a model that failed before the cut stays a failure (the runner reports it), never a skip', async () => {
    const h = harness('factory-running', true);
    await expect(cutStep.run(args, h.ctx)).resolves.toBeUndefined();
  });
});
