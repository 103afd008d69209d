import { describe, expect, it } from 'vitest';
import { generateWorld, worldSplitSource } from '../env/datasets/factworld/index.ts';
import { makeFactRecallV0 } from '../env/factrecall-v0.ts';
import type { QARecord } from '../env/types.ts';
import { AlwaysFailingJudge, capitalsSource } from '../test/support/env-doubles.ts';
import { oracleFromGold, oracleFromSource } from './oracle.ts';
import { mostFrequent, priorAgent } from './prior.ts';
import { runEpisodes } from './run-episodes.ts';

const source = worldSplitSource(generateWorld({ seed: 1, people: 60 }));

describe('the oracle (a test agent)', () => {
  it('scores 1 on every split with the exact judge, under both prompts, reading the source', async () => {
    for (const prompt of ['direct', 'cot'] as const) {
      const env = makeFactRecallV0({ source, prompt });
      for (const split of ['train', 'val', 'test'] as const) {
        const s = await runEpisodes(env, oracleFromSource(source), {
          split,
          batchSize: 16,
          groupSize: 2,
        });
        expect(s).toMatchObject({
          questions: source.splits[split]!.length,
          accuracy: 1,
          judgeFailed: 0,
        });
        expect(s.episodes).toBe(2 * s.questions);
      }
    }
  });

  it('scores 1 on train through env.gold, and cannot read test gold that way', async () => {
    const env = makeFactRecallV0({ source });
    const s = await runEpisodes(env, oracleFromGold(env), { split: 'train' });
    expect(s.accuracy).toBe(1);
    await expect(runEpisodes(env, oracleFromGold(env), { split: 'test' })).rejects.toMatchObject({
      code: 'FR_ERR_ENV_GOLD_FORBIDDEN',
    });
  });
});

describe('the prior', () => {
  it('answers the most frequent train value of the asked attribute', async () => {
    const env = makeFactRecallV0({ source });
    const { observations } = await env.reset({ split: 'test', batchSize: 20, groupSize: 1 });
    const answers = await priorAgent(source).act(observations);
    const attrOf = new Map(source.splits.test!.map((r) => [r.id, r.meta['attribute']]));
    observations.forEach((o, i) => {
      const attr = attrOf.get(o.questionId);
      const trainValues = source.splits.train!.filter((r) => r.meta['attribute'] === attr);
      const counts = new Map<string, number>();
      for (const r of trainValues) counts.set(r.answers[0]!, (counts.get(r.answers[0]!) ?? 0) + 1);
      expect(counts.get(answers[i]!)).toBe(Math.max(...counts.values()));
    });
  });

  it('scores on train exactly the share of questions whose answer is their attribute mode', async () => {
    const train = source.splits.train!;
    const byAttr = new Map<string, QARecord[]>();
    for (const r of train) {
      const a = String(r.meta['attribute']);
      byAttr.set(a, [...(byAttr.get(a) ?? []), r]);
    }
    let hits = 0;
    for (const records of byAttr.values()) {
      const mode = mostFrequent(records.map((r) => r.answers[0]!));
      hits += records.filter((r) => r.answers[0] === mode).length;
    }
    const s = await runEpisodes(makeFactRecallV0({ source }), priorAgent(source), {
      split: 'train',
    });
    expect(s.correct).toBe(hits);
    expect(s.accuracy).toBeGreaterThan(0);
    expect(s.accuracy).toBeLessThan(0.5);
  });

  it('falls back to the most frequent answer overall, ties broken by sort order', async () => {
    const caps = capitalsSource();
    for (const records of Object.values(caps.splits)) for (const r of records!) r.meta = {};
    const env = makeFactRecallV0({ source: caps });
    const { observations } = await env.reset({ split: 'val', batchSize: 1, groupSize: 1 });
    expect(await priorAgent(caps).act(observations)).toEqual(['Berlin']);
    expect(mostFrequent(['b', 'a', 'b', 'a', 'c'])).toBe('a');
  });
});

describe('runEpisodes', () => {
  it('counts judge failures apart and reports accuracy null, not 0, when nothing is scored', async () => {
    const env = makeFactRecallV0({ source, judge: new AlwaysFailingJudge() });
    const s = await runEpisodes(env, oracleFromSource(source), { split: 'val' });
    expect(s).toMatchObject({ questions: 30, judgeFailed: 30, scored: 0, accuracy: null });
  });
});
