import { describe, expect, it } from 'vitest';
import { chancePassAtK, meanPassAtK, passAtK, reportedKs } from '../../../lib/pass-at-k.ts';

function binom(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

describe('pass@k', () => {
  it('equals 1 - C(n-c,k)/C(n,k) on small cases computed by hand', () => {
    expect(passAtK(5, 1, 1)).toBeCloseTo(0.2, 12);
    expect(passAtK(5, 1, 2)).toBeCloseTo(1 - binom(4, 2) / binom(5, 2), 12); // 1 - 6/10
    expect(passAtK(5, 1, 2)).toBeCloseTo(0.4, 12);
    expect(passAtK(10, 3, 5)).toBeCloseTo(1 - binom(7, 5) / binom(10, 5), 12);
    expect(passAtK(4, 0, 4)).toBe(0);
    expect(passAtK(4, 2, 3)).toBe(1);
  });

  it('stays finite and correct at n = 128', () => {
    expect(passAtK(128, 1, 128)).toBe(1);
    expect(passAtK(128, 1, 1)).toBeCloseTo(1 / 128, 12);
    expect(passAtK(128, 10, 64)).toBeCloseTo(1 - binom(118, 64) / binom(128, 64), 9);
  });

  it('averages over questions and refuses k above n', () => {
    expect(
      meanPassAtK(
        [
          { n: 4, c: 0 },
          { n: 4, c: 4 },
        ],
        1,
      ),
    ).toBe(0.5);
    expect(() => passAtK(4, 1, 8)).toThrow(RangeError);
  });

  it('leaves out questions with fewer than k scored samples (failed verdicts) instead of counting them as misses', () => {
    const counts = [
      { n: 4, c: 4 },
      { n: 2, c: 0 }, // two of four verdicts failed: no unbiased pass@4 for this question
    ];
    expect(meanPassAtK(counts, 1)).toBe(0.5);
    expect(meanPassAtK(counts, 4)).toBe(1);
    expect(meanPassAtK([{ n: 0, c: 0 }], 1)).toBeNaN();
  });

  it('gives the chance level of a uniform guesser and the powers of two up to n', () => {
    expect(chancePassAtK(10, 1)).toBeCloseTo(0.1, 12);
    expect(chancePassAtK(10, 2)).toBeCloseTo(0.19, 12);
    expect(reportedKs(32)).toEqual([1, 2, 4, 8, 16, 32]);
    expect(reportedKs(24)).toEqual([1, 2, 4, 8, 16, 24]);
  });
});
