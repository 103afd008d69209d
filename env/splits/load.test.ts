import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/splits.ts';
import { loadPreparedSplits, resolvePreparedDir } from './load.ts';
import type { PrepareResult } from './prepare.ts';
import { prepareDataset } from './prepare-dataset.ts';

const root = tempDir('load');
let fresh: (name: string) => Promise<{ dir: string; result: PrepareResult }>;

beforeAll(() => {
  fresh = async (name) => {
    const dir = join(root, name);
    const result = await prepareDataset({
      dataset: 'factworld',
      factworld: { people: 60 },
      outDir: dir,
      quiet: true,
    });
    return { dir, result };
  };
});

describe('loading prepared splits', () => {
  it('returns a SplitSource whose hash is the manifest hash, with every split', async () => {
    const { dir, result } = await fresh('clean');
    const source = await loadPreparedSplits(dir);
    expect(source.hash).toBe(result.manifest.hash);
    expect(source.dataset).toBe('factworld');
    expect(source.forced).toEqual([]);
    expect(source.splits.train).toHaveLength(result.manifest.splits.train.count);
    expect(source.splits.test).toHaveLength(result.manifest.splits.test.count);
    expect(source.description).toContain(result.manifest.hash.slice(0, 12));
    // A manifest path works as well as its directory.
    expect((await loadPreparedSplits(join(dir, 'manifest.json'))).hash).toBe(source.hash);
  });

  it('refuses a split file whose sha256 differs from the manifest, and with force loads it, records it and changes the hash', async () => {
    const { dir, result } = await fresh('tampered');
    const test = join(dir, 'test.jsonl');
    const lines = readFileSync(test, 'utf8').split('\n').filter(Boolean);
    writeFileSync(test, `${lines.slice(1).join('\n')}\n`);
    await expect(loadPreparedSplits(dir)).rejects.toMatchObject({
      code: 'FR_ERR_SPLITS_HASH_MISMATCH',
      details: { expected: result.manifest.splits.test.sha256 },
    });
    const forced = await loadPreparedSplits(dir, { force: true });
    expect(forced.forced).toEqual([
      {
        file: 'test.jsonl',
        expected: result.manifest.splits.test.sha256,
        actual: expect.any(String),
      },
    ]);
    expect(forced.description).toMatch(/FORCED despite hash mismatch: test\.jsonl/);
    expect(forced.hash).not.toBe(result.manifest.hash);
    expect(forced.splits.test).toHaveLength(lines.length - 1);
  });

  it('refuses an edited manifest, a missing manifest and a line that is not a record', async () => {
    const { dir } = await fresh('edited');
    const manifestPath = join(dir, 'manifest.json');
    const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
    m.seed = 99;
    writeFileSync(manifestPath, JSON.stringify(m));
    await expect(loadPreparedSplits(dir)).rejects.toMatchObject({
      code: 'FR_ERR_SPLITS_MANIFEST_INVALID',
    });

    const { dir: dir2 } = await fresh('garbled');
    appendFileSync(join(dir2, 'val.jsonl'), '{"id": 3}\n');
    await expect(loadPreparedSplits(dir2, { force: true })).rejects.toMatchObject({
      code: 'FR_ERR_SPLITS_FILE_INVALID',
    });

    rmSync(join(dir2, 'manifest.json'));
    await expect(loadPreparedSplits(dir2)).rejects.toMatchObject({
      code: 'FR_ERR_SPLITS_NOT_PREPARED',
    });
  });

  it('refuses a v1 manifest (train deduplicated against test only) even with force, and says to prepare again', async () => {
    const { dir } = await fresh('v1');
    const manifestPath = join(dir, 'manifest.json');
    const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
    m.format = 'factrecall.splits/v1';
    writeFileSync(manifestPath, JSON.stringify(m));
    await expect(loadPreparedSplits(dir, { force: true })).rejects.toMatchObject({
      code: 'FR_ERR_SPLITS_MANIFEST_INVALID',
      message: expect.stringMatching(/splits\/v1.*data prepare/),
    });
  });

  it('resolves a dataset name to the default directory under the cache', () => {
    expect(resolvePreparedDir('nq_open')).toMatch(/prepared[/\\]nq_open$/);
  });
});
