import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FactRecallClient } from './client/client.ts';
import { envRegistry } from './env-registry.ts';
import { type RunningServer, serve } from './server.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await serve({ registry: envRegistry(), tokens: null, evalRunsPath: '/dev/null' });
});
afterAll(() => server.close());

const bindings = () => [
  ['WebSocket', server.wsUrl],
  ['gRPC', `grpc://${server.grpcAddress}`],
];

describe.each(['WebSocket', 'gRPC'])('reset with questionIds over %s', (name) => {
  const url = () => bindings().find(([n]) => n === name)![1]!;

  it('issues the trainer the questions it names, counted in the server totals like any episode', async () => {
    const client = await FactRecallClient.connect(url(), { role: 'trainer' });
    try {
      const env = await client.make('FactRecall-v0');
      const first = await env.reset({ split: 'train', batchSize: 2, groupSize: 1 });
      const ids = first.observations.map((o) => o.questionId);
      const before = (await client.stats()).totals.issued;
      const chosen = await env.reset({
        split: 'train',
        batchSize: 2,
        groupSize: 3,
        questionIds: [ids[1]!, ids[0]!],
      });
      expect(chosen.observations.map((o) => o.questionId)).toEqual([
        ids[1],
        ids[1],
        ids[1],
        ids[0],
        ids[0],
        ids[0],
      ]);
      expect((await client.stats()).totals.issued).toBe(before + 6);
      const out = await env.step(
        chosen.observations.map((o) => ({ episodeId: o.episodeId, answer: 'no idea' })),
      );
      expect(out.results.every((r) => r.status === 'ok')).toBe(true);
      const summary = await env.closeWithSummary();
      expect(summary?.counts).toMatchObject({ issued: 8, answered: 6, closed: 2 });
    } finally {
      client.close();
    }
  });

  it('refuses questionIds to the policy role, and on the test split to anyone', async () => {
    const policy = await FactRecallClient.connect(url(), { role: 'policy' });
    const evalClient = await FactRecallClient.connect(url(), { role: 'eval' });
    try {
      const env = await policy.make('FactRecall-v0');
      const { observations } = await env.reset({ split: 'train', batchSize: 1, groupSize: 1 });
      await expect(
        env.reset({
          split: 'train',
          batchSize: 1,
          groupSize: 1,
          questionIds: [observations[0]!.questionId],
        }),
      ).rejects.toMatchObject({ code: 'FR_ERR_PROTO_FORBIDDEN' });
      const evalEnv = await evalClient.make('FactRecall-v0');
      await expect(
        evalEnv.reset({ split: 'test', batchSize: 1, groupSize: 1, questionIds: ['x'] }),
      ).rejects.toMatchObject({ code: 'FR_ERR_PROTO_FORBIDDEN' });
    } finally {
      policy.close();
      evalClient.close();
    }
  });

  it('answers an id not in the split with FR_ERR_ENV_UNKNOWN_QUESTION naming it', async () => {
    const client = await FactRecallClient.connect(url(), { role: 'trainer' });
    try {
      const env = await client.make('FactRecall-v0');
      await expect(
        env.reset({ split: 'val', batchSize: 1, groupSize: 1, questionIds: ['no-such-question'] }),
      ).rejects.toMatchObject({
        code: 'FR_ERR_ENV_UNKNOWN_QUESTION',
        details: { questionId: 'no-such-question' },
      });
    } finally {
      client.close();
    }
  });
});
