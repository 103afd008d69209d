import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { envRegistry } from '../env-registry.ts';
import { type RunningServer, serve } from '../server.ts';

// biome-ignore lint/suspicious/noExplicitAny: replies are JSON; the assertions check their shape.
type Reply = any;

/** A client speaking OpenEnv's documented messages: one JSON text frame per message. */
class OpenEnvClient {
  private readonly queue: unknown[] = [];
  private readonly waiting: Array<(v: unknown) => void> = [];
  closeCode: number | null = null;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const v = JSON.parse(String(d));
      const w = this.waiting.shift();
      if (w) w(v);
      else this.queue.push(v);
    });
    ws.on('close', (code) => {
      this.closeCode = code;
    });
  }
  static open(url: string): Promise<OpenEnvClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const c = new OpenEnvClient(ws);
      ws.once('open', () => resolve(c));
      ws.once('error', reject);
    });
  }
  next(): Promise<Reply> {
    const v = this.queue.shift();
    if (v !== undefined) return Promise.resolve(v);
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  send(type: string, data?: unknown): Promise<Reply> {
    this.ws.send(JSON.stringify(data === undefined ? { type } : { type, data }));
    return this.next();
  }
  raw(text: string): Promise<Reply> {
    this.ws.send(text);
    return this.next();
  }
  closed(): Promise<number> {
    if (this.closeCode !== null) return Promise.resolve(this.closeCode);
    return new Promise((resolve) => this.ws.once('close', (code) => resolve(code)));
  }
}

let server: RunningServer;
let base: string;
let evalRuns: string;
beforeAll(async () => {
  evalRuns = join(await mkdtemp(join(tmpdir(), 'fr-openenv-')), 'eval-runs.jsonl');
  server = await serve({ registry: envRegistry(), tokens: null, evalRunsPath: evalRuns });
  base = `127.0.0.1:${server.httpPort}`;
});
afterAll(() => server.close());

describe('the OpenEnv endpoint (/ws, /health, /schema)', () => {
  it('answers /health and /schema as OpenEnv servers do', async () => {
    expect(await (await fetch(`http://${base}/health`)).json()).toEqual({ status: 'healthy' });
    const schema = (await (await fetch(`http://${base}/schema`)).json()) as Reply;
    expect(Object.keys(schema)).toEqual(expect.arrayContaining(['action', 'observation', 'state']));
    expect(schema.action.properties.answer.type).toBe('string');
  });

  it('runs episodes: reset gives the question, step the reward and done, state no gold; counted like any episode', async () => {
    const c = await OpenEnvClient.open(`ws://${base}/ws`);
    const r = await c.send('reset', { seed: 3 });
    expect(r.type).toBe('observation');
    expect(r.data).toMatchObject({ reward: null, done: false });
    const obs = r.data.observation;
    expect(obs.messages.at(-1)).toMatchObject({ role: 'user', content: obs.question });
    expect(JSON.stringify(r)).not.toMatch(/"gold"|"answers"/);
    const s = await c.send('step', { answer: 'nobody knows' });
    expect(s.type).toBe('observation');
    expect(s.data.done).toBe(true);
    expect([0, 1]).toContain(s.data.reward);
    expect(s.data.observation).toMatchObject({ episode_id: obs.episode_id, status: 'ok' });
    // A second reset before answering: the first of them ends closed, never dropped.
    await c.send('reset', { seed: 3 });
    await c.send('reset', { seed: 3 });
    const st = await c.send('state');
    expect(st.type).toBe('state');
    expect(st.data).toMatchObject({ step_count: 0, role: 'policy', env_id: 'FactRecall-v0' });
    expect(JSON.stringify(st)).not.toMatch(/"gold"|"answers"/);
    const before = server.host.episodeCounts().totals;
    c.ws.send(JSON.stringify({ type: 'close' }));
    expect(await c.closed()).toBe(1000);
    await expect
      .poll(() => server.host.episodeCounts().totals.closed, { timeout: 5000 })
      .toBe(before.closed + 1);
    const after = server.host.episodeCounts().totals;
    expect(after.open).toBe(before.open - 1);
    expect(after.closed).toBe(before.closed + 1);
    expect(server.host.requests.get('reset')).toBeGreaterThanOrEqual(3);
  });

  it('gives OpenEnv error messages carrying the FR_ERR code, and keeps the connection', async () => {
    const c = await OpenEnvClient.open(`ws://${base}/ws`);
    expect((await c.raw('{not json')).data).toMatchObject({
      code: 'INVALID_JSON',
      error: { code: 'FR_ERR_PROTO_BAD_FRAME' },
    });
    expect((await c.send('dance')).data).toMatchObject({ code: 'UNKNOWN_TYPE' });
    expect((await c.send('step', { answer: 'x' })).data.message).toMatch(/step before reset/);
    expect((await c.send('reset', { sede: 1 })).data).toMatchObject({
      code: 'VALIDATION_ERROR',
      error: { code: 'FR_ERR_PROTO_BAD_REQUEST' },
    });
    // question_id is the trainer's; this connection is a policy.
    expect((await c.send('reset', { question_id: 'x' })).data).toMatchObject({
      code: 'EXECUTION_ERROR',
      error: { code: 'FR_ERR_PROTO_FORBIDDEN' },
    });
    expect((await c.send('reset')).type).toBe('observation');
    c.ws.close();
  });

  it('gives the eval role the test split with the reward withheld, and the trainer chosen questions', async () => {
    const ev = await OpenEnvClient.open(`ws://${base}/ws`);
    const r = await ev.send('reset', { role: 'eval' });
    expect(r.data.observation.split).toBe('test');
    const s = await ev.send('step', { answer: 'x' });
    expect(s.data).toMatchObject({
      reward: null,
      done: true,
      observation: { status: 'withheld', verdict: null },
    });
    ev.ws.close();
    await ev.closed();
    // The eval run is recorded for the leaderboard, as on the other bindings (once the
    // server has seen the close and closed the session's env).
    const recorded = async () => readFile(evalRuns, 'utf8').catch(() => '');
    for (let i = 0; i < 100 && !(await recorded()).includes('"submitter":"openenv"'); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await recorded()).toMatch(/"submitter":"openenv"/);

    const tr = await OpenEnvClient.open(`ws://${base}/ws`);
    const first = await tr.send('reset', { role: 'trainer' });
    const qid = first.data.observation.question_id;
    const again = await tr.send('reset', { question_id: qid });
    expect(again.data.observation.question_id).toBe(qid);
    tr.ws.close();
  });
});

describe('the OpenEnv endpoint under the server limits', () => {
  it('refuses a bad token and closes (1008); refuses connections beyond maxConnections (CAPACITY_REACHED); reaps idle ones', async () => {
    const guarded = await serve({
      registry: envRegistry(),
      tokens: [{ token: 'a-long-enough-token-1', role: 'trainer', name: 't' }],
      evalRunsPath: '/dev/null',
      limits: { maxConnections: 1, idleTimeoutMs: 300 },
      heartbeatMs: 100,
    });
    try {
      const url = `ws://127.0.0.1:${guarded.httpPort}/ws`;
      const bad = await OpenEnvClient.open(url);
      expect((await bad.send('reset', { token: 'wrong-token-wrong-token' })).data).toMatchObject({
        code: 'SESSION_ERROR',
        error: { code: 'FR_ERR_PROTO_UNAUTHENTICATED' },
      });
      expect(await bad.closed()).toBe(1008);
      await expect.poll(() => guarded.host.connections, { timeout: 5000 }).toBe(0);

      const ok = await OpenEnvClient.open(url);
      expect(
        (await ok.send('reset', { token: 'a-long-enough-token-1' })).data.observation,
      ).toBeDefined();
      const extra = await OpenEnvClient.open(url);
      expect((await extra.next()).data).toMatchObject({ code: 'CAPACITY_REACHED' });
      expect(await extra.closed()).toBe(1013);
      // Idle: the server says why, closes, and the open episode ends closed.
      expect((await ok.next()).data.error.code).toBe('FR_ERR_PROTO_IDLE_TIMEOUT');
      expect(await ok.closed()).toBe(1001);
      await expect
        .poll(() => guarded.host.episodeCounts().totals, { timeout: 5000 })
        .toMatchObject({ issued: 1, closed: 1, open: 0 });
    } finally {
      await guarded.close();
    }
  });
});
