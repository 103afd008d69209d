import { describe, expect, it } from 'vitest';
import { backoffMs } from './backoff.ts';

describe('backoffMs', () => {
  it('doubles from the base up to the cap when jitter draws nothing', () => {
    const b = { baseMs: 100, capMs: 1000, jitter: 0.25 };
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffMs(a, b, () => 0))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it('takes away at most the jitter share of the ceiling', () => {
    expect(backoffMs(1, { baseMs: 100, capMs: 1000, jitter: 0.25 }, () => 1)).toBe(150);
    expect(backoffMs(1, { baseMs: 100, capMs: 1000, jitter: 1 }, () => 0.5)).toBe(100);
    expect(backoffMs(3, { baseMs: 100, capMs: 1000, jitter: 0 }, () => 0.9)).toBe(800);
  });

  it('stays within [ceiling * (1 - jitter), ceiling] with the real random source', () => {
    for (let i = 0; i < 200; i++) {
      const d = backoffMs(2, { baseMs: 10, capMs: 1000, jitter: 0.5 });
      expect(d).toBeGreaterThan(20);
      expect(d).toBeLessThanOrEqual(40);
    }
  });
});
