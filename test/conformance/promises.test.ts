/**
 * What docs/protocol.md promises, tried as a new client author would, over both bindings
 * (issue 9 section 2): option errors, envelope ids, and who owns a role and an env.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FactRecallClient } from '../../protocol/client/client.ts';
import { envRegistry } from '../../protocol/env-registry.ts';
import { type RunningServer, type ServeOptions, serve } from '../../protocol/server.ts';
import { parseTokens } from '../../protocol/tokens.ts';
import { type Binding, envelopePeer, unaryCaller } from './raw-wire.ts';

const HELLO = { version: 'factrecall.v1', role: 'trainer' };
let running: RunningServer[] = [];
const cleanups: Array<() => void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  await Promise.all(running.map((s) => s.close()));
  running = [];
});

async function start(extra: Partial<ServeOptions> = {}) {
  const s = await serve({
    registry: envRegistry(),
    tokens: null,
    evalRunsPath: '/dev/null',
    ...extra,
  });
  running.push(s);
  return s;
}

const urlOf = (s: RunningServer, b: Binding) => (b === 'ws' ? s.wsUrl : `grpc://${s.grpcAddress}`);

async function client(s: RunningServer, b: Binding) {
  const c = await FactRecallClient.connect(urlOf(s, b), { role: 'trainer', maxRetries: 0 });
  cleanups.push(() => c.close());
  return c;
}

const makeError = (c: FactRecallClient, options: Record<string, unknown>) =>
  c.make('FactRecall-v0', options).then(
    () => ({ code: 'made', message: '' }),
    (e: { code: string; message: string }) => ({ code: e.code, message: e.message }),
  );

describe.each<Binding>(['ws', 'grpc'])('make options over %s', (binding) => {
  it('answers a bad value for a client-settable key with FR_ERR_ENV_BAD_OPTIONS, and a server-owned key or judge with FR_ERR_PROTO_FORBIDDEN', async () => {
    const c = await client(await start(), binding);
    expect(await makeError(c, { judge: 'no-such-judge' })).toMatchObject({
      code: 'FR_ERR_ENV_BAD_OPTIONS',
    });
    expect((await makeError(c, { judge: 'no-such-judge' })).message).toMatch(/judge/);
    expect(await makeError(c, { judge: 42 })).toMatchObject({ code: 'FR_ERR_ENV_BAD_OPTIONS' });
    expect(await makeError(c, { seed: -1 })).toMatchObject({ code: 'FR_ERR_ENV_BAD_OPTIONS' });
    expect(await makeError(c, { prompt: 'poem' })).toMatchObject({
      code: 'FR_ERR_ENV_BAD_OPTIONS',
    });
    // Real judges the server does not offer to clients, and judge configuration, are the server's.
    expect(await makeError(c, { judge: 'llm' })).toMatchObject({ code: 'FR_ERR_PROTO_FORBIDDEN' });
    expect(await makeError(c, { judge: { kind: 'exact' } })).toMatchObject({
      code: 'FR_ERR_PROTO_FORBIDDEN',
    });
    expect(await makeError(c, { maxAnswerChars: 5 })).toMatchObject({
      code: 'FR_ERR_PROTO_FORBIDDEN',
    });
    expect(await makeError(c, { judge: 'contains', seed: 3 })).toMatchObject({ code: 'made' });
  });

  it('names the nested level of an unknown key and lists that level’s keys, not the server’s options', async () => {
    const c = await client(await start(), binding);
    const e = await makeError(c, { start: { train: { epoch: 0, cursor: 0, shift: 1 } } });
    expect(e.code).toBe('FR_ERR_ENV_BAD_OPTIONS');
    expect(e.message).toMatch(/start\.train: unknown key 'shift'; known keys: epoch, cursor/);
    expect(e.message).not.toMatch(/maxAnswerChars|clock|source/);
    const split = await makeError(c, { start: { dev: { epoch: 0, cursor: 0 } } });
    expect(split.code).toBe('FR_ERR_ENV_BAD_OPTIONS');
    expect(split.message).toMatch(/start/);
    expect(split.message).not.toMatch(/maxAnswerChars|clock/);
  });
});

describe.each<Binding>(['ws', 'grpc'])('envelope ids over %s', (binding) => {
  it('refuses an empty id (reserved for the server) and an id over 64 characters, then keeps serving', async () => {
    const s = await start();
    const p = await envelopePeer(urlOf(s, binding));
    cleanups.push(() => p.close());
    for (const id of ['', 'x'.repeat(65)]) {
      p.send(id, 'hello', HELLO);
      const r = await p.next();
      expect(r).toMatchObject({
        id: '',
        type: 'error',
        body: { code: 'FR_ERR_PROTO_BAD_REQUEST' },
      });
      expect(String(r.body.message)).toMatch(/id/);
    }
    p.send('x'.repeat(64), 'hello', HELLO);
    expect(await p.next()).toMatchObject({ id: 'x'.repeat(64), type: 'hello' });
  });
});

describe('who owns a role and an env', () => {
  it('keeps a connection’s role and handles its own on WebSocket and the gRPC stream', async () => {
    const s = await start();
    for (const binding of ['ws', 'grpc'] as const) {
      const policy = await FactRecallClient.connect(urlOf(s, binding), { role: 'policy' });
      const other = await FactRecallClient.connect(urlOf(s, binding), { role: 'trainer' });
      cleanups.push(
        () => policy.close(),
        () => other.close(),
      );
      const env = await policy.make();
      await expect(
        other.request('reset', {
          handle: env.currentHandle!,
          split: 'train',
          batchSize: 1,
          groupSize: 1,
        }),
      ).rejects.toMatchObject({ code: 'FR_ERR_PROTO_UNKNOWN_HANDLE' });
      await expect(
        env.reset({ split: 'train', batchSize: 1, groupSize: 1, withGold: true }),
      ).rejects.toMatchObject({ code: 'FR_ERR_PROTO_FORBIDDEN' });
    }
  });

  it('on a server without tokens, a unary Hello changes no one’s role and unary envs belong to their channel', async () => {
    const s = await start();
    const a = unaryCaller(s.grpcAddress, { 'x-factrecall-role': 'policy' });
    const b = unaryCaller(s.grpcAddress, { 'x-factrecall-role': 'policy' });
    cleanups.push(a.close, b.close);
    const made = await a.call('make', { envId: 'FactRecall-v0' });
    const handle = made.body!.handle as string;
    // B asks for trainer in a unary Hello: refused, since unary calls take their role from
    // metadata, and in any case A (same metadata, another channel) stays policy.
    expect((await b.call('hello', HELLO)).error?.code).toBe('FR_ERR_PROTO_FORBIDDEN');
    expect((await a.call('hello', { version: 'factrecall.v1' })).body?.role).toBe('policy');
    const gold = await a.call('reset', {
      handle,
      split: 'train',
      batchSize: 1,
      groupSize: 1,
      withGold: true,
    });
    expect(gold.error?.code).toBe('FR_ERR_PROTO_FORBIDDEN');
    for (const verb of ['reset', 'close'] as const) {
      const r = await b.call(verb, { handle, split: 'train', batchSize: 1, groupSize: 1 });
      expect(r.error?.code).toBe('FR_ERR_PROTO_UNKNOWN_HANDLE');
    }
    const own = await a.call('reset', { handle, split: 'train', batchSize: 1, groupSize: 1 });
    expect(own.error).toBeUndefined();
  });

  it('on a server with tokens, unary envs belong to their token, whatever the channel', async () => {
    const tokens = parseTokens(
      JSON.stringify({
        tokens: [
          { token: 'token-of-team-a-0001', role: 'policy', name: 'a' },
          { token: 'token-of-team-b-0002', role: 'trainer', name: 'b' },
        ],
      }),
      'test',
    );
    const s = await start({ tokens });
    const a = unaryCaller(s.grpcAddress, { 'x-factrecall-token': 'token-of-team-a-0001' });
    const a2 = unaryCaller(s.grpcAddress, { 'x-factrecall-token': 'token-of-team-a-0001' });
    const b = unaryCaller(s.grpcAddress, { 'x-factrecall-token': 'token-of-team-b-0002' });
    cleanups.push(a.close, a2.close, b.close);
    const handle = (await a.call('make', { envId: 'FactRecall-v0' })).body!.handle as string;
    expect((await a.call('hello', HELLO)).error?.code).toBe('FR_ERR_PROTO_FORBIDDEN');
    const reset = { handle, split: 'train', batchSize: 1, groupSize: 1 };
    expect((await b.call('reset', reset)).error?.code).toBe('FR_ERR_PROTO_UNKNOWN_HANDLE');
    expect((await a2.call('reset', reset)).error).toBeUndefined();
  });
});
