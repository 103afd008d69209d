/**
 * A TCP proxy on 127.0.0.1 in front of a server, that a test can "kill": every connection is
 * destroyed at once and new ones are refused, which is what a client sees of a server process
 * that crashed (connection lost, then connection refused). The server behind keeps running, so
 * the test can still read its books (episode accounting) afterwards.
 */
import { createConnection, createServer, type Socket } from 'node:net';

export interface KillableProxy {
  readonly port: number;
  kill(): Promise<void>;
}

export async function killableProxy(targetPort: number): Promise<KillableProxy> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    kill: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
