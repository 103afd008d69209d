import { describe, expect, it } from 'vitest';
import { fisherOneSided } from './fisher.ts';

describe('fisherOneSided', () => {
  it('matches the hypergeometric tail summed with exact integers', () => {
    // Python: sum(comb(K,x)*comb(400-K,200-x) for x in range(a, K+1)) / comb(400,200)
    expect(fisherOneSided(9, 200, 2, 200)).toBeCloseTo(0.030906982912643547, 12);
    expect(fisherOneSided(11, 200, 2, 200)).toBeCloseTo(0.010200514695232336, 12);
    expect(fisherOneSided(11, 200, 7, 200)).toBeCloseTo(0.2351914266120685, 12);
    expect(fisherOneSided(6, 200, 2, 200)).toBeCloseTo(0.14204858293879802, 12);
  });

  it('is 1 when A has none right, large at a tie, and 1/C(6,3) for a clean sweep of 3', () => {
    expect(fisherOneSided(0, 10, 5, 10)).toBe(1);
    // a tie of one each: P(X >= 1) = 1 - C(18,10)/C(20,10) = 29/38
    expect(fisherOneSided(1, 10, 1, 10)).toBeCloseTo(29 / 38, 12);
    // 2x2 table [[3,0],[0,3]]: 1 / C(6,3)
    expect(fisherOneSided(3, 3, 0, 3)).toBeCloseTo(1 / 20, 12);
  });

  it('refuses what is not a count', () => {
    expect(() => fisherOneSided(3, 2, 0, 2)).toThrow(RangeError);
    expect(() => fisherOneSided(1.5, 2, 0, 2)).toThrow(RangeError);
  });
});
