import { connect, createServer, type Server, type Socket } from 'node:net';
import { ConfigError } from '../core/errors.js';

/**
 * `hil debug --gdb-port P`: a local TCP port that forwards to the board's gdbstub once there is one to forward to.
 * Bound before the rig is leased, so a port in use is a usage error that touches nothing. Before the board is
 * halted a connection is refused (closed at once); QEMU serves one debugger at a time, and so does this.
 */
export class GdbForward {
  private target?: { host: string; port: number };
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {
    server.on('connection', (client) => this.serve(client));
  }

  static listen(port: number): Promise<GdbForward> {
    return new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', (err: NodeJS.ErrnoException) => {
        reject(
          new ConfigError({
            file: 'command line',
            field: '--gdb-port',
            message: `cannot listen on 127.0.0.1:${port}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.message}`,
          }),
        );
      });
      server.listen(port, '127.0.0.1', () => resolve(new GdbForward(server, port)));
    });
  }

  /** The gdbstub (`host:port`) connections go to from now on. */
  forwardTo(address: string): void {
    const at = address.lastIndexOf(':');
    this.target = { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
  }

  private serve(client: Socket): void {
    if (!this.target || this.sockets.size > 0) {
      client.destroy();
      return;
    }
    const board = connect(this.target.port, this.target.host);
    for (const socket of [client, board]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        board.destroy();
      });
    }
    client.pipe(board);
    board.pipe(client);
  }

  /** Stops listening and drops the connection there is. */
  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
