import { describe, expect, it } from 'vitest';
import { batchAdvantages, groupAdvantages } from './advantages.ts';

const STD = { mode: 'std', skipZeroVariance: false } as const;

describe('group-relative advantages', () => {
  it('match hand-computed values for one correct answer in five (std mode, Bessel std)', () => {
    // mean 0.2; sample variance (0.64 + 4 * 0.04) / 4 = 0.2; std 0.4472136
    const g = groupAdvantages([1, 0, 0, 0, 0], STD);
    expect(g.meanReward).toBeCloseTo(0.2, 12);
    expect(g.advantages[0]).toBeCloseTo(0.8 / Math.sqrt(0.2), 5);
    expect(g.advantages[0]).toBeCloseTo(1.788854, 5);
    for (const a of g.advantages.slice(1)) expect(a).toBeCloseTo(-0.447214, 5);
  });

  it('match hand-computed values for a half-correct group of four', () => {
    // mean 0.5; variance 4 * 0.25 / 3 = 1/3; std 0.57735
    const g = groupAdvantages([1, 1, 0, 0], STD);
    expect(g.advantages.map((a) => Number(a!.toFixed(5)))).toEqual([
      0.86602, 0.86602, -0.86602, -0.86602,
    ]);
  });

  it('subtract the mean without dividing by the std in Dr. GRPO mode', () => {
    const g = groupAdvantages([1, 0, 0, 0, 0], { mode: 'no_std', skipZeroVariance: false });
    expect(g.advantages[0]).toBeCloseTo(0.8, 12);
    expect(g.advantages[1]).toBeCloseTo(-0.2, 12);
  });

  it('mask a sample whose judge failed: no advantage, not in the mean or std, never read as 0', () => {
    // scored [1, 0, 1]: mean 2/3, variance (1/9 + 4/9 + 1/9) / 2 = 1/3
    const g = groupAdvantages([1, null, 0, 1], STD);
    expect(g.masked).toBe(1);
    expect(g.meanReward).toBeCloseTo(2 / 3, 12);
    expect(g.advantages[1]).toBeNull();
    expect(g.advantages[0]).toBeCloseTo(1 / 3 / Math.sqrt(1 / 3), 5);
    expect(g.advantages[2]).toBeCloseTo(-2 / 3 / Math.sqrt(1 / 3), 5);
    // Had the null been read as 0, the mean would be 0.5.
    expect(g.meanReward).not.toBeCloseTo(0.5, 3);
  });

  it('give zero-variance groups advantage 0, or drop them when asked, and count them', () => {
    expect(groupAdvantages([1, 1, 1], STD).advantages).toEqual([0, 0, 0]);
    const skipped = groupAdvantages([0, 0, 0], { mode: 'std', skipZeroVariance: true });
    expect(skipped.advantages).toEqual([null, null, null]);
    expect(skipped.skipped).toBe(true);
    const s = batchAdvantages(
      [
        [1, 0],
        [0, 0],
        [null, null],
        [1, null],
      ],
      { mode: 'std', skipZeroVariance: true },
    );
    expect(s.zeroVarianceGroups).toBe(2); // [0,0] and [1,null] (one scored sample)
    expect(s.skippedGroups).toBe(3);
    expect(s.maskedSamples).toBe(3);
    expect(s.trainedSamples).toBe(2);
  });

  it('sum to zero over the scored samples of every group with signal', () => {
    const g = groupAdvantages([1, 0, 1, 1, 0, null, 0], STD);
    const sum = g.advantages.reduce<number>((a, x) => a + (x ?? 0), 0);
    expect(sum).toBeCloseTo(0, 10);
  });
});
