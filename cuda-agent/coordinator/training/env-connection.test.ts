/**
 * The loopback server a run starts for itself: an evaluation on the first n test questions
 * pins them as the eval subset, so the eval run is complete and the server reveals its score
 * (a partial run over a hidden split reports counts only: protocol/hidden-runs.ts). Its idle
 * timeout is a day, not a shared server's 10 minutes.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateWorld, worldSplitSource } from '../../../env/datasets/factworld/index.ts';
import { DEFAULT_LIMITS } from '../../../protocol/limits.ts';
import { testOrganism } from '../../../test/support/test-organism.ts';
import { parseTrainConfig } from './config.ts';
import { connectEnv, LOOPBACK_IDLE_TIMEOUT_MS, startLoopbackServer } from './env-connection.ts';
import { greedyEval } from './evaluate.ts';
import type { Generate } from './rollout.ts';

const source = worldSplitSource(generateWorld(testOrganism().world));

/** A policy that answers every question with the same name (some are right by chance). */
const constant =
  (text: string): Generate =>
  async (p) => ({
    results: p.prompts.map(() => ({
      prompt_ids: [],
      samples: [{ token_ids: [], logprobs: [], text, finish_reason: 'stop' as const }],
    })),
  });

describe('the loopback env of a run', () => {
  it('scores greedy test evaluations on the first n questions (complete runs), as often as the run asks', async () => {
    const cfg = parseTrainConfig({ eval: { maxQuestions: 7, splits: ['val'] } });
    const conn = await connectEnv(cfg, {
      source,
      runDir: await mkdtemp(join(tmpdir(), 'fr-env-conn-')),
    });
    try {
      const ev = await greedyEval(conn, constant('nobody at all'), 'test', {
        maxQuestions: 7,
        maxNewTokens: 4,
      });
      expect(ev.questions).toBe(7);
      expect(ev.accuracy).toBe(0);
      // More complete eval runs than a shared server's default quota (10 a day).
      for (let i = 0; i < 11; i++) {
        const again = await greedyEval(conn, constant('nobody at all'), 'test', {
          maxQuestions: 7,
          maxNewTokens: 4,
        });
        expect(again.accuracy).toBe(0);
      }
      const env = await conn.make('eval');
      expect(env.spec().splits.test).toBe(7);
      await env.close();
    } finally {
      await conn.close();
    }
  });

  it("does not close its own quiet connections after a shared server's 10 minutes", async () => {
    // a SmolLM2 evaluation after SFT lost its episodes this way: 200 greedy answers on a
    // starved core took longer than the default idle timeout between reset and step
    const server = await startLoopbackServer(source, await mkdtemp(join(tmpdir(), 'fr-env-idle-')));
    try {
      expect(server.host.limits.idleTimeoutMs).toBe(LOOPBACK_IDLE_TIMEOUT_MS);
      expect(LOOPBACK_IDLE_TIMEOUT_MS).toBeGreaterThanOrEqual(100 * DEFAULT_LIMITS.idleTimeoutMs);
    } finally {
      await server.close();
    }
  });
});
