import { describe, expect, it } from 'vitest';
import { dissect, overhead } from './grpo_step.ts';

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

describe('GRPO step overhead', () => {
  const row = (total: number) => ({
    type: 'step',
    seconds: { generate: 4, judge: 1, score: 1, train: 3, total },
    env: { reset: 0.5, step: 0.8 },
    worker: { generate: 3, trainStep: 3.5 },
  });

  it("splits each phase into the worker's compute, the env's round trips and the coordinator's rest", () => {
    const o = overhead([row(9), row(9)])!;
    expect(o.map((r) => r.part)).toEqual([
      'generate (reset + sampling)',
      'judge (env step)',
      'score + train (train_step)',
      'whole step',
    ]);
    expect(o[0]).toMatchObject({ seconds: 4, worker: 3, env: 0.5 });
    expect(o[0]!.rest).toBeCloseTo(0.5);
    expect(o[1]!.rest).toBeCloseTo(0.2);
    expect(o[2]!.rest).toBeCloseTo(0.5);
    expect(o[3]).toMatchObject({ seconds: 9, worker: 6.5 });
    expect(o[3]!.env).toBeCloseTo(1.3);
    expect(o[3]!.rest).toBeCloseTo(1.2);
  });

  it('counts time outside every phase as the whole step’s overhead', () => {
    expect(overhead([row(10)])!.at(-1)!.rest).toBeCloseTo(2.2);
  });

  it('gives nothing for rows written before the worker and env seconds were recorded', () => {
    expect(overhead([{ type: 'step', seconds: row(9).seconds }])).toBeNull();
  });
});
