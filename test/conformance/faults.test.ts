import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { FactRecallClient, ProtocolError } from '../../protocol/client/client.ts';
import { envRegistry } from '../../protocol/env-registry.ts';
import { serve } from '../../protocol/server.ts';
import { parseTokens } from '../../protocol/tokens.ts';
import { closeServersAfterEach, slowJudge, startServer, until } from '../support/servers.ts';
import { rawPeer } from './raw-ws.ts';

const HELLO = { version: 'factrecall.v1', role: 'trainer' };
closeServersAfterEach();
const start = startServer;

describe('bad input on the WebSocket binding', () => {
  it('answers malformed msgpack, text frames, non-map frames, wrong types and requests before hello with coded errors, and keeps serving', async () => {
    const s = await start();
    const p = await rawPeer(s.wsUrl);
    expect((await p.call('a', 'stats', {})).body.code).toBe('FR_ERR_PROTO_HELLO_REQUIRED');
    p.sendBytes(Buffer.from([0xc1, 0xff, 0x00]));
    expect((await p.next()).body.code).toBe('FR_ERR_PROTO_BAD_FRAME');
    p.sendBytes('{"id":"1","type":"hello"}', false);
    expect((await p.next()).body.code).toBe('FR_ERR_PROTO_BAD_FRAME');
    p.send([1, 2, 3]);
    expect((await p.next()).body.code).toBe('FR_ERR_PROTO_BAD_FRAME');
    p.send({ id: 'x', type: 'hello' });
    expect((await p.next()).body.code).toBe('FR_ERR_PROTO_BAD_REQUEST');
    expect((await p.call('v', 'hello', { version: 'factrecall.v0' })).body.code).toBe(
      'FR_ERR_PROTO_VERSION',
    );
    expect((await p.call('h', 'hello', HELLO)).type).toBe('hello');
    expect((await p.call('h2', 'hello', HELLO)).body.code).toBe('FR_ERR_PROTO_BAD_REQUEST');
    const made = await p.call('m', 'make', { envId: 'FactRecall-v0' });
    const handle = made.body.handle as string;
    const wrong = await p.call('w', 'reset', {
      handle,
      split: 'train',
      batchSize: 'x',
      groupSize: 1,
    });
    expect(wrong.body.code).toBe('FR_ERR_PROTO_BAD_REQUEST');
    expect(wrong.body.message).toMatch(/batchSize/);
    const extra = await p.call('e', 'stats', { surprise: 1 });
    expect(extra.body.code).toBe('FR_ERR_PROTO_BAD_REQUEST');
    const big = await p.call('b', 'reset', {
      handle,
      split: 'train',
      batchSize: 5000,
      groupSize: 1,
    });
    expect(big.body.code).toBe('FR_ERR_PROTO_BATCH_SIZE');
    const ok = await p.call('r', 'reset', { handle, split: 'train', batchSize: 1, groupSize: 1 });
    expect(ok.type).toBe('reset');
    p.ws.close();
  });

  it('answers an oversized frame with FR_ERR_PROTO_FRAME_TOO_LARGE, and closes with 1009 beyond twice the limit', async () => {
    const s = await start({ maxFrameBytes: 64 * 1024 });
    const p = await rawPeer(s.wsUrl);
    await p.call('h', 'hello', HELLO);
    p.send({ id: 'big', type: 'stats', body: { pad: 'x'.repeat(100 * 1024) } });
    expect((await p.next()).body.code).toBe('FR_ERR_PROTO_FRAME_TOO_LARGE');
    expect((await p.call('s', 'stats', {})).type).toBe('stats');
    p.send({ id: 'huge', type: 'stats', body: { pad: 'x'.repeat(200 * 1024) } });
    expect((await p.closed).code).toBe(1009);
    const other = await rawPeer(s.wsUrl);
    expect((await other.call('h', 'hello', HELLO)).type).toBe('hello');
    other.ws.close();
  });

  it('refuses a duplicate request id in flight and overload beyond maxInFlightPerConnection with retryAfterMs', async () => {
    const s = await start({ maxInFlightPerConnection: 1, retryAfterMs: 50 });
    const p = await rawPeer(s.wsUrl);
    await p.call('h', 'hello', HELLO);
    p.send({ id: 'm1', type: 'make', body: { envId: 'FactRecall-v0' } });
    p.send({ id: 'm1', type: 'make', body: { envId: 'FactRecall-v0' } });
    p.send({ id: 'm2', type: 'make', body: { envId: 'FactRecall-v0' } });
    const replies = [await p.next(), await p.next(), await p.next()];
    const codes = replies.map((r) => (r.type === 'error' ? r.body.code : r.type)).sort();
    expect(codes).toEqual(['FR_ERR_PROTO_DUPLICATE_ID', 'FR_ERR_PROTO_OVERLOADED', 'make']);
    const overload = replies.find((r) => r.body.code === 'FR_ERR_PROTO_OVERLOADED')!;
    expect(overload.body).toMatchObject({ retryable: true, retryAfterMs: 50 });
    p.ws.close();
  });

  it('refuses connections beyond maxConnections with a retryable error, and the client retries into a freed slot', async () => {
    const s = await start({ maxConnections: 1, retryAfterMs: 30 });
    const first = await FactRecallClient.connect(s.wsUrl, { role: 'policy' });
    const p = await rawPeer(s.wsUrl);
    const refused = await p.next();
    expect(refused).toMatchObject({
      id: '',
      body: { code: 'FR_ERR_PROTO_TOO_MANY_CONNECTIONS', retryable: true },
    });
    expect((await p.closed).code).toBe(1013);
    await expect(
      FactRecallClient.connect(s.wsUrl, { role: 'policy', maxRetries: 0 }),
    ).rejects.toMatchObject({ code: 'FR_ERR_PROTO_TOO_MANY_CONNECTIONS', retryAfterMs: 30 });
    await expect(
      FactRecallClient.connect(`grpc://${s.grpcAddress}`, { role: 'policy', maxRetries: 0 }),
    ).rejects.toMatchObject({ code: 'FR_ERR_PROTO_TOO_MANY_CONNECTIONS', retryAfterMs: 30 });
    // The slot frees while the client is refused and waiting: its retry gets in.
    const second = FactRecallClient.connect(s.wsUrl, { role: 'policy', maxRetries: 20 });
    setTimeout(() => first.close(), 100);
    const connected = await second;
    expect((await connected.stats()).connections).toBe(1);
    connected.close();
  });
});

describe('faults', () => {
  it('closes the envs of a client that vanishes mid-batch: every episode ends answered or closed, and the server serves others', async () => {
    const s = await start({}, { makeDefaults: { judge: slowJudge(150) } });
    const p = await rawPeer(s.wsUrl);
    await p.call('h', 'hello', HELLO);
    const handle = (await p.call('m', 'make', { envId: 'FactRecall-v0' })).body.handle as string;
    const obs = (await p.call('r', 'reset', { handle, split: 'train', batchSize: 4, groupSize: 2 }))
      .body.observations as Array<{ episodeId: string }>;
    p.send({
      id: 's',
      type: 'step',
      body: {
        handle,
        actions: obs.slice(0, 5).map((o) => ({ episodeId: o.episodeId, answer: 'x' })),
      },
    });
    await new Promise((r) => setTimeout(r, 20));
    p.ws.terminate();
    await until(() => s.host.envs.size === 0);
    const c = await FactRecallClient.connect(s.wsUrl, { role: 'policy' });
    const { totals } = await c.stats();
    expect(totals).toMatchObject({ issued: 8, answered: 5, closed: 3, open: 0 });
    c.close();
  });

  it('drops a half-open connection that stops answering pings, closing its envs', async () => {
    const s = await start({}, { heartbeatMs: 100 });
    const p = await rawPeer(s.wsUrl, { autoPong: false });
    await p.call('h', 'hello', HELLO);
    const handle = (await p.call('m', 'make', { envId: 'FactRecall-v0' })).body.handle as string;
    await p.call('r', 'reset', { handle, split: 'train', batchSize: 2, groupSize: 1 });
    await until(() => s.host.connections === 0 && s.host.envs.size === 0);
    expect(s.host.episodeCounts().totals).toMatchObject({ issued: 2, closed: 2, open: 0 });
  });

  it('closes an idle connection with FR_ERR_PROTO_IDLE_TIMEOUT', async () => {
    const s = await start({ idleTimeoutMs: 150 }, { heartbeatMs: 50 });
    const p = await rawPeer(s.wsUrl);
    await p.call('h', 'hello', HELLO);
    expect((await p.next()).body.code).toBe('FR_ERR_PROTO_IDLE_TIMEOUT');
    expect((await p.closed).code).toBe(1001);
  });

  it('drains on shutdown: a step in flight is answered, new requests get FR_ERR_PROTO_SHUTTING_DOWN', async () => {
    const s = await start({}, { makeDefaults: { judge: slowJudge(300) } });
    const c = await FactRecallClient.connect(s.wsUrl, { role: 'trainer', maxRetries: 0 });
    const env = await c.make();
    const { observations } = await env.reset({ split: 'train', batchSize: 2, groupSize: 1 });
    const stepping = env.step(observations.map((o) => ({ episodeId: o.episodeId, answer: 'x' })));
    await new Promise((r) => setTimeout(r, 50));
    const closing = s.close();
    await expect(c.stats()).rejects.toMatchObject({
      code: 'FR_ERR_PROTO_SHUTTING_DOWN',
      retryable: true,
    });
    const result = await stepping;
    expect(result.results).toHaveLength(2);
    await closing;
    expect(s.host.episodeCounts().totals).toMatchObject({ issued: 2, answered: 2, open: 0 });
  });
});

describe('roles and tokens', () => {
  const TOKENS = parseTokens(
    JSON.stringify({
      tokens: [
        { token: 'policy-token-0123456789', role: 'policy', name: 'pat' },
        { token: 'trainer-token-0123456789', role: 'trainer', name: 'tess' },
        { token: 'eval-token-0123456789abc', role: 'eval', name: 'team-eval' },
      ],
    }),
    'test',
  );

  it('refuses a bad token with FR_ERR_PROTO_UNAUTHENTICATED and closes the connection', async () => {
    const s = await start({}, { tokens: TOKENS });
    const p = await rawPeer(s.wsUrl);
    const r = await p.call('h', 'hello', {
      version: 'factrecall.v1',
      token: 'wrong-token-000000000',
    });
    expect(r.body.code).toBe('FR_ERR_PROTO_UNAUTHENTICATED');
    expect((await p.closed).code).toBe(1008);
    await expect(
      FactRecallClient.connect(s.wsUrl, { token: 'policy-token-0123456789', role: 'eval' }),
    ).rejects.toMatchObject({
      code: 'FR_ERR_PROTO_FORBIDDEN',
    });
  });

  it('keeps gold and the test split to their roles; eval sees no per-episode reward and its run is recorded', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fr-eval-'));
    const evalRunsPath = join(dir, 'eval-runs.jsonl');
    const s = await start({}, { tokens: TOKENS, evalRunsPath });
    const policy = await FactRecallClient.connect(s.wsUrl, { token: 'policy-token-0123456789' });
    const penv = await policy.make();
    await expect(
      penv.reset({ split: 'train', batchSize: 1, groupSize: 1, withGold: true }),
    ).rejects.toMatchObject({ code: 'FR_ERR_PROTO_FORBIDDEN' });
    await expect(penv.reset({ split: 'test', batchSize: 1, groupSize: 1 })).rejects.toMatchObject({
      code: 'FR_ERR_PROTO_FORBIDDEN',
    });
    const trainer = await FactRecallClient.connect(`grpc://${s.grpcAddress}`, {
      token: 'trainer-token-0123456789',
    });
    const tenv = await trainer.make();
    const gold = await tenv.reset({ split: 'train', batchSize: 2, groupSize: 1, withGold: true });
    expect(gold.observations.every((o) => (o.gold?.length ?? 0) > 0)).toBe(true);
    await expect(
      tenv.reset({ split: 'val', batchSize: 1, groupSize: 1, withGold: true }),
    ).rejects.toMatchObject({ code: 'FR_ERR_PROTO_FORBIDDEN' });

    const ev = await FactRecallClient.connect(s.wsUrl, { token: 'eval-token-0123456789abc' });
    const eenv = await ev.make();
    await expect(eenv.reset({ split: 'train', batchSize: 1, groupSize: 1 })).rejects.toMatchObject({
      code: 'FR_ERR_PROTO_FORBIDDEN',
    });
    const r = await eenv.reset({ split: 'test', batchSize: 3, groupSize: 1 });
    expect(r.observations.every((o) => o.gold === undefined)).toBe(true);
    const stepped = await eenv.step(
      r.observations.map((o) => ({ episodeId: o.episodeId, answer: 'x' })),
    );
    for (const x of stepped.results)
      expect(x).toMatchObject({ reward: null, verdict: null, status: 'withheld' });
    expect(stepped.groups).toEqual([]);
    expect((await ev.stats()).bySplit.test).toMatchObject({ answered: 3, scored: 0, rewardSum: 0 });
    const summary = await eenv.closeWithSummary();
    // A partial run (3 of the 400 test questions) reveals its counts only (issue 18).
    expect(summary?.counts).toMatchObject({ issued: 3, answered: 3, scored: 0, rewardSum: 0 });
    expect(summary?.runs).toEqual([
      { split: 'test', k: 1, questions: 3, splitSize: 400, complete: false, score: null },
    ]);
    expect(summary?.evalRunId).toMatch(/^run-/);
    const lines = readFileSync(evalRunsPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      runId: summary?.evalRunId,
      status: 'closed',
      complete: false,
      submitter: 'team-eval',
      counts: { issued: 3, rewardSum: 0 },
    });
    // The test split's gold answers appear nowhere in what the eval client received.
    expect(JSON.stringify([r, stepped, summary])).not.toMatch(/"gold"|"answers"/);
    for (const c of [policy, trainer, ev]) c.close();
  });

  it('refuses to bind a non-loopback address without tokens', async () => {
    await expect(
      serve({ registry: envRegistry(), tokens: null, evalRunsPath: '/dev/null', host: '0.0.0.0' }),
    ).rejects.toMatchObject({
      code: 'FR_ERR_PROTO_INSECURE_BIND',
    });
  });
});

describe('the gRPC binding under faults', () => {
  it('ends an oversized message with RESOURCE_EXHAUSTED and serves the next call; unary calls carry coded errors', async () => {
    const s = await start({ maxFrameBytes: 64 * 1024 });
    const c = await FactRecallClient.connect(`grpc://${s.grpcAddress}`, {
      role: 'trainer',
      maxRetries: 0,
    });
    const env = await c.make();
    const { observations } = await env.reset({ split: 'train', batchSize: 1, groupSize: 1 });
    await expect(
      env.step([{ episodeId: observations[0]!.episodeId, answer: 'x'.repeat(70_000) }]),
    ).rejects.toBeInstanceOf(ProtocolError);
    const again = await FactRecallClient.connect(`grpc://${s.grpcAddress}`, { role: 'trainer' });
    expect((await again.stats()).connections).toBeGreaterThanOrEqual(1);
    again.close();
    c.close();

    const { loadPackage, UNARY_METHODS } = await import('../../protocol/proto-codec.ts');
    const v1 = (loadPackage().factrecall as grpc.GrpcObject).v1 as grpc.GrpcObject;
    const Ctor = v1.FactRecall as grpc.ServiceClientConstructor;
    const u = new Ctor(s.grpcAddress, grpc.credentials.createInsecure()) as unknown as Record<
      string,
      (...a: unknown[]) => void
    >;
    const md = new grpc.Metadata();
    md.set('x-factrecall-role', 'trainer');
    const call = (m: string, req: unknown) =>
      new Promise<{ err: grpc.ServiceError | null; res: Record<string, unknown> }>((resolve) =>
        u[m]!(req, md, (err: grpc.ServiceError | null, res: Record<string, unknown>) =>
          resolve({ err, res }),
        ),
      );
    const made = await call(UNARY_METHODS.make, { envId: 'FactRecall-v0' });
    expect(made.err).toBeNull();
    const bad = await call(UNARY_METHODS.step, {
      handle: made.res.handle,
      actions: [{ episodeId: 'nope', answer: 'x' }],
    });
    expect(bad.err?.code).toBe(grpc.status.NOT_FOUND);
    const body = JSON.parse(bad.err!.metadata.get('x-factrecall-error-bin')[0]!.toString());
    expect(body).toMatchObject({
      code: 'FR_ERR_ENV_UNKNOWN_EPISODE',
      retryable: false,
      grpcStatus: 5,
    });
    expect((await call(UNARY_METHODS.close, { handle: made.res.handle })).err).toBeNull();
    grpc.Client.prototype.close.call(u as unknown as grpc.Client);
  });

  it('answers concurrent unary calls of the same verb and token each on their own (no FR_ERR_PROTO_DUPLICATE_ID)', async () => {
    const s = await start({}, { makeDefaults: { judge: slowJudge(100) } });
    const { loadPackage, UNARY_METHODS } = await import('../../protocol/proto-codec.ts');
    const v1 = (loadPackage().factrecall as grpc.GrpcObject).v1 as grpc.GrpcObject;
    const Ctor = v1.FactRecall as grpc.ServiceClientConstructor;
    const u = new Ctor(s.grpcAddress, grpc.credentials.createInsecure()) as unknown as Record<
      string,
      (...a: unknown[]) => void
    >;
    const md = new grpc.Metadata();
    md.set('x-factrecall-role', 'trainer');
    const call = (m: string, req: unknown) =>
      new Promise<Record<string, unknown>>((resolve, reject) =>
        u[m]!(req, md, (err: grpc.ServiceError | null, res: Record<string, unknown>) =>
          err ? reject(new Error(err.details)) : resolve(res),
        ),
      );
    const { handle } = await call(UNARY_METHODS.make, { envId: 'FactRecall-v0' });
    const { observations } = (await call(UNARY_METHODS.reset, {
      handle,
      split: 'train',
      batchSize: 3,
      groupSize: 1,
    })) as { observations: Array<{ episodeId: string }> };
    // The slow judge keeps all three steps in flight at once.
    const steps = await Promise.all(
      observations.map((o) =>
        call(UNARY_METHODS.step, { handle, actions: [{ episodeId: o.episodeId, answer: 'x' }] }),
      ),
    );
    expect(steps.map((r) => (r.results as unknown[]).length)).toEqual([1, 1, 1]);
    await call(UNARY_METHODS.close, { handle });
    expect(s.host.episodeCounts().totals).toMatchObject({ issued: 3, answered: 3, open: 0 });
    grpc.Client.prototype.close.call(u as unknown as grpc.Client);
  });
});
