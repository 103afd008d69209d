import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteCache } from '../../judges/index.ts';
import { cli } from '../../test/support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'judge-cli-'));

describe('factrecall judge', { timeout: 180_000 }, () => {
  it('eval prints accuracy, kappa and the confusion matrix of each judge against a labels file', async () => {
    const labels = join(dir, 'labels.jsonl');
    const rows = [
      { question: 'Capital of France?', answers: ['Paris'], prediction: 'Paris', label: 'correct' },
      {
        question: 'Capital of France?',
        answers: ['Paris'],
        prediction: 'It is Paris',
        label: 'correct',
      },
      { question: 'Capital of Peru?', answers: ['Lima'], prediction: 'Quito', label: 'incorrect' },
      {
        question: 'Capital of Peru?',
        answers: ['Lima'],
        prediction: "I don't know",
        label: 'not_attempted',
      },
    ].map((r, i) => ({ id: `t${i}`, dataset: 'nq_open', category: 'test', source: 'test', ...r }));
    writeFileSync(labels, rows.map((r) => JSON.stringify(r)).join('\n'));
    const { stdout, code } = await cli(
      'judge',
      'eval',
      '--labels',
      labels,
      '--judge',
      'exact',
      'contains',
    );
    expect(code).toBe(0);
    // exact misses the paraphrase and calls the refusal incorrect: 2 of 4; contains gets all 4.
    expect(stdout).toMatch(
      /\[slice labels\] judge exact \([0-9a-f]+\): 4 items, 0 failed, coverage 100\.0%\s+accuracy 50\.0%/,
    );
    expect(stdout).toMatch(
      /judge contains \([0-9a-f]+\): 4 items, 0 failed, coverage 100\.0%\s+accuracy 100\.0%/,
    );
    expect(stdout).toMatch(/gold \\ judge\s+correct\s+incorrect\s+not_attempted\s+failed/);
    // Two questions are too few to draw three distractors from.
    expect(stdout).toMatch(/red team vs exact: not run/);
  });

  it('eval reports the bundled easy and hard slices and the red team by default', async () => {
    const { stdout, code } = await cli('judge', 'eval', '--judge', 'exact', '--quiet', '--json');
    expect(code).toBe(0);
    const [r] = JSON.parse(stdout);
    expect(r.slices.map((s: { slice: string }) => s.slice)).toEqual(['easy', 'hard']);
    expect(r.slices[1].agreement.items).toBeGreaterThanOrEqual(600);
    expect(r.redTeam.best.reward).toBe(0);
    expect(r.redTeam.items).toBeGreaterThan(10_000);
  });

  it('eval refuses a labels file with a bad row with a coded error', async () => {
    const labels = join(dir, 'bad.jsonl');
    writeFileSync(labels, '{"question": "x"}\n');
    const { stderr, code } = await cli('judge', 'eval', '--labels', labels, '--judge', 'exact');
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/error FR_ERR_JUDGE_/);
  });

  it('cache stats counts entries per judge fingerprint, and cache clear deletes them', async () => {
    const path = join(dir, 'verdicts.sqlite');
    const cache = new SqliteCache(path);
    cache.set('fp-a', 'k1', { verdict: 'correct' });
    cache.set('fp-a', 'k2', { verdict: 'incorrect' });
    cache.set('fp-b', 'k1', { verdict: 'correct' });
    cache.close();
    const stats = JSON.parse(
      (await cli('judge', 'cache', 'stats', '--path', path, '--json')).stdout,
    );
    expect(stats.entries).toBe(3);
    expect(
      Object.fromEntries(
        stats.namespaces.map((n: { namespace: string; entries: number }) => [
          n.namespace,
          n.entries,
        ]),
      ),
    ).toEqual({ 'fp-a': 2, 'fp-b': 1 });
    expect(
      (await cli('judge', 'cache', 'clear', '--path', path, '--fingerprint', 'fp-a')).stdout,
    ).toMatch(/deleted 2 entries/);
    const after = JSON.parse(
      (await cli('judge', 'cache', 'stats', '--path', path, '--json')).stdout,
    );
    expect(after.entries).toBe(1);
    expect(readFileSync(path).length).toBeGreaterThan(0);
  });
});
