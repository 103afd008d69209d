/**
 * Several env servers behind one coordinator: batches sharded across them hand out the same
 * questions as one server's order, and when servers die mid-run (one between a reset and its
 * step, one before a reset) their shards go to a live server; the servers' own episode
 * accounting shows every episode of the run answered exactly once, none dropped, none twice.
 */
import { describe, expect, it } from 'vitest';
import { FactRecallClient } from '../../../protocol/client/client.ts';
import type { RunningServer } from '../../../protocol/server.ts';
import { dropConnection } from '../../../test/support/drop-connection.ts';
import { type KillableProxy, killableProxy } from '../../../test/support/kill-proxy.ts';
import { closeServersAfterEach, startServer } from '../../../test/support/servers.ts';
import { advance, EnvPool, shardSizes } from './env-pool.ts';

closeServersAfterEach();

const B = 6;
const N = 3;
const STEPS = 6;
const SEED = 3;

const connect = (url: string, role: 'policy' | 'trainer' | 'eval') =>
  FactRecallClient.connect(url, { role, deadlineMs: 10_000, maxRetries: 1, backoffMs: 10 });

async function settled(s: RunningServer) {
  // a dropped connection's envs are closed by the server just after the socket goes
  for (let i = 0; i < 100 && s.host.episodeCounts().totals.open > 0; i++)
    await new Promise((r) => setTimeout(r, 20));
  return s.host.episodeCounts().totals;
}

describe('EnvPool', () => {
  it('cuts n items into k contiguous shards and walks positions across epochs', () => {
    expect(shardSizes(7, 3)).toEqual([2, 2, 3]);
    expect(shardSizes(2, 3)).toEqual([0, 1, 1]);
    expect(advance({ epoch: 0, cursor: 8 }, 5, 10)).toEqual({ epoch: 1, cursor: 3 });
    expect(advance({ epoch: 2, cursor: 10 }, 0, 10)).toEqual({ epoch: 3, cursor: 0 });
  });

  it('counts every episode exactly once across servers when two of three die mid-run', async () => {
    const servers = await Promise.all([startServer(), startServer(), startServer()]);
    const proxies: KillableProxy[] = await Promise.all(
      servers.map((s) => killableProxy(s.httpPort)),
    );
    const urls = proxies.map((p) => `ws://127.0.0.1:${p.port}/v1/ws`);
    const pool = new EnvPool(urls, {
      connect,
      envId: 'FactRecall-v0',
      makeOptions: () => ({ seed: SEED }),
    });
    // The order one server hands out, from a fourth server that is not in the pool.
    const reference = await startServer();
    const refClient = await connect(reference.wsUrl, 'policy');
    const refEnv = await refClient.make('FactRecall-v0', { seed: SEED });
    try {
      const size = (await pool.spec('policy')).splits.train!;
      let at = { epoch: 0, cursor: 0 };
      let killedBetween = -1;
      let killedBefore = -1;
      for (let step = 1; step <= STEPS; step++) {
        if (step === 5) {
          killedBefore = killedBetween === 0 ? 1 : 0; // a live one dies before the reset
          await proxies[killedBefore]!.kill();
        }
        const batch = await pool.openBatch(at, B, N, size);
        const want = await refEnv.reset({ split: 'train', batchSize: B, groupSize: N });
        expect(batch.observations.map((o) => `${o.questionId}.${o.index}`)).toEqual(
          want.observations.map((o) => `${o.questionId}.${o.index}`),
        );
        if (step === 3) {
          // dies between its reset and its step: the answers are stepped on another server
          killedBetween = pool.endpoints.indexOf(batch.shards[0]!.endpoint);
          await proxies[killedBetween]!.kill();
        }
        const actions = batch.observations.map((o, i) => ({
          episodeId: o.episodeId,
          answer: i % 2 ? 'no idea' : o.question,
        }));
        const results = await pool.stepBatch(batch, actions, N);
        expect(results.map((r) => r.episodeId).sort()).toEqual(
          actions.map((a) => a.episodeId).sort(),
        );
        at = { epoch: batch.epoch, cursor: batch.cursor };
        expect(at).toEqual({ epoch: want.epoch, cursor: want.cursor });
      }
      const counts = await Promise.all(servers.map(settled));
      const answered = counts.reduce((a, c) => a + c.answered, 0);
      expect(answered).toBe(STEPS * B * N); // none dropped, none twice
      for (const c of counts) {
        expect(c.open).toBe(0);
        expect(c.issued).toBe(c.answered + c.closed + c.expired);
      }
      // the shards that died with the two servers were issued there and never answered
      const lost = counts[killedBetween]!.closed + counts[killedBefore]!.closed;
      expect(lost).toBeGreaterThan(0);
      expect(counts.reduce((a, c) => a + c.issued, 0)).toBe(STEPS * B * N + lost);
      expect(counts[killedBetween]!.closed).toBeGreaterThan(0);
      const failed = pool.endpoints.map((e, i) => [i, e.failures > 0]);
      expect(failed.filter(([, f]) => f).map(([i]) => i)).toEqual(
        [killedBetween, killedBefore].sort(),
      );
    } finally {
      await pool.close();
      refClient.close();
      await Promise.all(proxies.map((p) => p.kill()));
    }
  }, 60_000);

  it('refuses servers that serve different envs', async () => {
    const [a, b] = await Promise.all([startServer(), startServer()]);
    const pool = new EnvPool([a!.wsUrl, b!.wsUrl], {
      connect,
      envId: 'FactRecall-v0',
      makeOptions: () => ({ seed: SEED }),
    });
    // same seed, other prompt template: another fingerprint
    const odd = new EnvPool([a!.wsUrl, `${b!.wsUrl}`], {
      connect,
      envId: 'FactRecall-v0',
      makeOptions: (() => {
        let calls = 0;
        return () => ({ seed: SEED, prompt: calls++ === 0 ? 'direct' : 'cot' });
      })(),
    });
    try {
      await expect(pool.spec('policy')).resolves.toBeDefined();
      await expect(odd.spec('policy')).rejects.toMatchObject({
        code: 'FR_ERR_TRAIN_ENDPOINTS_MISMATCH',
      });
    } finally {
      await pool.close();
      await odd.close();
    }
  });

  it('steps a shard again on its own server when the shard env connection ended (the server closed the env)', async () => {
    const server = await startServer();
    const clients: FactRecallClient[] = [];
    const pool = new EnvPool([server.wsUrl], {
      connect: async (url, role) => {
        const c = await FactRecallClient.connect(url, { role });
        clients.push(c);
        return c;
      },
      envId: 'FactRecall-v0',
      makeOptions: () => ({ seed: SEED }),
    });
    try {
      const size = (await pool.spec('policy')).splits.train!;
      const batch = await pool.openBatch({ epoch: 0, cursor: 0 }, B, N, size);
      for (const c of clients) await dropConnection(c);
      const actions = batch.observations.map((o) => ({ episodeId: o.episodeId, answer: 'x' }));
      const results = await pool.stepBatch(batch, actions, N);
      expect(results.map((r) => r.episodeId)).toEqual(actions.map((a) => a.episodeId));
      expect(results.every((r) => r.status === 'ok')).toBe(true);
      expect(pool.endpoints[0]!.failures).toBe(0);
      const totals = await settled(server);
      expect(totals.answered).toBe(B * N);
    } finally {
      await pool.close();
    }
  });
});
