import { describe, expect, it } from 'vitest';
import { isFactRecallError } from '../lib/errors.ts';
import { capitalsSource } from '../test/support/env-doubles.ts';
import { makeFactRecallV0 } from './factrecall-v0.ts';

const newEnv = () => makeFactRecallV0({ source: capitalsSource(), seed: 0 });

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isFactRecallError(e)) return e.code;
    throw e;
  }
  return 'no error';
}

describe('reset with questionIds (episodes for questions the trainer chose)', () => {
  it('issues one group per id, in the given order, repeats allowed, and leaves the seeded order where it was', async () => {
    const env = newEnv();
    const first = await newEnv().reset({ split: 'train', batchSize: 2, groupSize: 1 });
    const r = await env.reset({
      split: 'train',
      batchSize: 3,
      groupSize: 2,
      questionIds: ['cap:spain', 'cap:france', 'cap:spain'],
    });
    expect(r.observations.map((o) => o.questionId)).toEqual([
      'cap:spain',
      'cap:spain',
      'cap:france',
      'cap:france',
      'cap:spain',
      'cap:spain',
    ]);
    expect(new Set(r.observations.map((o) => o.groupId)).size).toBe(3);
    expect(r.cursor).toBe(0);
    const next = await env.reset({ split: 'train', batchSize: 2, groupSize: 1 });
    expect(next.observations.map((o) => o.questionId)).toEqual(
      first.observations.map((o) => o.questionId),
    );
  });

  it('counts chosen episodes like any other: issued, answered, closed', async () => {
    const env = newEnv();
    const r = await env.reset({
      split: 'val',
      batchSize: 1,
      groupSize: 2,
      questionIds: ['cap:poland'],
    });
    const out = await env.step([{ episodeId: r.observations[0]!.episodeId, answer: 'Warsaw' }]);
    expect(out.results[0]!.reward).toBe(1);
    await env.close();
    const st = env.stats();
    expect(st.perSplit.val).toMatchObject({ issued: 2, answered: 1, closed: 1, rewardSum: 1 });
  });

  it('refuses the whole reset on an id not in the split, or a length other than batchSize, issuing nothing', async () => {
    const env = newEnv();
    expect(
      await codeOf(
        env.reset({
          split: 'train',
          batchSize: 2,
          groupSize: 1,
          questionIds: ['cap:france', 'cap:poland'],
        }),
      ),
    ).toBe('FR_ERR_ENV_UNKNOWN_QUESTION');
    expect(
      await codeOf(
        env.reset({ split: 'train', batchSize: 2, groupSize: 1, questionIds: ['cap:france'] }),
      ),
    ).toBe('FR_ERR_ENV_BAD_RESET');
    expect(env.stats().issued).toBe(0);
  });
});
