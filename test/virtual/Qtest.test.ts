import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RigError } from '../../src/core/errors.js';
import { Qtest } from '../../src/virtual/Qtest.js';

/** A stand-in for QEMU's end of the qtest socket: answers each command line with what `answer` says. */
async function fakeQemu(answer: (line: string) => string | undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'hil-qtest-'));
  const path = join(dir, 'qtest');
  const lines: string[] = [];
  const server: Server = createServer((socket) => {
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString();
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        lines.push(line);
        const reply = answer(line);
        if (reply !== undefined) socket.write(reply);
      }
    });
  });
  await new Promise<void>((r) => server.listen(path, r));
  const socket: Socket = await new Promise((r) => {
    const s = connect(path, () => r(s));
  });
  return { socket, lines, close: () => new Promise<void>((r) => server.close(() => (rmSync(dir, { recursive: true, force: true }), r()))) };
}

describe('Qtest', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });

  it('sends memset in hex and takes OK; asynchronous IRQ notices are not answers', async () => {
    const qemu = await fakeQemu(() => 'IRQ raise 3\nOK\n');
    cleanup.push(qemu.close);
    const qtest = new Qtest(qemu.socket, 'power');
    await qtest.memset(0x20000000, 0x400000);
    await qtest.memset(0x1000, 16, 0xff);
    expect(qemu.lines).toEqual(['memset 0x20000000 0x400000 0x0', 'memset 0x1000 0x10 0xff']);
    qtest.close();
  });

  it('FAIL is a RigError naming the command; a silent QEMU times out and the link is not reused', async () => {
    const qemu = await fakeQemu((line) => (line.includes('0x1 ') ? 'FAIL no memory there\n' : undefined));
    cleanup.push(qemu.close);
    const qtest = new Qtest(qemu.socket, 'power', 100);
    const refused = await qtest.memset(0x1, 4).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RigError);
    expect((refused as RigError).message).toBe("QEMU refused qtest 'memset 0x1 0x4 0x0': FAIL no memory there");
    await expect(qtest.memset(0x2000, 4)).rejects.toThrow("QEMU did not answer qtest 'memset 0x2000 0x4 0x0' within 100ms");
    await expect(qtest.memset(0x3000, 4)).rejects.toThrow('qtest connection closed');
  });
});
