import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasSharedDatasets } from '../../lib/paths.ts';
import { countingDecider, preparedFiles, tempDir } from '../../test/support/splits.ts';
import { DECISION_LOG_FILE } from './manifest.ts';
import { heuristicDecider } from './prepare.ts';
import { prepareDataset } from './prepare-dataset.ts';

const root = tempDir('resume');
const logKeys = (dir: string) =>
  readFileSync(join(dir, DECISION_LOG_FILE), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { key: string }).key);

describe.skipIf(!hasSharedDatasets())('an interrupted preparation', () => {
  it('stops with FR_ERR_SPLITS_CANCELLED, keeps its decisions, and resumes to the same result as an uninterrupted run without deciding anything twice', async () => {
    const base = { dataset: 'simpleqa' as const, seed: 3, concurrency: 1, quiet: true };
    const full = join(root, 'full');
    const whole = countingDecider(heuristicDecider());
    const reference = await prepareDataset({ ...base, outDir: full, decider: whole.factory });
    const total = reference.manifest.dedup.summary.candidatePairs;
    expect(whole.calls()).toBe(total);

    const dir = join(root, 'interrupted');
    const controller = new AbortController();
    const first = countingDecider(heuristicDecider(), { controller, abortAfter: 1000 });
    await expect(
      prepareDataset({ ...base, outDir: dir, decider: first.factory, signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'FR_ERR_SPLITS_CANCELLED' });
    expect(first.calls()).toBe(1000);
    expect(logKeys(dir)).toHaveLength(1000);
    // No manifest vouches for an unfinished directory.
    expect(preparedFiles(dir)['manifest.json']).toBeUndefined();

    const second = countingDecider(heuristicDecider());
    const resumed = await prepareDataset({ ...base, outDir: dir, decider: second.factory });
    expect(second.calls()).toBe(total - 1000);
    expect(resumed.dedup.run.fromLog).toBe(1000);
    const keys = logKeys(dir);
    expect(keys).toHaveLength(total);
    expect(new Set(keys).size).toBe(total);
    expect(resumed.manifest.hash).toBe(reference.manifest.hash);
    const { 'decisions.log.jsonl': _a, ...resumedFiles } = preparedFiles(dir);
    const { 'decisions.log.jsonl': _b, ...referenceFiles } = preparedFiles(full);
    expect(resumedFiles).toEqual(referenceFiles);

    // A third run decides nothing at all.
    const third = countingDecider(heuristicDecider());
    await prepareDataset({ ...base, outDir: dir, decider: third.factory });
    expect(third.calls()).toBe(0);
  }, 180_000); // two preparations of a real file on a possibly busy machine
});
