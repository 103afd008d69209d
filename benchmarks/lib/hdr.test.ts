import { describe, expect, it } from 'vitest';
import { newHistogram, recordMs, summarize } from './hdr.ts';

describe('latency histograms', () => {
  it('reads back percentiles within 0.1% of the recorded samples', () => {
    const h = newHistogram();
    for (let i = 1; i <= 1000; i++) recordMs(h, i / 10); // 0.1 .. 100 ms
    const s = summarize(h);
    expect(s.count).toBe(1000);
    expect(s.p50Ms).toBeCloseTo(50, 1);
    expect(Math.abs(s.p99Ms - 99) / 99).toBeLessThan(0.001);
    expect(Math.abs(s.maxMs - 100) / 100).toBeLessThan(0.001);
    expect(s.meanMs).toBeCloseTo(50.05, 1);
  });

  it('summarises an empty histogram as zeros with count 0', () => {
    expect(summarize(newHistogram())).toEqual({
      count: 0,
      meanMs: 0,
      p50Ms: 0,
      p90Ms: 0,
      p99Ms: 0,
      p999Ms: 0,
      maxMs: 0,
    });
  });

  it('refuses a negative or non-finite latency instead of recording nonsense', () => {
    const h = newHistogram();
    expect(() => recordMs(h, -1)).toThrow(RangeError);
    expect(() => recordMs(h, Number.NaN)).toThrow(RangeError);
    expect(h.totalCount).toBe(0);
  });
});
