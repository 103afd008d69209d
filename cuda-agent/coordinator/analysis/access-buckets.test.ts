import { describe, expect, it } from 'vitest';
import { accessBucket, attributionShares, withinRunGain } from './access-buckets.ts';

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
      trainShare: 0.5,
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
