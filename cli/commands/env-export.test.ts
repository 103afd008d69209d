import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEnvSpec } from './env.ts';
import { runEnvExport } from './env-export.ts';

const readRows = async (path: string) =>
  (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('factrecall env export', () => {
  it('writes every train question with its id, the env prompt, gold, and the fingerprint serve would have', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fr-export-'));
    const out = join(dir, 'train.jsonl');
    const r = await runEnvExport({ split: 'train', out });
    const rows = await readRows(out);
    const spec = await runEnvSpec({});
    expect(r.rows).toBe(spec.splits.train);
    expect(rows).toHaveLength(spec.splits.train!);
    expect(new Set(rows.map((x) => x.question_id)).size).toBe(rows.length);
    expect(rows[0]).toMatchObject({
      split: 'train',
      dataset: 'factworld',
      fingerprint: spec.fingerprint,
    });
    expect((rows[0]!.prompt as Array<{ role: string }>).at(-1)!.role).toBe('user');
    expect(Array.isArray(rows[0]!.answers)).toBe(true);
  });

  it('writes val questions without answers and refuses the test split', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fr-export-'));
    await runEnvExport({ split: 'val', out: join(dir, 'val.jsonl') });
    const rows = await readRows(join(dir, 'val.jsonl'));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((x) => !('answers' in x))).toBe(true);
    await expect(
      runEnvExport({ split: 'test', out: join(dir, 'test.jsonl') }),
    ).rejects.toMatchObject({
      code: 'FR_ERR_ENV_BAD_OPTIONS',
    });
  });
});
