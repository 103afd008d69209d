import { describe, expect, it } from 'vitest';
import { dissect } from './grpo_step.ts';

const step = (g: number, j: number, s: number, t: number, total: number) => ({
  type: 'step',
  seconds: { generate: g, judge: j, score: s, train: t, total },
});

describe('GRPO step dissection', () => {
  it('averages each phase over the step rows only and keeps what no phase covers apart', () => {
    const d = dissect([
      step(2, 1, 1, 4, 9),
      { type: 'eval', seconds: step(0, 0, 0, 0, 0).seconds },
      step(4, 1, 1, 2, 9),
    ]);
    expect(d.steps).toBe(2);
    expect(d.total).toBe(9);
    expect(d.phases).toEqual([
      { phase: 'generate', seconds: 3 },
      { phase: 'judge', seconds: 1 },
      { phase: 'score', seconds: 1 },
      { phase: 'train', seconds: 3 },
    ]);
    expect(d.rest).toBeCloseTo(1);
  });

  it('refuses metrics without a step row', () => {
    expect(() => dissect([])).toThrow(/no step rows/);
  });
});
