import { describe, expect, it } from 'vitest';
import { ExactJudge } from '../judges/index.ts';
import {
  AlwaysFailingJudge,
  capitalsSource,
  manualClock,
  RecordingJudge,
  ThrowingJudge,
} from '../test/support/env-doubles.ts';
import { makeFactRecallV0 } from './factrecall-v0.ts';
import { epochOrder } from './order.ts';
import type { Action, Observation } from './types.ts';

const CAPITAL: Record<string, string> = {
  'cap:france': 'Paris',
  'cap:italy': 'Rome',
  'cap:spain': 'Madrid',
  'cap:portugal': 'Lisbon',
  'cap:germany': 'Berlin',
  'cap:austria': 'Vienna',
  'cap:poland': 'Warsaw',
  'cap:norway': 'Oslo',
  'cap:sweden': 'Stockholm',
  'cap:finland': 'Helsinki',
  'cap:greece': 'Athens',
  'cap:ireland': 'Dublin',
};

function newEnv(options: Record<string, unknown> = {}) {
  return makeFactRecallV0({ source: capitalsSource(), ...options });
}

const right = (o: Observation): Action => ({
  episodeId: o.episodeId,
  answer: CAPITAL[o.questionId]!,
});
const wrong = (o: Observation): Action => ({ episodeId: o.episodeId, answer: 'Atlantis' });

describe('question order', () => {
  it('is pinned for a fixed seed: the first batches of the capitals train split, epoch rollover included', async () => {
    const env = newEnv({ seed: 0 });
    const batches: string[][] = [];
    for (let i = 0; i < 3; i++) {
      const r = await env.reset({ split: 'train', batchSize: 4, groupSize: 1 });
      batches.push(r.observations.map((o) => o.questionId));
    }
    expect(batches).toEqual([
      ['cap:portugal', 'cap:germany', 'cap:austria', 'cap:spain'],
      ['cap:france', 'cap:italy', 'cap:france', 'cap:spain'],
      ['cap:italy', 'cap:portugal', 'cap:germany', 'cap:austria'],
    ]);
  });

  it('is a pure function of (seed, split, epoch): a fresh env repeats it, another seed changes it', async () => {
    const take = async (seed: number) => {
      const env = newEnv({ seed });
      const r = await env.reset({ split: 'train', batchSize: 12, groupSize: 1 });
      return r.observations.map((o) => o.questionId);
    };
    expect(await take(3)).toEqual(await take(3));
    expect(await take(3)).not.toEqual(await take(4));
    expect(epochOrder(3, 'train', 1, 6)).toEqual(epochOrder(3, 'train', 1, 6));
    expect(epochOrder(3, 'train', 1, 6)).not.toEqual(epochOrder(3, 'train', 2, 6));
  });

  it('visits every question exactly once per epoch and reports epoch and cursor', async () => {
    const env = newEnv({ seed: 11 });
    const first = await env.reset({ split: 'train', batchSize: 6, groupSize: 1 });
    expect(new Set(first.observations.map((o) => o.questionId)).size).toBe(6);
    expect(first).toMatchObject({ epoch: 0, cursor: 6, splitSize: 6 });
    const next = await env.reset({ split: 'train', batchSize: 2, groupSize: 1 });
    expect(next).toMatchObject({ epoch: 1, cursor: 2 });
  });

  it('does not depend on the order in which the source lists its records', async () => {
    const shuffled = capitalsSource();
    shuffled.splits.train = [...shuffled.splits.train!].reverse();
    const a = await newEnv().reset({ split: 'train', batchSize: 6, groupSize: 1 });
    const b = await makeFactRecallV0({ source: shuffled }).reset({
      split: 'train',
      batchSize: 6,
      groupSize: 1,
    });
    expect(b.observations.map((o) => o.questionId)).toEqual(
      a.observations.map((o) => o.questionId),
    );
  });
});

describe('reset', () => {
  it('replicates each question into a group of n episodes with its own groupId and indices 0..n-1', async () => {
    const env = newEnv();
    const { observations } = await env.reset({ split: 'val', batchSize: 3, groupSize: 4 });
    expect(observations).toHaveLength(12);
    expect(new Set(observations.map((o) => o.episodeId)).size).toBe(12);
    const groups = new Map<string, Observation[]>();
    for (const o of observations) groups.set(o.groupId, [...(groups.get(o.groupId) ?? []), o]);
    expect(groups.size).toBe(3);
    for (const members of groups.values()) {
      expect(members.map((o) => o.index)).toEqual([0, 1, 2, 3]);
      expect(new Set(members.map((o) => o.questionId)).size).toBe(1);
    }
    const o = observations[0]!;
    expect(o.split).toBe('val');
    expect(o.dataset).toBe('factworld');
    expect(o.prompt).toBe('direct');
    expect(o.messages.at(-1)).toEqual({ role: 'user', content: o.question });
  });

  it('keeps groups apart when the same question is handed out twice', async () => {
    const env = newEnv();
    const a = await env.reset({ split: 'test', batchSize: 3, groupSize: 2 });
    const b = await env.reset({ split: 'test', batchSize: 3, groupSize: 2 });
    const groupsA = new Set(a.observations.map((o) => o.groupId));
    for (const o of b.observations) expect(groupsA.has(o.groupId)).toBe(false);
  });

  it('refuses bad sizes, unknown splits, missing splits and oversized batches with coded errors', async () => {
    const env = newEnv({ maxResetEpisodes: 10 });
    await expect(env.reset({ split: 'train', batchSize: 0, groupSize: 1 })).rejects.toMatchObject({
      code: 'FR_ERR_ENV_BAD_RESET',
    });
    await expect(
      env.reset({ split: 'dev' as 'val', batchSize: 1, groupSize: 1 }),
    ).rejects.toMatchObject({ code: 'FR_ERR_ENV_BAD_RESET' });
    await expect(env.reset({ split: 'train', batchSize: 4, groupSize: 3 })).rejects.toMatchObject({
      code: 'FR_ERR_ENV_BAD_RESET',
    });
    const source = capitalsSource();
    delete source.splits.val;
    await expect(
      makeFactRecallV0({ source }).reset({ split: 'val', batchSize: 1, groupSize: 1 }),
    ).rejects.toMatchObject({ code: 'FR_ERR_ENV_EMPTY_SPLIT' });
  });
});

describe('step', () => {
  it('rewards a right answer 1, a wrong one 0, a blank one 0 as not attempted, and reports its groups', async () => {
    const env = newEnv();
    const { observations: obs } = await env.reset({ split: 'train', batchSize: 2, groupSize: 3 });
    const [a0, a1, a2, b0] = [obs[0]!, obs[1]!, obs[2]!, obs[3]!];
    const { results, groups } = await env.step([
      right(a0),
      wrong(a1),
      { episodeId: a2.episodeId, answer: '   ' },
      { episodeId: b0.episodeId, answer: `Answer: ${CAPITAL[b0.questionId]}.` },
    ]);
    expect(results.map((r) => [r.reward, r.verdict, r.status])).toEqual([
      [1, 'correct', 'ok'],
      [0, 'incorrect', 'ok'],
      [0, 'not_attempted', 'ok'],
      [1, 'correct', 'ok'],
    ]);
    expect(results[3]!.info.extracted).toBe(CAPITAL[b0.questionId]);
    expect(results.every((r) => r.terminated && !r.truncated)).toBe(true);
    expect(results[0]).toMatchObject({ groupId: a0.groupId, index: 0 });
    expect(results[0]!.info).toMatchObject({ questionId: a0.questionId, judgeId: 'exact' });
    expect(groups).toEqual([
      {
        groupId: a0.groupId,
        questionId: a0.questionId,
        size: 3,
        answered: 3,
        scored: 3,
        meanReward: 1 / 3,
        complete: true,
      },
      {
        groupId: b0.groupId,
        questionId: b0.questionId,
        size: 3,
        answered: 1,
        scored: 1,
        meanReward: 1,
        complete: false,
      },
    ]);
  });

  it('refuses a second step on an answered episode, and the first reward stands', async () => {
    const env = newEnv();
    const { observations } = await env.reset({ split: 'train', batchSize: 1, groupSize: 1 });
    const o = observations[0]!;
    await env.step([right(o)]);
    await expect(env.step([wrong(o)])).rejects.toMatchObject({ code: 'FR_ERR_ENV_EPISODE_DONE' });
    expect(env.stats()).toMatchObject({ answered: 1, rewardSum: 1, scored: 1 });
  });

  it('refuses a step racing another step on the same episode', async () => {
    const env = newEnv();
    const { observations } = await env.reset({ split: 'train', batchSize: 1, groupSize: 1 });
    const o = observations[0]!;
    const first = env.step([right(o)]);
    await expect(env.step([right(o)])).rejects.toMatchObject({ code: 'FR_ERR_ENV_EPISODE_DONE' });
    expect((await first).results[0]!.reward).toBe(1);
  });

  it('fails a batch with one bad action whole, before judging anything', async () => {
    const judge = new RecordingJudge(new ExactJudge());
    const env = newEnv({ judge });
    const { observations: obs } = await env.reset({ split: 'train', batchSize: 3, groupSize: 1 });
    const [o0, o1, o2] = [obs[0]!, obs[1]!, obs[2]!];
    await env.step([right(o2)]);
    expect(judge.calls).toHaveLength(1);

    const bad: Array<[Action[], string]> = [
      [[right(o0), { episodeId: 'nope.0', answer: 'x' }], 'FR_ERR_ENV_UNKNOWN_EPISODE'],
      [[right(o0), right(o1), right(o0)], 'FR_ERR_ENV_DUPLICATE_EPISODE'],
      [[right(o0), right(o2)], 'FR_ERR_ENV_EPISODE_DONE'],
      [[right(o0), { episodeId: o1.episodeId } as Action], 'FR_ERR_ENV_BAD_BATCH'],
      [[], 'FR_ERR_ENV_BAD_BATCH'],
    ];
    for (const [batch, code] of bad) await expect(env.step(batch)).rejects.toMatchObject({ code });
    expect(judge.calls).toHaveLength(1);
    expect(env.stats()).toMatchObject({ issued: 3, open: 2, answered: 1 });
    // Nothing was half-applied: the good episodes of the refused batches are still open.
    const ok = await env.step([right(o0), right(o1)]);
    expect(ok.results.map((r) => r.reward)).toEqual([1, 1]);
  });

  it("does not accept another env's episode ids", async () => {
    const a = newEnv();
    const b = newEnv();
    const { observations } = await a.reset({ split: 'train', batchSize: 1, groupSize: 1 });
    await b.reset({ split: 'train', batchSize: 1, groupSize: 1 });
    await expect(b.step([right(observations[0]!)])).rejects.toMatchObject({
      code: 'FR_ERR_ENV_UNKNOWN_EPISODE',
    });
  });

  it('refuses batches over maxStepActions', async () => {
    const env = newEnv({ maxStepActions: 2 });
    const { observations } = await env.reset({ split: 'train', batchSize: 3, groupSize: 1 });
    await expect(env.step(observations.map(right))).rejects.toMatchObject({
      code: 'FR_ERR_ENV_BAD_BATCH',
    });
  });

  it('caps long answers at maxAnswerChars and marks them truncated', async () => {
    const env = newEnv({ maxAnswerChars: 4 });
    const { observations } = await env.reset({ split: 'train', batchSize: 1, groupSize: 1 });
    const [r] = (
      await env.step([{ episodeId: observations[0]!.episodeId, answer: 'Constantinople' }])
    ).results;
    expect(r).toMatchObject({ truncated: true, info: { extracted: 'Cons' } });
  });

  it('extracts with the cot rules under the cot prompt', async () => {
    const env = newEnv({ prompt: 'cot' });
    const { observations: obs } = await env.reset({ split: 'train', batchSize: 2, groupSize: 1 });
    expect(obs[0]!.prompt).toBe('cot');
    const { results } = await env.step([
      {
        episodeId: obs[0]!.episodeId,
        answer: `Hmm.\nFinal answer: ${CAPITAL[obs[0]!.questionId]}`,
      },
      { episodeId: obs[1]!.episodeId, answer: CAPITAL[obs[1]!.questionId]! },
    ]);
    expect(results.map((r) => r.verdict)).toEqual(['correct', 'not_attempted']);
  });
});

describe('judge failures', () => {
  it('reach the agent as judge_failed with reward null, and are counted, never as 0', async () => {
    for (const judge of [new AlwaysFailingJudge(), new ThrowingJudge()]) {
      const env = newEnv({ judge });
      const { observations } = await env.reset({ split: 'train', batchSize: 2, groupSize: 2 });
      const { results, groups } = await env.step(observations.map(right));
      for (const r of results) {
        expect(r).toMatchObject({ status: 'judge_failed', reward: null, verdict: null });
        expect(r.info.error?.code).toMatch(/^FR_ERR_/);
      }
      expect(groups.every((g) => g.meanReward === null && g.scored === 0)).toBe(true);
      const stats = env.stats();
      expect(stats).toMatchObject({ answered: 4, judgeFailed: 4, scored: 0, rewardSum: 0 });
      expect(stats.meanReward).toBeNull();
      await expect(env.step([right(observations[0]!)])).rejects.toMatchObject({
        code: 'FR_ERR_ENV_EPISODE_DONE',
      });
    }
  });
});

describe('episode lifetime', () => {
  it('expires unanswered episodes after episodeTtlMs and refuses steps on them', async () => {
    const clock = manualClock();
    const env = newEnv({ episodeTtlMs: 1000, clock: clock.now });
    const first = await env.reset({ split: 'train', batchSize: 1, groupSize: 2 });
    clock.advance(600);
    const second = await env.reset({ split: 'train', batchSize: 1, groupSize: 1 });
    clock.advance(500);
    expect(env.expire()).toEqual(first.observations.map((o) => o.episodeId));
    await expect(env.step([right(first.observations[0]!)])).rejects.toMatchObject({
      code: 'FR_ERR_ENV_EPISODE_EXPIRED',
    });
    await env.step([right(second.observations[0]!)]);
    clock.advance(10_000);
    expect(env.stats()).toMatchObject({ issued: 3, expired: 2, answered: 1, open: 0 });
  });

  it('expires lazily at step time without an explicit expire call', async () => {
    const clock = manualClock();
    const env = newEnv({ episodeTtlMs: 1000, clock: clock.now });
    const { observations } = await env.reset({ split: 'train', batchSize: 1, groupSize: 1 });
    clock.advance(1000);
    await expect(env.step([right(observations[0]!)])).rejects.toMatchObject({
      code: 'FR_ERR_ENV_EPISODE_EXPIRED',
    });
  });

  it('closes episodes on request, refusing unknown ids before closing any', async () => {
    const env = newEnv();
    const { observations: obs } = await env.reset({ split: 'train', batchSize: 3, groupSize: 1 });
    await env.step([right(obs[2]!)]);
    expect(() => env.closeEpisodes([obs[0]!.episodeId, 'x.0'])).toThrow(
      expect.objectContaining({ code: 'FR_ERR_ENV_UNKNOWN_EPISODE' }),
    );
    expect(env.closeEpisodes(obs.map((o) => o.episodeId))).toEqual([
      obs[0]!.episodeId,
      obs[1]!.episodeId,
    ]);
    await expect(env.step([right(obs[0]!)])).rejects.toMatchObject({
      code: 'FR_ERR_ENV_EPISODE_CLOSED',
    });
  });

  it('ends every episode on close and accounts for all of them, per split', async () => {
    const env = newEnv();
    const train = await env.reset({ split: 'train', batchSize: 2, groupSize: 2 });
    const test = await env.reset({ split: 'test', batchSize: 3, groupSize: 1 });
    await env.step([right(train.observations[0]!), wrong(train.observations[1]!)]);
    await env.step([right(test.observations[0]!)]);
    await env.close();
    await env.close();
    const s = env.stats();
    expect(s).toMatchObject({
      issued: 7,
      answered: 3,
      closed: 4,
      open: 0,
      rewardSum: 2,
      groups: 5,
    });
    expect(s.issued).toBe(s.answered + s.expired + s.closed + s.open);
    expect(s.perSplit.train).toMatchObject({ issued: 4, answered: 2, closed: 2, meanReward: 0.5 });
    expect(s.perSplit.test).toMatchObject({ issued: 3, answered: 1, closed: 2, meanReward: 1 });
    expect(s.perSplit.val).toBeUndefined();
    await expect(env.reset({ split: 'train', batchSize: 1, groupSize: 1 })).rejects.toMatchObject({
      code: 'FR_ERR_ENV_CLOSED',
    });
  });
});

describe('gold', () => {
  it('gives gold answers for train episodes and refuses val and test', async () => {
    const env = newEnv();
    const train = await env.reset({ split: 'train', batchSize: 1, groupSize: 1 });
    const o = train.observations[0]!;
    expect(env.gold(o.episodeId)).toEqual([
      CAPITAL[o.questionId],
      `City of ${CAPITAL[o.questionId]}`,
    ]);
    for (const split of ['val', 'test'] as const) {
      const r = await env.reset({ split, batchSize: 1, groupSize: 1 });
      expect(() => env.gold(r.observations[0]!.episodeId)).toThrow(
        expect.objectContaining({ code: 'FR_ERR_ENV_GOLD_FORBIDDEN' }),
      );
    }
    expect(() => env.gold('x.0')).toThrow(
      expect.objectContaining({ code: 'FR_ERR_ENV_UNKNOWN_EPISODE' }),
    );
  });
});
