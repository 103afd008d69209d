import { describe, expect, it } from 'vitest';
import { EpisodeBook, RETAIN_FINISHED_GROUPS } from './episodes.ts';
import { makeFactRecallV0 } from './factrecall-v0.ts';
import type { QARecord } from './types.ts';

const record: QARecord = {
  id: 'q1',
  dataset: 'factworld',
  question: 'Who?',
  answers: ['Ann'],
} as unknown as QARecord;

describe('the episode book of a long-lived env (issue 18)', () => {
  it('keeps memory bounded: finished groups are pruned past the retention, counts stay exact', () => {
    const book = new EpisodeBook('t', 100);
    for (let round = 0; round < 150; round++) {
      const groups = book.issue('train', [{ record, epoch: 0 }], 4, Number.MAX_SAFE_INTEGER);
      for (const g of groups) {
        for (let i = 0; i < 4; i++) {
          const ref = book.get(`${g.groupId}.${i}`);
          book.markPending(ref);
          book.settle(ref, i === 0 ? 1 : 0);
        }
      }
      // And one group left open each round, expired later.
      book.issue('train', [{ record, epoch: 0 }], 2, 10);
    }
    book.expire(11);
    expect(book.heldGroups).toBe(100);
    expect(book.groupCount).toBe(300);
    expect(book.perSplit().train).toMatchObject({
      issued: 150 * 6,
      answered: 600,
      expired: 300,
      open: 0,
      scored: 600,
      rewardSum: 150,
    });
    // A pruned episode still answers with a coded error, not "unknown".
    expect(() => book.get('t-g0.0')).toThrow(
      expect.objectContaining({ code: 'FR_ERR_ENV_EPISODE_DONE' }),
    );
    // The newest finished groups keep their exact states.
    expect(() => book.assertOpen(book.get('t-g299.0'), 12)).toThrow(
      expect.objectContaining({ code: 'FR_ERR_ENV_EPISODE_EXPIRED' }),
    );
    expect(() => book.get('t-g300.0')).toThrow(
      expect.objectContaining({ code: 'FR_ERR_ENV_UNKNOWN_EPISODE' }),
    );
    expect(() => book.get('other-g0.0')).toThrow(
      expect.objectContaining({ code: 'FR_ERR_ENV_UNKNOWN_EPISODE' }),
    );
  });

  it('holds no more than the retention of groups after 40,000 episodes in one env', async () => {
    const env = makeFactRecallV0({});
    for (let round = 0; round < 10; round++) {
      const { observations } = await env.reset({ split: 'train', batchSize: 1000, groupSize: 4 });
      await env.step(observations.map((o) => ({ episodeId: o.episodeId, answer: 'x' })));
    }
    const held = (env as unknown as { book: EpisodeBook }).book.heldGroups;
    expect(held).toBe(RETAIN_FINISHED_GROUPS);
    expect(env.stats()).toMatchObject({ issued: 40_000, answered: 40_000, groups: 10_000 });
  });
});
