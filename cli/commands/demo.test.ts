import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { FactWorldRunResult } from '../../cuda-agent/coordinator/organism/factworld-run.ts';
import { openFileCount } from '../../test/support/open-files.ts';
import { main } from '../main.ts';
import { formatDemo, formatGrpoDemo, runDemo } from './demo.ts';

describe('factrecall demo', () => {
  it('prints the GRPO summary with the gold-answer probability per group (buckets left to report.md)', () => {
    const gold = {
      questions: 40,
      before: 0.05,
      after: 0.5,
      medianBefore: 0.01,
      medianAfter: 0.625,
    };
    const text = formatGrpoDemo({
      runDir: '/runs/x',
      reportPath: '/runs/x/report.md',
      report: {
        runId: 'x',
        title: 'FactWorld',
        setup: [],
        greedy: [],
        passAtK: [],
        goldProb: [
          { split: 'val', ...gold },
          { split: 'val', bucket: 'never', ...gold, questions: 7 },
        ],
        steps: [],
        evals: [],
        timings: {},
        notes: [],
      },
    } satisfies FactWorldRunResult);
    expect(text).toContain('  val    ( 40 q)    5.0% ->  50.0%        1.0% ->  62.5%');
    expect(text).not.toContain('(  7 q)');
  });

  it('runs the oracle (accuracy 1) and the prior (far below) over every split of a small world', async () => {
    const result = await runDemo({ people: 60, worldSeed: 3 });
    expect(result.runs.map((r) => [r.agent, r.split])).toEqual([
      ['oracle', 'train'],
      ['oracle', 'val'],
      ['oracle', 'test'],
      ['prior', 'train'],
      ['prior', 'val'],
      ['prior', 'test'],
    ]);
    for (const r of result.runs) {
      expect(r.questions).toBe(result.splits[r.split]);
      expect(r.judgeFailed).toBe(0);
      if (r.agent === 'oracle') expect(r.accuracy).toBe(1);
      else expect(r.accuracy).toBeLessThan(0.5);
    }
    const text = formatDemo(result);
    expect(text).toMatch(/^FactRecall-v0 on FactWorld/);
    expect(text).toMatch(/oracle\s+test\s+\d+\s+\d+\s+1\.000\s+0\s+\d+\.\d{3}/);
    expect(text).toMatch(/total \d+\.\d\d s/);
  });

  it('prints JSON with --json, the same numbers under the cot prompt', async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((c) => out.push(String(c)) > 0);
    try {
      await main([
        'node',
        'factrecall',
        'demo',
        '--scripted',
        '--people',
        '40',
        '--prompt',
        'cot',
        '--json',
      ]);
    } finally {
      vi.restoreAllMocks();
    }
    const result = JSON.parse(out.join(''));
    expect(
      result.runs
        .filter((r: { agent: string }) => r.agent === 'oracle')
        .map((r: { accuracy: number }) => r.accuracy),
    ).toEqual([1, 1, 1]);
  });

  it('closes its env (and the judge it made) when a flag is refused mid-run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fr-demo-'));
    try {
      const cachePath = join(dir, 'verdicts.sqlite');
      const judge = JSON.stringify({
        kind: 'llm',
        options: { baseURL: 'http://127.0.0.1:9/v1', model: 'm', cachePath },
      });
      await expect(runDemo({ people: 20, judge, batchSize: 'many' })).rejects.toMatchObject({
        code: 'FR_ERR_ENV_BAD_OPTIONS',
      });
      expect(openFileCount(cachePath) ?? 0).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
