/**
 * The server under hostile and heavy clients (issue 18): memory bounded per connection,
 * fairness between clients, keepalive under a slow reader, every read request answered on
 * shutdown, and coded errors where the wire is broken.
 */
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { serviceDefinition } from '../../protocol/proto-codec.ts';
import { closeServersAfterEach, slowJudge, startServer, until } from '../support/servers.ts';
import { type RawPeer, rawPeer } from './raw-ws.ts';

closeServersAfterEach();
const HELLO = { version: 'factrecall.v1', role: 'policy' };
type Obs = { episodeId: string };

async function peerWithEnv(url: string): Promise<{ p: RawPeer; handle: string }> {
  const p = await rawPeer(url);
  await p.call('h', 'hello', HELLO);
  const handle = (await p.call('m', 'make', { envId: 'FactRecall-v0' })).body.handle as string;
  return { p, handle };
}

const socketOf = (p: RawPeer) =>
  (p.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;

describe('memory per connection', () => {
  it('stops reading a client that never reads once its responses fill maxBufferedBytes, instead of computing all 64 pipelined resets', async () => {
    const s = await startServer({ maxBufferedBytes: 256 * 1024 });
    const { p, handle } = await peerWithEnv(s.wsUrl);
    socketOf(p).pause();
    for (let i = 0; i < 64; i++) {
      p.send({
        id: `r${i}`,
        type: 'reset',
        body: { handle, split: 'train', batchSize: 1024, groupSize: 1 },
      });
    }
    // Give the server time to compute whatever it would (all 64 took well under this before).
    await new Promise((r) => setTimeout(r, 1500));
    const issued = s.host.episodeCounts().totals.issued;
    // What kernel socket buffers absorb (a few MiB of ~430 KB responses) plus the one in hand.
    expect(issued).toBeLessThan(40 * 1024);
    // Reading again, the client gets every answer.
    socketOf(p).resume();
    const ids = new Set<string>();
    for (let i = 0; i < 64; i++) ids.add((await p.next()).id);
    expect(ids.size).toBe(64);
    expect(s.host.episodeCounts().totals.issued).toBe(64 * 1024);
  });

  it('counts requests waiting in a connection against maxInFlightTotal', async () => {
    const s = await startServer(
      { maxInFlightTotal: 4, maxBufferedBytes: 1024 },
      { makeDefaults: { judge: slowJudge(200) } },
    );
    const { p, handle } = await peerWithEnv(s.wsUrl);
    const obs = (await p.call('r', 'reset', { handle, split: 'train', batchSize: 4, groupSize: 1 }))
      .body.observations as Obs[];
    obs.forEach((o, i) => {
      p.send({
        id: `s${i}`,
        type: 'step',
        body: { handle, actions: [{ episodeId: o.episodeId, answer: 'x' }] },
      });
    });
    await until(() => s.host.inFlight + s.host.waiting === 4);
    const other = await rawPeer(s.wsUrl);
    const refused = await other.call('h', 'hello', HELLO);
    expect(refused.body).toMatchObject({ code: 'FR_ERR_PROTO_OVERLOADED', retryable: true });
    const replies = [];
    for (let i = 0; i < 4; i++) replies.push(await p.next());
    expect(replies.map((r) => r.type)).toEqual(['step', 'step', 'step', 'step']);
  });
});

describe('fairness between clients', () => {
  it('answers a small request while other clients pipeline big resets, before their work is done', async () => {
    const s = await startServer();
    const big = await Promise.all([0, 1, 2, 3].map(() => peerWithEnv(s.wsUrl)));
    const small = await rawPeer(s.wsUrl);
    await small.call('h', 'hello', HELLO);
    let bigAnswered = 0;
    for (const { p } of big) p.ws.on('message', () => bigAnswered++);
    for (const { p, handle } of big) {
      for (let i = 0; i < 16; i++) {
        p.send({
          id: `r${i}`,
          type: 'reset',
          body: { handle, split: 'train', batchSize: 4096, groupSize: 1 },
        });
      }
    }
    await new Promise((r) => setTimeout(r, 20));
    const stats = await small.call('s', 'stats', {});
    expect(stats.type).toBe('stats');
    expect(bigAnswered).toBeLessThan(64);
    const res = await fetch(`http://127.0.0.1:${s.httpPort}/healthz`);
    expect(res.status).toBe(200);
    expect(bigAnswered).toBeLessThan(64);
    await until(() => bigAnswered === 64, 60_000);
  }, 90_000);
});

describe('keepalive', () => {
  it('keeps a slow but live reader whose pong waits behind queued data, and answers all its requests', async () => {
    const s = await startServer({}, { heartbeatMs: 100 });
    const { p, handle } = await peerWithEnv(s.wsUrl);
    const sock = socketOf(p);
    sock.pause();
    for (let i = 0; i < 24; i++) {
      p.send({
        id: `r${i}`,
        type: 'reset',
        body: { handle, split: 'train', batchSize: 2048, groupSize: 1 },
      });
    }
    // Read a little every 60 ms: slower than the heartbeat could see a pong through the data.
    const ids = new Set<string>();
    const drip = setInterval(() => {
      sock.resume();
      setTimeout(() => sock.pause(), 5);
    }, 60);
    try {
      for (let i = 0; i < 24; i++) ids.add((await p.next()).id);
    } finally {
      clearInterval(drip);
      sock.resume();
    }
    expect(ids.size).toBe(24);
    // Still there a few heartbeats later (pongs flow again once the data is read).
    await new Promise((r) => setTimeout(r, 400));
    expect(p.ws.readyState).toBe(p.ws.OPEN);
  }, 60_000);
});

describe('shutdown', () => {
  it('answers every request it read, with its response or FR_ERR_PROTO_SHUTTING_DOWN, before the close', async () => {
    const s = await startServer(
      { maxBufferedBytes: 1024, maxInFlightPerConnection: 256 },
      { makeDefaults: { judge: slowJudge(100) } },
    );
    const { p, handle } = await peerWithEnv(s.wsUrl);
    const obs = (
      await p.call('r', 'reset', { handle, split: 'train', batchSize: 200, groupSize: 1 })
    ).body.observations as Obs[];
    obs.forEach((o, i) => {
      p.send({
        id: `s${i}`,
        type: 'step',
        body: { handle, actions: [{ episodeId: o.episodeId, answer: 'x' }] },
      });
    });
    await new Promise((r) => setTimeout(r, 150));
    const closing = s.close();
    const replies = new Map<string, string>();
    while (replies.size < 200) {
      const r = await p.next();
      replies.set(r.id, r.type === 'error' ? String(r.body.code) : r.type);
    }
    await closing;
    expect((await p.closed).code).toBe(1001);
    const kinds = [...replies.values()];
    expect(kinds.every((k) => k === 'step' || k === 'FR_ERR_PROTO_SHUTTING_DOWN')).toBe(true);
    expect(kinds).toContain('FR_ERR_PROTO_SHUTTING_DOWN');
    // Steps answered are the steps applied: the env's count says the same.
    const answered = kinds.filter((k) => k === 'step').length;
    expect(s.host.episodeCounts().totals).toMatchObject({
      issued: 200,
      answered,
      closed: 200 - answered,
    });
  });
});

describe('a connection storm', () => {
  it('answers every one of 300 clients connecting at once with a hello or a coded refusal, never a bare reset', async () => {
    const s = await startServer({ maxConnections: 100 });
    const outcomes = await Promise.all(
      Array.from({ length: 300 }, async () => {
        try {
          const p = await rawPeer(s.wsUrl);
          p.send({ id: 'h', type: 'hello', body: HELLO });
          const r = await p.next();
          return r.type === 'hello' ? 'hello' : String(r.body.code);
        } catch (e) {
          return `uncoded: ${(e as Error).message}`;
        }
      }),
    );
    const counts: Record<string, number> = {};
    for (const o of outcomes) counts[o] = (counts[o] ?? 0) + 1;
    expect(counts).toEqual({ hello: 100, FR_ERR_PROTO_TOO_MANY_CONNECTIONS: 200 });
  });
});

describe('coded errors where the wire is broken', () => {
  it('gives FR_ERR_PROTO_FRAME_TOO_LARGE the id of the oversized request', async () => {
    const s = await startServer({ maxFrameBytes: 64 * 1024 });
    const p = await rawPeer(s.wsUrl);
    await p.call('h', 'hello', HELLO);
    const r = await p.call('too-big', 'step', {
      handle: 'x',
      actions: [{ episodeId: 'e', answer: 'y'.repeat(70_000) }],
    });
    expect(r).toMatchObject({ id: 'too-big', body: { code: 'FR_ERR_PROTO_FRAME_TOO_LARGE' } });
    expect((await p.call('after', 'stats', {})).type).toBe('stats');
  });

  it('answers malformed protobuf with FR_ERR_PROTO_BAD_FRAME and keeps the Session stream; unary calls get the code in metadata', async () => {
    const s = await startServer();
    const client = new grpc.Client(s.grpcAddress, grpc.credentials.createInsecure());
    const def = serviceDefinition();
    const session = def.Session!;
    const stream = client.makeBidiStreamRequest(
      session.path,
      (b: Buffer) => b,
      (b: Buffer) => session.responseDeserialize(b) as Record<string, unknown>,
    );
    const inbox: Array<Record<string, unknown>> = [];
    stream.on('data', (m: Record<string, unknown>) => inbox.push(m));
    stream.write(Buffer.from([0xff, 0xff]));
    stream.write(
      session.requestSerialize({
        id: 'h',
        type: 'hello',
        helloRequest: { version: 'factrecall.v1' },
      }),
    );
    await until(() => inbox.length === 2);

    expect(inbox[0]).toMatchObject({
      id: '',
      type: 'error',
      error: { code: 'FR_ERR_PROTO_BAD_FRAME' },
    });
    expect(inbox[1]).toMatchObject({ id: 'h', type: 'hello' });
    stream.end();

    const stats = def.Stats!;
    const err = await new Promise<grpc.ServiceError | null>((resolve) =>
      client.makeUnaryRequest(
        stats.path,
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.from([0xff, 0xff]),
        new grpc.Metadata(),
        (e) => resolve(e),
      ),
    );
    expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err?.metadata.get('x-factrecall-error-code')[0]).toBe('FR_ERR_PROTO_BAD_FRAME');
    client.close();
  });
});
