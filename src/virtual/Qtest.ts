import type { Socket } from 'node:net';
import { RigError } from '../core/errors.js';

/**
 * QEMU's qtest protocol (`-qtest`), beside TCG: one text command per line, answered `OK` or `FAIL` in order.
 * hil uses it for what neither QMP nor the gdbstub does quickly: writing megabytes of guest RAM (`memset`), and
 * a powered-off board's flash without a debugger connecting (`b64write`).
 */
export class Qtest {
  private buffered = '';
  private readonly waiters: Array<{ resolve(line: string): void; reject(error: Error): void }> = [];
  private closedWith?: Error;

  constructor(
    private readonly socket: Socket,
    private readonly part: string,
    private readonly timeoutMs = 5000,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => this.fail(new RigError(part, 'QEMU closed its qtest connection')));
  }

  /** Fills guest physical memory with one byte value. */
  async memset(address: number, size: number, value = 0): Promise<void> {
    await this.command(`memset 0x${address.toString(16)} 0x${size.toString(16)} 0x${value.toString(16)}`);
  }

  /** Writes bytes to guest physical memory as the CPU would (code translated from there is dropped). */
  async write(address: number, bytes: Buffer): Promise<void> {
    if (!bytes.length) return;
    await this.command(`b64write 0x${address.toString(16)} 0x${bytes.length.toString(16)} ${bytes.toString('base64')}`);
  }

  close(): void {
    this.fail(new RigError(this.part, 'qtest connection closed'));
    this.socket.destroy();
  }

  private command(line: string): Promise<string> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new RigError(this.part, `QEMU did not answer qtest '${line}' within ${this.timeoutMs}ms`));
        // An answer arriving later would be taken for the next command's: the link is unusable from here.
        this.close();
      }, this.timeoutMs);
      const waiter = {
        resolve: (answer: string) => {
          clearTimeout(timer);
          if (answer.startsWith('OK')) resolve(answer);
          else reject(new RigError(this.part, `QEMU refused qtest '${line}': ${answer}`));
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiters.push(waiter);
      this.socket.write(`${line}\n`);
    });
  }

  private receive(chunk: string): void {
    this.buffered += chunk;
    for (let nl = this.buffered.indexOf('\n'); nl >= 0; nl = this.buffered.indexOf('\n')) {
      const line = this.buffered.slice(0, nl).trim();
      this.buffered = this.buffered.slice(nl + 1);
      // Asynchronous notices (IRQ ...) are never asked for here; only answers are matched to commands.
      if (line.startsWith('OK') || line.startsWith('FAIL') || line.startsWith('ERR')) this.waiters.shift()?.resolve(line);
    }
  }

  private fail(error: Error): void {
    this.closedWith ??= error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }
}
