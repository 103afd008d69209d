/**
 * Loading prepared splits for the env: `loadPreparedSplits('nq_open')` (or a directory) returns
 * a `SplitSource` whose hash is the manifest hash, after checking the manifest's own hash and
 * every split file's sha256 against it. A mismatch is refused with FR_ERR_SPLITS_HASH_MISMATCH;
 * `force` loads anyway and says so in `forced`, in the description and in the hash (which then
 * differs from the manifest's, so a forced env never shares a fingerprint with a clean one).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { canonicalJson, sha256 } from '../../lib/hash.ts';
import { cacheDir } from '../../lib/paths.ts';
import {
  DATASET_NAMES,
  type DatasetName,
  type QARecord,
  SPLIT_NAMES,
  type SplitName,
  type SplitSource,
} from '../types.ts';
import { splitsError } from './errors.ts';
import {
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  type Manifest,
  manifestHash,
  manifestSchema,
} from './manifest.ts';

/** A split source loaded from a prepared directory. */
export interface PreparedSplitSource extends SplitSource {
  dir: string;
  manifest: Manifest;
  /** Files loaded despite a hash mismatch (only with `force`); empty for a clean load. */
  forced: Array<{ file: string; expected: string; actual: string }>;
}

export interface LoadPreparedOptions {
  /** Load even when a file's sha256 differs from the manifest (recorded in `forced`). */
  force?: boolean;
}

/** Where `data prepare` writes a dataset by default: `<cache>/prepared/<name>`. */
export function defaultPreparedDir(dataset: DatasetName): string {
  return cacheDir('prepared', dataset);
}

const qaRecordSchema = z.object({
  id: z.string().min(1),
  dataset: z.enum(DATASET_NAMES),
  question: z.string(),
  answers: z.array(z.string()).min(1),
  meta: z.record(z.string(), z.unknown()),
});

/** Resolve a dataset name (default directory) or a directory / manifest path. */
export function resolvePreparedDir(nameOrDir: string): string {
  if ((DATASET_NAMES as readonly string[]).includes(nameOrDir) && !existsSync(nameOrDir)) {
    return defaultPreparedDir(nameOrDir as DatasetName);
  }
  const p = resolve(nameOrDir);
  if (basename(p) === MANIFEST_FILE && existsSync(p) && statSync(p).isFile())
    return resolve(p, '..');
  return p;
}

export async function loadPreparedSplits(
  nameOrDir: string,
  opts: LoadPreparedOptions = {},
): Promise<PreparedSplitSource> {
  const dir = resolvePreparedDir(nameOrDir);
  const manifestPath = join(dir, MANIFEST_FILE);
  if (!existsSync(manifestPath)) {
    throw splitsError('FR_ERR_SPLITS_NOT_PREPARED', `no ${MANIFEST_FILE} in ${dir}`, {
      details: { dir },
    });
  }
  const manifest = readManifest(manifestPath);
  const forced: PreparedSplitSource['forced'] = [];
  const actualManifestHash = manifestHash(manifest);
  if (actualManifestHash !== manifest.hash) {
    if (!opts.force) {
      throw splitsError(
        'FR_ERR_SPLITS_MANIFEST_INVALID',
        `${manifestPath}: recorded hash ${manifest.hash.slice(0, 12)}, content hashes to ${actualManifestHash.slice(0, 12)} (pass force to load anyway)`,
        { details: { file: manifestPath } },
      );
    }
    forced.push({ file: MANIFEST_FILE, expected: manifest.hash, actual: actualManifestHash });
  }

  const splits: Partial<Record<SplitName, readonly QARecord[]>> = {};
  for (const split of SPLIT_NAMES) {
    const entry = manifest.splits[split];
    const path = join(dir, entry.file);
    if (!existsSync(path)) {
      throw splitsError('FR_ERR_SPLITS_NOT_PREPARED', `${path} is missing`, {
        details: { dir, file: entry.file },
      });
    }
    const bytes = readFileSync(path);
    const actual = sha256(bytes);
    if (actual !== entry.sha256) {
      if (!opts.force) {
        throw splitsError(
          'FR_ERR_SPLITS_HASH_MISMATCH',
          `${path}: manifest says sha256 ${entry.sha256.slice(0, 12)}…, file has ${actual.slice(0, 12)}…`,
          { details: { file: path, expected: entry.sha256, actual } },
        );
      }
      forced.push({ file: entry.file, expected: entry.sha256, actual });
    }
    const records = parseSplitFile(bytes.toString('utf8'), path, manifest.dataset);
    if (records.length > 0) splits[split] = records;
  }

  const short = manifest.hash.slice(0, 12);
  let description = `prepared ${manifest.dataset} splits, manifest ${short} (${manifest.dedup.decider.kind} dedup), ${dir}`;
  let hash = manifest.hash;
  if (forced.length > 0) {
    description += ` FORCED despite hash mismatch: ${forced
      .map((f) => `${f.file} expected ${f.expected.slice(0, 12)} got ${f.actual.slice(0, 12)}`)
      .join('; ')}`;
    hash = sha256(canonicalJson({ manifest: manifest.hash, forced }));
  }
  return { dataset: manifest.dataset, splits, hash, description, dir, manifest, forced };
}

function readManifest(path: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw splitsError('FR_ERR_SPLITS_MANIFEST_INVALID', `${path}: not JSON`, { cause: e });
  }
  const format = (raw as { format?: unknown } | null)?.format;
  if (typeof format === 'string' && format !== MANIFEST_FORMAT) {
    // v1 deduplicated train against test only; its train may hold val facts.
    throw splitsError(
      'FR_ERR_SPLITS_MANIFEST_INVALID',
      `${path}: format ${format}, this version reads ${MANIFEST_FORMAT} (train deduplicated against val too); run \`factrecall data prepare\` again`,
      { details: { file: path, format } },
    );
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw splitsError(
      'FR_ERR_SPLITS_MANIFEST_INVALID',
      `${path}: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'schema mismatch'}`,
    );
  }
  return parsed.data;
}

function parseSplitFile(text: string, path: string, dataset: DatasetName): QARecord[] {
  const out: QARecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '' && i === lines.length - 1) break;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw splitsError('FR_ERR_SPLITS_FILE_INVALID', `${path}:${i + 1}: not JSON`);
    }
    const r = qaRecordSchema.safeParse(value);
    if (!r.success || r.data.dataset !== dataset) {
      const why = r.success
        ? `dataset ${r.data.dataset}, expected ${dataset}`
        : r.error.issues[0]?.message;
      throw splitsError('FR_ERR_SPLITS_FILE_INVALID', `${path}:${i + 1}: ${why}`);
    }
    out.push(r.data as QARecord);
  }
  return out;
}
