import type { Socket } from 'node:net';

/** Lines 0..25: one letter each. */
export const GPIO_LINES = 26;

/** The wire format of the board's GPIO UART: 'A'+n sets input line n active, 'a'+n inactive. */
function levelByte(line: number, active: boolean): string {
  return String.fromCharCode((active ? 0x41 : 0x61) + line);
}

/**
 * The input lines the host drives into the board. Levels are the rig's, not the board's: they are kept while
 * the board is off and sent again right after every power-on, as a button held through a power cycle is still
 * held when the board comes up.
 */
export class GpioLines {
  private readonly levels = new Map<number, boolean>();
  private socket?: Socket;

  /** A new power-on: QEMU's UART is connected; the guest reads the bytes once it enables its receiver. */
  async connect(socket: Socket): Promise<void> {
    this.socket = socket;
    // The guest may answer on this UART; nothing reads that yet, but it must not fill up and stall the guest.
    socket.resume();
    socket.on('error', () => undefined);
    await this.send([...this.levels].map(([line, active]) => levelByte(line, active)).join(''));
  }

  disconnect(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  async set(line: number, active: boolean): Promise<void> {
    this.levels.set(line, active);
    await this.send(levelByte(line, active));
  }

  private send(bytes: string): Promise<void> {
    const socket = this.socket;
    if (!socket || bytes === '') return Promise.resolve();
    // A write racing a power cut is lost with the board; the level is sent again on the next power-on.
    return new Promise<void>((resolve) => socket.write(bytes, () => resolve()));
  }
}
