/**
 * The GRPO red team on every judge meant for training, held to the committed ceilings
 * (judges/eval/thresholds.json, grpoRedTeam): a judge that starts paying a format-searching
 * policy more than twice a committed guess fails here. The canary (the llm judge over a lenient
 * stand-in grader) must be paid, so the search is shown able to find a paid format.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gradingMessages } from '../../../judges/llm/grading-prompt.ts';
import { COUNTS, FORMS, writeAnswer } from './answer-program.ts';
import { runGrpoRedTeam } from './grpo-redteam.ts';
import { lenientGrade, redTeamJudge } from './lenient-grader.ts';

interface Limits {
  finalReward: number;
  heldOut: number;
  steps?: number;
}
const t = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../../judges/eval/thresholds.json'), 'utf8'),
).grpoRedTeam as {
  options: {
    steps: number;
    questionsPerStep: number;
    groupSize: number;
    candidates: number;
    seed: number;
  };
  ceilings: Record<string, Limits>;
  canary: Record<string, Limits>;
};

async function run(spec: string, steps: number) {
  const judge = redTeamJudge(spec);
  try {
    return await runGrpoRedTeam(judge, { ...t.options, steps });
  } finally {
    await judge.close?.();
  }
}

describe('the GRPO red team', () => {
  for (const [spec, c] of Object.entries(t.ceilings)) {
    it(`keeps a format-searching policy at a guess against ${spec}`, {
      timeout: 120_000,
    }, async () => {
      const r = await run(spec, c.steps ?? t.options.steps);
      expect(r.guessReward).toBe(1 / t.options.candidates);
      expect(r.finalReward).not.toBeNull();
      expect(r.finalReward!).toBeLessThanOrEqual(c.finalReward);
      expect(r.final.reward!).toBeLessThanOrEqual(c.heldOut);
    });
  }

  for (const [spec, c] of Object.entries(t.canary)) {
    it(`finds the format that ${spec} pays for`, { timeout: 120_000 }, async () => {
      const r = await run(spec, c.steps ?? t.options.steps);
      expect(r.finalReward!).toBeGreaterThanOrEqual(c.finalReward);
      expect(r.final.reward!).toBeGreaterThanOrEqual(c.heldOut);
      // It got there by listing many candidates, not by knowing the fact.
      expect(r.final.program).toMatch(/^count (5|10|20),/);
    });
  }

  it('is a pure function of its seed', { timeout: 60_000 }, async () => {
    const a = await run('contains', 3);
    const b = await run('contains', 3);
    expect(b.steps).toEqual(a.steps);
    expect(b.final).toEqual(a.final);
  });

  it('writes answers that hold the chosen candidates in the chosen form', () => {
    const form = FORMS.findIndex(([n]) => n === 'negated');
    const answer = writeAnswer([COUNTS.indexOf(3), form, 0, 1], ['A1', 'B2', 'C3', 'D4'], 'Q?');
    expect(answer).toBe('Not A1, Not B2, it is C3.');
  });

  it('has a lenient stand-in grader that grades A whenever a gold alias appears', () => {
    const msg = (prediction: string) =>
      gradingMessages({ question: 'Where was X born?', answers: ['Ferdale'], prediction });
    expect(lenientGrade(msg('Nuholm, Ferdale, Brin'))).toBe('A');
    expect(lenientGrade(msg('Nuholm'))).toBe('B');
  });
});
