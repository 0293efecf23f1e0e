import { describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { SerialPort } from 'serialport';
import { loadRig } from '../../src/rig/RigSpec.js';
import { checkLayout, layoutSchema, resolveRegions } from '../../src/flash/layoutRules.js';
import { checkRig, type RigCheckResult } from '../../src/rig/rigCheck.js';
import { PtyPair } from '../helpers/ptyPair.js';

const SEEDS = ['psoc6-cy8cproto-062-4343w', 'nucleo-f429zi', 'frdm-k64f', 'stm32mp157c-dk2'];
const rigFile = (name: string) => resolve('rigs', `${name}.yaml`);
const byPart = (results: RigCheckResult[]) => Object.fromEntries(results.map((r) => [r.part, r]));

describe('seed-board rig files', () => {
  it.each(SEEDS)('%s loads, and its layout passes the layout rules', (name) => {
    const rig = loadRig(rigFile(name));
    expect(rig.name).toBe(name);
    const raw = (rig.yaml.data as { layout?: unknown }).layout;
    if (name === 'stm32mp157c-dk2') {
      expect(raw).toBeUndefined();
      return;
    }
    const layout = layoutSchema.parse(raw);
    expect(checkLayout(layout)).toEqual([]);
    expect(resolveRegions(layout).length).toBeGreaterThanOrEqual(4);
  });

  it('the K64F and F429 layouts put header and app where the seeds do', () => {
    const regions = (name: string) =>
      Object.fromEntries(
        resolveRegions(layoutSchema.parse((loadRig(rigFile(name)).yaml.data as { layout: unknown }).layout)).map((r) => [
          r.name,
          r.address,
        ]),
      );
    expect(regions('frdm-k64f')).toMatchObject({ header: 0xa000, app: 0xa400, kvstore: 0x8000 });
    expect(regions('nucleo-f429zi')).toMatchObject({ header: 0x08008000, app: 0x08008400, kvstore: 0x08100000, candidate: 0x08120000 });
    expect(regions('psoc6-cy8cproto-062-4343w')).toMatchObject({ bootloader: 0x10000000, primary: 0x10018000, factory: 0x18000000 });
  });
});

describe('rig check on the seed rigs, on a machine with none of their hardware', () => {
  it('PSoC 6: the console is missing and openocd finds no CMSIS-DAP probe', async () => {
    const parts = byPart(await checkRig(loadRig(rigFile('psoc6-cy8cproto-062-4343w'))));
    expect(Object.keys(parts)).toEqual(['console', 'probe', 'power', 'outputs.user']);
    expect(parts.console).toMatchObject({ ok: false, message: expect.stringContaining('usb-Cypress_Semiconductor_KitProg3') });
    expect(parts.probe).toMatchObject({ ok: false, message: 'openocd (exit 1): Error: unable to find a matching CMSIS-DAP device' });
    expect(parts.power).toMatchObject({ ok: false, message: 'uhubctl -l 1-1 -p 2: No compatible devices detected at location 1-1!' });
    expect(parts['outputs.user']!.ok).toBe(false);
  });

  it('NUCLEO-F429ZI: openocd finds no ST-Link, usbrelay finds no relay', async () => {
    const parts = byPart(await checkRig(loadRig(rigFile('nucleo-f429zi'))));
    expect(parts.console!.ok).toBe(false);
    expect(parts.probe).toMatchObject({
      ok: false,
      message: 'openocd (exit 1): Error: open failed (no ST-Link found, or another program holds it)',
    });
    expect(parts.power).toMatchObject({ ok: false, message: 'usbrelay: relay HURTM_1 not found: usbrelay says "Found 0 devices"' });
  });

  it("FRDM-K64F: pyOCD lists no probe, in pyOCD's words", async () => {
    const parts = byPart(await checkRig(loadRig(rigFile('frdm-k64f'))));
    expect(parts.console!.ok).toBe(false);
    expect(parts.probe).toMatchObject({ ok: false, message: 'pyocd-tool list: No available debug probes are connected' });
    expect(parts.power!.message).toMatch(/^pdudaemon at 127\.0\.0\.1:16421 unreachable/);
  });

  it('STM32MP157C-DK2: STM32_Programmer_CLI is not installed', async () => {
    const parts = byPart(await checkRig(loadRig(rigFile('stm32mp157c-dk2'))));
    expect(parts.probe).toMatchObject({ ok: false, message: expect.stringMatching(/^STM32_Programmer_CLI: not found on PATH/) });
    expect(Object.keys(parts)).toEqual(['console', 'probe', 'power', 'outputs.boot0', 'outputs.boot2']);
  });
});

describe('rig check with parts that are there', () => {
  it('reports each part ok or not, live and in order, and records it in the timeline', async () => {
    const consolePty = await PtyPair.inTempDir();
    const relayPty = await PtyPair.inTempDir();
    const board = new SerialPort({ path: relayPty.board, baudRate: 19200 });
    board.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('\r')) board.write('ver\n\r00000008\n\r>');
    });
    const pdu = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((r) => pdu.listen(0, '127.0.0.1', r));
    try {
      const live: string[] = [];
      const results = await checkRig(
        {
          name: 'bench',
          dir: '/tmp',
          console: { kind: 'serial', options: { kind: 'serial', path: consolePty.driver, baud: 115200, reopen: 1000, encoding: 'utf8' } },
          power: {
            kind: 'pdudaemon',
            options: {
              kind: 'pdudaemon',
              host: '127.0.0.1',
              port: (pdu.address() as AddressInfo).port,
              pdu: 'p',
              outlet: 1,
              timeout: 2000,
            },
          },
          probe: {
            kind: 'openocd',
            options: { kind: 'openocd', args: ['-f', 'interface/cmsis-dap.cfg', '-f', 'target/psoc6.cfg'], timeout: 30000, cmd: 'openocd' },
          },
          outputs: {
            button: {
              kind: 'numato',
              options: { kind: 'numato', path: relayPty.driver, channel: 0, baud: 19200, timeout: 1000, active: 'high' },
            },
            mystery: { kind: 'teleporter', options: {} },
          },
        },
        { onResult: (r) => live.push(`${r.part} ${r.ok}`) },
      );
      expect(live).toEqual(['console true', 'probe false', 'power true', 'outputs.button true', 'outputs.mystery false']);
      expect(byPart(results)['outputs.mystery']!.message).toBe('no driver of kind "teleporter"');
      expect(byPart(results).button).toBeUndefined();
      expect(byPart(results)['outputs.button']!.message).toBe(`numato on ${relayPty.driver} answers (version 00000008)`);
    } finally {
      await new Promise((r) => board.close(r));
      await new Promise((r) => pdu.close(r));
      await consolePty.close();
      await relayPty.close();
    }
  });
});
