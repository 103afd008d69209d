/**
 * `fetchDataset` against a local mirror serving the real shared files: the registry's known
 * checksums are checked against the real bytes, and the cached files load like the originals.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFactRecallError } from '../../../lib/errors.ts';
import { hasSharedDatasets, sharedDatasetsDir } from '../../../lib/paths.ts';
import { startTestMirror, type TestMirror } from '../../../test/support/test-mirror.ts';
import { loadDatasetFile } from '../load.ts';
import { fetchDataset } from './fetchDataset.ts';

const present = hasSharedDatasets();
if (!present) console.warn(`skipping fetch tests on real files: ${sharedDatasetsDir()} is missing`);

describe.skipIf(!present)('fetchDataset through a mirror', () => {
  let mirror: TestMirror;
  let cacheRoot: string;
  const fast = { backoffMs: 1, maxBackoffMs: 5 };

  beforeAll(async () => {
    const real = (rel: string) => readFile(join(sharedDatasetsDir(), rel));
    const nq = await real('nq_open/NQ-open.dev.jsonl');
    mirror = await startTestMirror(
      {
        'nq_open/NQ-open.dev.jsonl': nq,
        'simpleqa/simple_qa_test_set.csv': await real('simpleqa/simple_qa_test_set.csv'),
        'triviaqa/topics.dpr.trivia.test.txt': await real('triviaqa/topics.dpr.trivia.test.txt'),
        // Not the real popQA.tsv: its git blob id is known, so this must be refused.
        'popqa/popQA.tsv': 'id\tquestion\tpossible_answers\n1\tq?\t["a"]\n',
      },
      { 'simpleqa/simple_qa_test_set.csv': { dropAfterBytes: 700_000 } },
    );
    cacheRoot = await mkdtemp(join(tmpdir(), 'fr-fetch-'));
  });
  afterAll(async () => {
    await mirror.close();
    await rm(cacheRoot, { recursive: true, force: true });
  });

  it('fetches, verifies against the known sha256, records checksums beside the file, and loads it', async () => {
    const [nq] = await fetchDataset('nq_open', {
      parts: ['dev'],
      baseUrl: mirror.baseUrl,
      cacheRoot,
      ...fast,
    });
    expect(nq).toMatchObject({
      status: 'downloaded',
      checksums: { verified: 'sha256', bytes: 391_316 },
    });
    const sidecar = JSON.parse(await readFile(`${nq!.path}.checksums.json`, 'utf8'));
    expect(sidecar.sha256).toBe('f15567f38099f3615f5b8a685c0aef449c11ad90d3da3735e8d1b98115b40616');
    expect(sidecar.gitBlobSha1).toBe('18e80da5a6cf5e0a9274bb843c18128ff9882ffd');
    const loaded = await loadDatasetFile(nq!.path);
    expect([loaded.records.length, loaded.errors.length]).toEqual([3610, 0]);
  });

  it('resumes the SimpleQA CSV after a drop, and takes FACTRECALL_DATA_MIRROR as the base URL', async () => {
    process.env.FACTRECALL_DATA_MIRROR = mirror.baseUrl;
    try {
      const [sq] = await fetchDataset('simpleqa', { cacheRoot, ...fast });
      expect(sq!.status).toBe('downloaded');
      const ranged = mirror.requests.filter((r) => r.path.startsWith('simpleqa/') && r.range);
      expect(ranged).toHaveLength(1);
      const start = Number(/^bytes=(\d+)-$/.exec(ranged[0]!.range ?? '')?.[1]);
      expect(start).toBeGreaterThan(0);
      expect(start).toBeLessThanOrEqual(700_000);
      expect(ranged[0]!.status).toBe(206);
      expect((await loadDatasetFile(sq!.path)).records).toHaveLength(4326);
    } finally {
      delete process.env.FACTRECALL_DATA_MIRROR;
    }
  });

  it('uses a good cached copy without a request, and fetches again a copy that was tampered with', async () => {
    const opts = { parts: ['dev'], baseUrl: mirror.baseUrl, cacheRoot, ...fast };
    const before = mirror.requests.length;
    const [cached] = await fetchDataset('nq_open', opts);
    expect(cached!.status).toBe('cached');
    expect(mirror.requests.length).toBe(before);
    await writeFile(cached!.path, 'tampered');
    const [again] = await fetchDataset('nq_open', opts);
    expect(again!.status).toBe('downloaded');
    expect(again!.checksums.verified).toBe('sha256');
  });

  it('verifies the DPR TriviaQA file by its known checksums too', async () => {
    const [tq] = await fetchDataset('triviaqa', {
      parts: ['dpr-test'],
      baseUrl: mirror.baseUrl,
      cacheRoot,
      ...fast,
    });
    expect(tq!.checksums.sha256).toBe(
      '041ed9ddd2977c7fe452d290cf60e1f7e0a803977b0f912e234d218261c10e57',
    );
  });

  it('refuses a file that does not match its known git blob id, and names an unknown part', async () => {
    const code = async (p: Promise<unknown>) =>
      p.then(
        () => 'no error',
        (e: unknown) => (isFactRecallError(e) ? e.code : String(e)),
      );
    expect(await code(fetchDataset('popqa', { baseUrl: mirror.baseUrl, cacheRoot, ...fast }))).toBe(
      'FR_ERR_DATASET_CHECKSUM_MISMATCH',
    );
    expect(existsSync(join(cacheRoot, 'popqa', 'popQA.tsv'))).toBe(false);
    expect(await code(fetchDataset('popqa', { parts: ['nope'], cacheRoot }))).toBe(
      'FR_ERR_DATASET_NO_SOURCE',
    );
    expect(await code(fetchDataset('factworld', { cacheRoot }))).toBe('FR_ERR_DATASET_NO_SOURCE');
  });
});
