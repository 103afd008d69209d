/**
 * An env's episodes live only as long as the connection that made them: when it ends (here,
 * the server's idle timeout), a step for them fails on the client with FR_ERR_PROTO_ENV_LOST,
 * saying why, and is not sent on the next connection (where the handle names nothing). The
 * next reset makes a fresh env. A client that holds open envs keeps its connection alive, so
 * a policy slower than the idle timeout loses nothing. Both bindings.
 */
import { describe, expect, it } from 'vitest';
import { closeServersAfterEach, startServer, until } from '../../test/support/servers.ts';
import { FactRecallClient } from './client.ts';

closeServersAfterEach();

/**
 * Long enough that a busy machine does not stall this long between two of a test's quick
 * requests (the connection must end only where the test waits for it); the keep-alive's
 * requests (every third of it) have a second of slack.
 */
const IDLE_MS = 1_500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const binding of ['ws', 'grpc'] as const) {
  describe(`an env whose connection ends (${binding})`, () => {
    const start = async (idleTimeoutMs = IDLE_MS) => {
      const s = await startServer({ idleTimeoutMs }, { heartbeatMs: 50 });
      return { s, url: binding === 'ws' ? s.wsUrl : `grpc://${s.grpcAddress}` };
    };

    it('fails the step with FR_ERR_PROTO_ENV_LOST, naming the idle timeout, sends nothing, and resets on a fresh env', async () => {
      const { s, url } = await start();
      const client = await FactRecallClient.connect(url, { role: 'policy', keepAlive: false });
      try {
        const env = await client.make('FactRecall-v0', { seed: 3 });
        const r = await env.reset({ split: 'train', batchSize: 2, groupSize: 2 });
        expect(env.live).toBe(true);
        await until(() => !env.live, 4 * IDLE_MS);
        expect(client.lostBecause).toContain('FR_ERR_PROTO_IDLE_TIMEOUT');
        const stepsBefore = s.host.requests.get('step') ?? 0;
        const err = await env
          .step(r.observations.map((o) => ({ episodeId: o.episodeId, answer: 'x' })))
          .catch((e: unknown) => e);
        expect(err).toMatchObject({ code: 'FR_ERR_PROTO_ENV_LOST', retryable: false });
        expect((err as Error).message).toContain('FR_ERR_PROTO_IDLE_TIMEOUT');
        expect(s.host.requests.get('step') ?? 0).toBe(stepsBefore);

        // The next reset makes the env again on a new connection and hands out episodes there.
        const again = await env.reset({ split: 'train', batchSize: 2, groupSize: 2 });
        expect(env.live).toBe(true);
        expect(again.observations.map((o) => o.questionId)).toEqual(
          r.observations.map((o) => o.questionId),
        );
        const out = await env.step(
          again.observations.map((o) => ({ episodeId: o.episodeId, answer: 'x' })),
        );
        expect(out.results.map((x) => x.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
      } finally {
        client.close();
      }
    });

    it('keeps a connection with open envs past several idle timeouts, so the slow step is answered', async () => {
      const { s, url } = await start(IDLE_MS);
      const client = await FactRecallClient.connect(url, { role: 'policy' });
      try {
        const env = await client.make('FactRecall-v0', { seed: 3 });
        const r = await env.reset({ split: 'train', batchSize: 2, groupSize: 1 });
        const statsBefore = s.host.requests.get('stats') ?? 0;
        await sleep(2.5 * IDLE_MS);
        expect(env.live).toBe(true);
        expect(client.generation).toBe(1);
        expect(s.host.requests.get('stats') ?? 0).toBeGreaterThan(statsBefore);
        const out = await env.step(
          r.observations.map((o) => ({ episodeId: o.episodeId, answer: 'x' })),
        );
        expect(out.results.map((x) => x.status)).toEqual(['ok', 'ok']);

        // Without open envs the connection is left to the idle timeout.
        await env.close();
        await until(() => client.lostBecause !== undefined, 3 * IDLE_MS);
        expect(client.lostBecause).toContain('FR_ERR_PROTO_IDLE_TIMEOUT');
      } finally {
        client.close();
      }
    });
  });
}
