import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createJudge } from '../index.ts';
import { agreement, cohensKappa, formatAgreement } from './agreement.ts';
import { BUNDLED_LABELS, readLabels } from './labels.ts';

describe("Cohen's kappa and agreement", () => {
  it('matches a hand-computed kappa', () => {
    // p_o = 0.7; p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = 0.4.
    expect(
      cohensKappa(
        [
          [20, 5],
          [10, 15],
        ].map((r) => r) as number[][],
      ),
    ).toBeCloseTo(0.4, 10);
  });

  it('is 1 for perfect agreement and about 0 for chance-level agreement', () => {
    expect(
      cohensKappa([
        [5, 0],
        [0, 5],
      ]),
    ).toBe(1);
    expect(
      cohensKappa([
        [25, 25],
        [25, 25],
      ]),
    ).toBeCloseTo(0, 10);
  });

  it('counts a failed verdict against the judge and builds the confusion matrix gold by predicted', () => {
    const a = agreement(
      ['correct', 'incorrect', 'not_attempted', 'correct'],
      ['correct', 'correct', null, 'incorrect'],
    );
    expect(a).toMatchObject({ items: 4, failed: 1, coverage: 0.75 });
    expect(a.accuracy).toBeCloseTo(1 / 4, 10);
    expect(a.decidedAccuracy).toBeCloseTo(1 / 3, 10);
    expect(a.confusion.incorrect.correct).toBe(1);
    expect(a.confusion.correct.incorrect).toBe(1);
    expect(a.confusion.not_attempted.failed).toBe(1);
    expect(formatAgreement('x', a)).toMatch(
      /gold \\ judge\s+correct\s+incorrect\s+not_attempted\s+failed/,
    );
    expect(formatAgreement('x', a)).toMatch(/coverage 75\.0%/);
  });

  it('does not report perfect agreement for a judge that decides only the easy items (issue 12)', () => {
    // 78 decided and right, 150 failed: the short-circuit-only report said 100%, kappa 1.
    const gold = Array.from({ length: 228 }, (_, i): 'correct' | 'incorrect' =>
      i % 2 ? 'correct' : 'incorrect',
    );
    const predicted = gold.map((g, i) => (i < 78 ? g : null));
    const a = agreement(gold, predicted);
    expect(a.decidedAccuracy).toBe(1);
    expect(a.accuracy).toBeCloseTo(78 / 228, 10);
    expect(a.kappa).toBeLessThan(0.5);
    expect(a.coverage).toBeCloseTo(78 / 228, 10);
  });
});

describe('the bundled labelled set', () => {
  it('has at least 200 valid items across the four datasets, every label and category', async () => {
    const items = await readLabels(BUNDLED_LABELS);
    expect(items.length).toBeGreaterThanOrEqual(200);
    expect(new Set(items.map((i) => i.dataset))).toEqual(
      new Set(['nq_open', 'triviaqa', 'popqa', 'simpleqa']),
    );
    expect(new Set(items.map((i) => i.label)).size).toBe(3);
    for (const c of [
      'alias',
      'paraphrase',
      'number_precision',
      'partial_name',
      'hedge',
      'refusal',
      'candidate_list',
      'confidently_wrong',
    ]) {
      expect(
        items.some((i) => i.category === c),
        c,
      ).toBe(true);
    }
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
  });

  it('separates exact and contains: contains agrees more, and neither is perfect', async () => {
    const items = await readLabels(BUNDLED_LABELS);
    const gold = items.map((i) => i.label);
    const run = async (spec: 'exact' | 'contains') =>
      agreement(
        gold,
        (await createJudge(spec).judge(items)).map((v) => v.verdict),
      );
    const exact = await run('exact');
    const contains = await run('contains');
    expect(contains.accuracy).toBeGreaterThan(exact.accuracy);
    expect(exact.accuracy).toBeLessThan(1);
    expect(contains.accuracy).toBeLessThan(1);
  });

  it('names the bad line of a malformed labels file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fr-labels-'));
    const path = join(dir, 'bad.jsonl');
    writeFileSync(
      path,
      '{"question":"q","answers":["a"],"prediction":"a","label":"correct"}\n{"question":"q","answers":[],"prediction":"a","label":"correct"}\n',
    );
    await expect(readLabels(path)).rejects.toThrow(/bad\.jsonl:2/);
  });
});
