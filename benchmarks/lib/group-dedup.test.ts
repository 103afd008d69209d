import { describe, expect, it } from 'vitest';
import {
  dedupCounts,
  dedupWithinGroups,
  type GroupedItem,
  judgeDeduplicated,
} from './group-dedup.ts';

const item = (group: string, prediction: string): GroupedItem => ({
  group,
  question: `Where was ${group} born?`,
  answers: ['Lyon'],
  prediction,
});

describe('verdicts deduplicated within a GRPO group', () => {
  const items = [
    item('a', 'Paris'),
    item('a', 'paris.'),
    item('a', 'The Paris'),
    item('a', 'Nice'),
    item('b', 'Paris'),
    item('b', 'Lyon'),
    item('b', ''),
  ];

  it('judges equal normalised answers of one group once, never across groups', () => {
    const { unique, representative } = dedupWithinGroups(items);
    expect(unique.map((u) => `${u.group}:${u.prediction}`)).toEqual([
      'a:Paris',
      'a:Nice',
      'b:Paris',
      'b:Lyon',
      'b:',
    ]);
    expect(representative).toEqual([0, 0, 0, 1, 2, 3, 4]);
  });

  it("gives every sample its representative's verdict, in input order", async () => {
    const sent: string[] = [];
    const verdicts = await judgeDeduplicated(items, async (xs) => {
      sent.push(...xs.map((x) => x.prediction));
      return xs.map((x) => `verdict of ${x.question} ${x.prediction}`);
    });
    expect(sent).toEqual(['Paris', 'Nice', 'Paris', 'Lyon', '']);
    expect(verdicts[1]).toBe('verdict of Where was a born? Paris');
    expect(verdicts[4]).toBe('verdict of Where was b born? Paris');
    expect(verdicts).toHaveLength(items.length);
  });

  it('counts the calls of each policy, leaving out blanks and literal gold answers', () => {
    expect(dedupCounts(items)).toEqual({
      samples: 7,
      groups: 2,
      shortCircuited: 2, // 'Lyon' is literally the gold, '' is blank
      everySample: 5,
      exactText: 5,
      normalised: 3, // a: paris, nice; b: paris
    });
  });
});
