import { describe, expect, it } from 'vitest';
import { accessBucket, attributionShares, gainByBucket, withinRunGain } from './access-buckets.ts';

describe('accessibility buckets', () => {
  it('puts a question by its correct share of n samples, greedy-correct first, as written out by hand', () => {
    expect(accessBucket(0, 128, false)).toBe('never');
    expect(accessBucket(1, 128, false)).toBe('rare'); // 0.8%
    expect(accessBucket(12, 128, false)).toBe('rare'); // 9.4%
    expect(accessBucket(13, 128, false)).toBe('sometimes'); // 10.2%
    expect(accessBucket(64, 128, false)).toBe('sometimes'); // exactly 50%
    expect(accessBucket(65, 128, false)).toBe('mostly');
    expect(accessBucket(128, 128, false)).toBe('mostly');
    expect(accessBucket(0, 128, true)).toBe('greedy-correct'); // greedy wins over the samples
    expect(accessBucket(0, 0, false)).toBe('never'); // no scored sample: never seen correct
  });
});

describe('gain attribution', () => {
  it('gives bucket-alone gains as shares that sum to 1 and as fractions of the all-questions gain', () => {
    const r = attributionShares(
      [
        { bucket: 'never', gain: 0.3 },
        { bucket: 'rare', gain: 0.1 },
        { bucket: 'greedy-correct', gain: -0.05 },
      ],
      0.5,
    );
    expect(r.sumOfGains).toBeCloseTo(0.35, 12);
    expect(r.additivity).toBeCloseTo(0.7, 12);
    const close = (xs: number[], want: number[]) => {
      for (const [i, w] of want.entries()) expect(xs[i]).toBeCloseTo(w, 12);
    };
    close(
      r.rows.map((x) => x.share),
      [6 / 7, 2 / 7, -1 / 7],
    );
    close(
      r.rows.map((x) => x.ofAll),
      [0.6, 0.2, -0.1],
    );
    expect(r.rows.reduce((a, x) => a + x.share, 0)).toBeCloseTo(1, 12);
  });

  it('splits one run’s net gain over the buckets so the shares sum to 1 and the gains to the total', () => {
    const qs = [
      { bucket: 'never' as const, before: false, after: true },
      { bucket: 'never' as const, before: false, after: true },
      { bucket: 'never' as const, before: false, after: false },
      { bucket: 'rare' as const, before: false, after: true },
      { bucket: 'greedy-correct' as const, before: true, after: false },
      { bucket: 'greedy-correct' as const, before: true, after: true },
    ];
    const rows = withinRunGain(qs);
    const by = Object.fromEntries(rows.map((r) => [r.bucket, r]));
    // total net gain = 3 wrong->right - 1 right->wrong = 2
    expect(by['never']).toMatchObject({
      questions: 3,
      netGain: 2,
      shareOfGain: 1,
      share: 0.5,
    });
    expect(by['rare']).toMatchObject({ questions: 1, netGain: 1, shareOfGain: 0.5 });
    expect(by['greedy-correct']).toMatchObject({
      netGain: -1,
      shareOfGain: -0.5,
      greedyBefore: 1,
      greedyAfter: 0.5,
    });
    expect(by['sometimes']!.questions).toBe(0);
    expect(rows.reduce((a, r) => a + r.netGain, 0)).toBe(2);
    expect(rows.reduce((a, r) => a + (Number.isFinite(r.shareOfGain) ? r.shareOfGain : 0), 0)).toBe(
      1,
    );
  });
});

describe('the gain of one run by bucket', () => {
  it('buckets each question by its samples and greedy answer before, and splits the net gain as counted by hand', () => {
    const q = (id: string, c: number, before: boolean, after: boolean) => ({
      questionId: id,
      correctSamples: c,
      samples: 20,
      greedyBefore: before,
      greedyAfter: after,
    });
    const rows = gainByBucket([
      q('a', 0, false, true), // never
      q('b', 0, false, true), // never
      q('c', 2, false, true), // 10%: rare
      q('d', 10, false, false), // 50%: sometimes
      q('e', 11, false, true), // 55%: mostly
      q('f', 20, true, true), // greedy-correct
      q('g', 3, true, false), // greedy-correct whatever its samples
    ]);
    expect(rows.map((r) => r.bucket)).toEqual([
      'never',
      'rare',
      'sometimes',
      'mostly',
      'greedy-correct',
    ]);
    expect(rows.map((r) => r.questions)).toEqual([2, 1, 1, 1, 2]);
    // net gain 4 wrong->right - 1 right->wrong = 3
    expect(rows.map((r) => r.netGain)).toEqual([2, 1, 0, 1, -1]);
    const close = (xs: number[], want: number[]) => {
      for (const [i, w] of want.entries()) expect(xs[i]).toBeCloseTo(w, 12);
    };
    close(
      rows.map((r) => r.shareOfGain),
      [2 / 3, 1 / 3, 0, 1 / 3, -1 / 3],
    );
    close(
      rows.map((r) => r.share),
      [2 / 7, 1 / 7, 1 / 7, 1 / 7, 2 / 7],
    );
    expect(rows[4]).toMatchObject({ greedyBefore: 1, greedyAfter: 0.5 });
  });
});
