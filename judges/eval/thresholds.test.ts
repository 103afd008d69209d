/**
 * Every judge against both labelled slices and the red team, held to the committed thresholds
 * (thresholds.json): agreement may not fall below its floor, the red team's best reward may not
 * rise above its ceiling (issue 12).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenAiTestServer, startOpenAiTestServer } from '../../test/support/openai-server.ts';
import { createJudge, type JudgeSpec } from '../index.ts';
import { bundledSlices, evaluateJudge, type JudgeReport } from './report.ts';

interface Thresholds {
  judges: Record<
    string,
    {
      slices: Record<string, { accuracy: number; kappa: number; coverage: number }>;
      redTeam: { bestReward: number; minCoverage: number; questions?: number };
    }
  >;
}
const thresholds = JSON.parse(
  readFileSync(join(import.meta.dirname, 'thresholds.json'), 'utf8'),
) as Thresholds;

let server: OpenAiTestServer;
beforeAll(async () => {
  server = await startOpenAiTestServer();
});
afterAll(async () => {
  await server.close();
});

function specOf(name: string): JudgeSpec {
  const llm: JudgeSpec = {
    kind: 'llm',
    options: { baseURL: server.baseURL, model: 'rule-grader', cachePath: null },
  };
  if (name === 'llm') return llm;
  if (name === 'panel') return { kind: 'panel', options: { judges: [llm, 'contains'] } };
  return name as JudgeSpec;
}

describe('every judge against the labelled slices and the red team', () => {
  it('covers every judge kind', () => {
    expect(Object.keys(thresholds.judges).sort()).toEqual(['contains', 'exact', 'llm', 'panel']);
  });

  for (const [name, t] of Object.entries(thresholds.judges)) {
    it(`${name} keeps its agreement floors and its red-team ceiling`, {
      timeout: 180_000,
    }, async () => {
      const judge = createJudge(specOf(name));
      let report: JudgeReport;
      try {
        report = await evaluateJudge(judge, await bundledSlices(), {
          ...(t.redTeam.questions ? { redTeamQuestions: t.redTeam.questions } : {}),
        });
      } finally {
        await judge.close?.();
      }
      expect(report.slices.map((s) => s.slice)).toEqual(Object.keys(t.slices));
      for (const s of report.slices) {
        const floor = t.slices[s.slice]!;
        const a = s.agreement;
        expect(a.accuracy, `${name} ${s.slice} accuracy`).toBeGreaterThanOrEqual(floor.accuracy);
        expect(a.kappa, `${name} ${s.slice} kappa`).toBeGreaterThanOrEqual(floor.kappa);
        expect(a.coverage, `${name} ${s.slice} coverage`).toBeGreaterThanOrEqual(floor.coverage);
      }
      const red = report.redTeam!;
      expect(red.best).toBeDefined();
      expect(
        red.best!.reward,
        `${name} red team ${red.best!.family}/${red.best!.name}`,
      ).toBeLessThanOrEqual(t.redTeam.bestReward);
      expect(red.coverage, `${name} red-team coverage`).toBeGreaterThanOrEqual(
        t.redTeam.minCoverage,
      );
    });
  }
});
