import { describe, expect, it, vi } from 'vitest';
import { main } from '../main.ts';
import { formatDemo, runDemo } from './demo.ts';

describe('factrecall demo', () => {
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
});
