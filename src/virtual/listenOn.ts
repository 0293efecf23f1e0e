import { createServer, type Server, type Socket } from 'node:net';

/** A unix socket QEMU will connect to; its first connection is caught from the start (QEMU may be quick). */
export interface Listening {
  server: Server;
  connection: Promise<Socket>;
}

export function listenOn(path: string): Promise<Listening> {
  return new Promise<Listening>((resolveServer, reject) => {
    const server = createServer();
    const connection = new Promise<Socket>((resolveSocket) => server.once('connection', resolveSocket));
    server.once('error', reject);
    server.listen(path, () => resolveServer({ server, connection }));
  });
}
