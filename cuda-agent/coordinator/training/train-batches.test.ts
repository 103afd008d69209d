/**
 * Training batches from one env server survive the end of the env's connection (dropped
 * here from under the client, as a network failure would): dropped between a batch's reset and
 * its step, the same questions come again from a fresh env at the batch's position and the
 * answers already generated are stepped there, under the first episode ids; dropped between
 * two batches, the next batch goes on from where the order stood instead of starting over.
 * The server's books show every episode of the run answered exactly once.
 */
import { describe, expect, it } from 'vitest';
import { FactRecallClient } from '../../../protocol/client/client.ts';
import { dropConnection } from '../../../test/support/drop-connection.ts';
import { closeServersAfterEach, startServer, until } from '../../../test/support/servers.ts';
import type { CoordinatorState } from './checkpoint.ts';
import type { EnvConnections } from './env-connection.ts';
import { openTrainBatches } from './train-batches.ts';

closeServersAfterEach();

const B = 4;
const N = 2;
const SEED = 5;

describe('training batches from one server', () => {
  it('lose no episode and keep the order when the env connection ends mid-batch or between batches', async () => {
    const server = await startServer();
    const policy = await FactRecallClient.connect(server.wsUrl, { role: 'policy' });
    const conn: EnvConnections = {
      url: server.wsUrl,
      make: (_role, extra) => policy.make('FactRecall-v0', { seed: SEED, ...extra }),
      close: async () => policy.close(),
    };
    // The same order with gold answers.
    const trainer = await FactRecallClient.connect(server.wsUrl, { role: 'trainer' });
    const reference = await trainer.make('FactRecall-v0', { seed: SEED });
    const dropped = () => dropConnection(policy);
    try {
      const batches = await openTrainBatches(conn, {
        data: { epoch: 0, cursor: 0 },
      } as CoordinatorState);
      let at = { epoch: 0, cursor: 0 };
      let answeredRight = 0;
      for (let step = 1; step <= 4; step++) {
        if (step === 3) await dropped(); // between two batches
        const batch = await batches.next(at, B, N);
        const want = await reference.reset({
          split: 'train',
          batchSize: B,
          groupSize: N,
          withGold: true,
        });
        expect(batch.observations.map((o) => `${o.questionId}.${o.index}`)).toEqual(
          want.observations.map((o) => `${o.questionId}.${o.index}`),
        );
        if (step === 2) await dropped(); // between the reset and its step
        const actions = batch.observations.map((o, i) => ({
          episodeId: o.episodeId,
          answer: i % 2 ? 'no idea' : want.observations[i]!.gold![0]!,
        }));
        const results = await batch.step(actions);
        expect(results.map((r) => r.episodeId)).toEqual(actions.map((a) => a.episodeId));
        expect(results.map((r) => r.reward)).toEqual(actions.map((_, i) => (i % 2 ? 0 : 1)));
        answeredRight += B * N;
        at = { epoch: batch.epoch, cursor: batch.cursor };
        expect(at).toEqual({ epoch: want.epoch, cursor: want.cursor });
      }
      await batches.close();
      await reference.close();
      await until(() => server.host.episodeCounts().totals.open === 0);
      const totals = server.host.episodeCounts().totals;
      // The policy's 4 batches each answered once (the reference's are read, never answered:
      // closed); the batch whose connection ended mid-batch was issued twice, its first
      // issue closed unanswered.
      expect(totals.answered).toBe(answeredRight);
      expect(totals.closed).toBe(answeredRight + B * N);
      expect(policy.generation).toBe(3);
    } finally {
      policy.close();
      trainer.close();
    }
  }, 30_000);
});
