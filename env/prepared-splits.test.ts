import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../test/support/splits.ts';
import { makeFactRecallV0 } from './factrecall-v0.ts';
import { make } from './registry.ts';
import { prepareDataset } from './splits/prepare-dataset.ts';

// Issue 5 item 3: the env loads prepared splits by name; the manifest hash enters the
// fingerprint; a split file that no longer matches its manifest is refused unless forced.
describe('FactRecall-v0 over prepared splits', () => {
  let dir: string;
  let manifestHash: string;

  beforeAll(async () => {
    dir = join(tempDir('env-prepared'), 'factworld');
    const result = await prepareDataset({
      dataset: 'factworld',
      factworld: { people: 60 },
      outDir: dir,
      quiet: true,
    });
    manifestHash = result.manifest.hash;
  });

  it('make() loads them from a directory, with the manifest hash as the source hash', async () => {
    const env = await make('FactRecall-v0', { splits: dir });
    const spec = await env.spec();
    expect(spec.sourceHash).toBe(manifestHash);
    expect(spec.dataset).toBe('factworld');
    const { observations } = await env.reset({ split: 'test', batchSize: 2, groupSize: 1 });
    expect(observations).toHaveLength(2);
    await env.close();
  });

  it('gives a different fingerprint from the FactWorld default world', async () => {
    const prepared = await make('FactRecall-v0', { splits: dir });
    const builtIn = await make('FactRecall-v0', {});
    expect((await prepared.spec()).fingerprint).not.toBe((await builtIn.spec()).fingerprint);
    await Promise.all([prepared.close(), builtIn.close()]);
  });

  it('refuses a tampered split file with a coded error, and loads it with force under another fingerprint', async () => {
    const clean = await make('FactRecall-v0', { splits: dir });
    const cleanFingerprint = (await clean.spec()).fingerprint;
    await clean.close();
    const train = join(dir, 'train.jsonl');
    const original = readFileSync(train, 'utf8');
    try {
      writeFileSync(train, original.split('\n').slice(1).join('\n'));
      await expect(make('FactRecall-v0', { splits: dir })).rejects.toMatchObject({
        code: 'FR_ERR_SPLITS_HASH_MISMATCH',
      });
      const forced = await make('FactRecall-v0', { splits: dir, force: true });
      const spec = await forced.spec();
      expect(spec.fingerprint).not.toBe(cleanFingerprint);
      expect(spec.source).toMatch(/FORCED/);
      await forced.close();
    } finally {
      writeFileSync(train, original);
    }
  });

  it('refuses both `source` and `splits`, and points the sync builder to make()', async () => {
    const source = (await import('./factrecall-v0.ts')).defaultSource();
    await expect(make('FactRecall-v0', { splits: dir, source })).rejects.toMatchObject({
      code: 'FR_ERR_ENV_BAD_OPTIONS',
    });
    expect(() => makeFactRecallV0({ splits: dir })).toThrow(/use make\(\)/);
  });
});
