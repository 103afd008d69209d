/**
 * Keepalive on the gRPC binding under a slow but live reader (issue 18, item 6): the client
 * reads its socket in drips through a throttling proxy, so the server's HTTP/2 keepalive pings
 * wait behind megabytes of responses. The server must keep the connection and answer every
 * request, as the WebSocket binding does (load-faults.test.ts).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  requestEnvelopeToProto,
  responseEnvelopeFromProto,
  serviceDefinition,
} from '../../protocol/proto-codec.ts';
import { closeServersAfterEach, startServer, until } from '../support/servers.ts';

closeServersAfterEach();

/** A TCP proxy to `port` that forwards upstream at once and downstream only in short drips. */
async function drippingProxy(port: number, everyMs: number, openMs: number) {
  const pairs: Array<[Socket, Socket]> = [];
  let dripping = true;
  const server: Server = createServer((down) => {
    const up = connect(port, '127.0.0.1');
    pairs.push([down, up]);
    down.pipe(up);
    up.on('data', (d) => down.write(d));
    if (dripping) up.pause();
    down.on('error', () => up.destroy());
    up.on('error', () => down.destroy());
    down.on('close', () => up.destroy());
    up.on('close', () => down.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const timer = setInterval(() => {
    for (const [, up] of pairs) {
      up.resume();
      setTimeout(() => dripping && up.pause(), openMs);
    }
  }, everyMs);
  return {
    address: `127.0.0.1:${(server.address() as { port: number }).port}`,
    /** Nothing passes either way any more (a peer gone without a FIN). */
    blackhole: () => {
      dripping = false;
      clearInterval(timer);
      for (const [d, u] of pairs) {
        u.pause();
        d.unpipe(u);
        d.pause();
      }
    },
    /** Stop throttling: read at full speed. */
    open: () => {
      dripping = false;
      clearInterval(timer);
      for (const [, up] of pairs) up.resume();
    },
    close: () => {
      clearInterval(timer);
      for (const [d, u] of pairs) {
        d.destroy();
        u.destroy();
      }
      server.close();
    },
  };
}

let cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

/** A raw Session stream to `address`: what came back, a sender, and the stream's error. */
function sessionStream(address: string) {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  cleanup.push(() => client.close());
  const session = serviceDefinition().Session!;
  const stream = client.makeBidiStreamRequest(
    session.path,
    session.requestSerialize,
    (b: Buffer) => session.responseDeserialize(b) as Record<string, unknown>,
  );
  const link = {
    inbox: [] as Array<{ id: string; type: string; body: unknown }>,
    failed: null as Error | null,
    send: (id: string, type: string, body: unknown) =>
      stream.write(requestEnvelopeToProto({ id, type, body } as never)),
    end: () => stream.end(),
  };
  stream.on('data', (m: Record<string, unknown>) => link.inbox.push(responseEnvelopeFromProto(m)));
  stream.on('error', (e: Error) => {
    link.failed = e;
  });
  return link;
}

describe('gRPC keepalive', () => {
  it('keeps a slow but live reader whose keepalive ping waits behind queued data, and answers all its requests', async () => {
    const s = await startServer({}, { heartbeatMs: 100 });
    const port = Number(s.grpcAddress.split(':').at(-1));
    const proxy = await drippingProxy(port, 60, 5);
    cleanup.push(proxy.close);
    const link = sessionStream(proxy.address);
    const { inbox, send } = link;
    const waitFor = async (n: number, ms: number) => {
      const until = Date.now() + ms;
      while (inbox.length < n && !link.failed && Date.now() < until)
        await new Promise((r) => setTimeout(r, 20));
    };
    send('h', 'hello', { version: 'factrecall.v1', role: 'policy' });
    send('m', 'make', { envId: 'FactRecall-v0' });
    await waitFor(2, 20_000);
    const handle = (inbox[1]!.body as { handle: string }).handle;
    for (let i = 0; i < 24; i++)
      send(`r${i}`, 'reset', { handle, split: 'train', batchSize: 2048, groupSize: 1 });
    await waitFor(26, 45_000);
    expect(link.failed).toBeNull();
    expect(new Set(inbox.slice(2).map((m) => m.id)).size).toBe(24);
    expect(inbox.slice(2).every((m) => m.type === 'reset')).toBe(true);
    // Still there a few heartbeats later, reading at full speed again.
    proxy.open();
    await new Promise((r) => setTimeout(r, 400));
    send('st', 'stats', {});
    await waitFor(27, 10_000);
    expect(link.failed).toBeNull();
    expect(inbox.at(-1)?.type).toBe('stats');
    link.end();
  }, 90_000);

  it('drops a half-open connection (no pong, nothing read) and closes its envs', async () => {
    const s = await startServer({}, { heartbeatMs: 100 });
    const port = Number(s.grpcAddress.split(':').at(-1));
    const proxy = await drippingProxy(port, 1_000_000, 0);
    cleanup.push(proxy.close);
    proxy.open();
    const { inbox, send } = sessionStream(proxy.address);
    send('h', 'hello', { version: 'factrecall.v1', role: 'policy' });
    send('m', 'make', { envId: 'FactRecall-v0' });
    await until(() => inbox.length === 2);
    const handle = (inbox[1]!.body as { handle: string }).handle;
    send('r', 'reset', { handle, split: 'train', batchSize: 2, groupSize: 1 });
    await until(() => inbox.length === 3);
    // Idle and healthy for a few heartbeats: pings are answered, the connection stays.
    await new Promise((r) => setTimeout(r, 400));
    expect(s.host.connections).toBe(1);
    proxy.blackhole();
    await until(() => s.host.connections === 0 && s.host.envs.size === 0, 20_000);
    expect(s.host.episodeCounts().totals).toMatchObject({ issued: 2, closed: 2, open: 0 });
  });
});
