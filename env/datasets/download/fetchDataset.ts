/**
 * `factrecall data fetch`: bring a dataset's files into the cache, verified.
 *
 * Each file goes to cacheDir('datasets', <mirrorPath>) with a sidecar
 * `<file>.checksums.json` ({url, bytes, sha256, gitBlobSha1, verified, fetchedAt}). A file
 * already cached is re-hashed and kept when it still matches (known checksums first, else
 * the sidecar); otherwise it is fetched again.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../lib/files.ts';
import { cacheDir } from '../../../lib/paths.ts';
import { checksumFile, checksumMismatch, type FileChecksums } from './checksums.ts';
import { type DownloadOptions, downloadFile } from './resumableDownload.ts';
import { type SourceFile, selectSources, sourceUrl } from './sources.ts';

export interface FetchOptions
  extends Pick<
    DownloadOptions,
    'fetch' | 'retries' | 'backoffMs' | 'maxBackoffMs' | 'idleTimeoutMs' | 'onRetry'
  > {
  /** Parts to fetch (default: the dataset's default parts). */
  parts?: readonly string[];
  /** Mirror base URL; default FACTRECALL_DATA_MIRROR, else each file's home. */
  baseUrl?: string;
  /** Cache root (default cacheDir('datasets')). */
  cacheRoot?: string;
  /** Fetch again even when a good copy is cached. */
  force?: boolean;
  /** Progress of each file: bytes so far and total. */
  onProgress?: (file: SourceFile, bytes: number, total: number | undefined) => void;
}

/** The sidecar written beside each cached file. */
export interface ChecksumRecord extends FileChecksums {
  url: string;
  /** Which known checksum the file was checked against; `recorded` = none known, first fetch. */
  verified: 'sha256' | 'gitBlobSha1' | 'recorded';
  fetchedAt: string;
}

export interface FetchedFile {
  part: string;
  path: string;
  format: SourceFile['format'];
  status: 'downloaded' | 'cached';
  checksums: ChecksumRecord;
  resumedFrom: number;
}

export function cachedPath(file: SourceFile, cacheRoot = cacheDir('datasets')): string {
  return join(cacheRoot, file.mirrorPath);
}

/** Fetch the selected files of a dataset; resolves with where each one is. */
export async function fetchDataset(name: string, opts: FetchOptions = {}): Promise<FetchedFile[]> {
  const files = selectSources(name, opts.parts);
  const baseUrl = opts.baseUrl ?? process.env.FACTRECALL_DATA_MIRROR;
  const out: FetchedFile[] = [];
  for (const file of files) out.push(await fetchOne(file, baseUrl, opts));
  return out;
}

async function fetchOne(
  file: SourceFile,
  baseUrl: string | undefined,
  opts: FetchOptions,
): Promise<FetchedFile> {
  const dest = cachedPath(file, opts.cacheRoot);
  const sidecar = `${dest}.checksums.json`;
  const expected = { sha256: file.sha256, gitBlobSha1: file.gitBlobSha1, bytes: file.bytes };
  if (!opts.force) {
    const cached = await cachedCopy(dest, sidecar, file);
    if (cached) {
      return {
        part: file.part,
        path: dest,
        format: file.format,
        status: 'cached',
        checksums: cached,
        resumedFrom: 0,
      };
    }
  }
  const url = sourceUrl(file, baseUrl);
  const download: DownloadOptions = {
    expected,
    onProgress: (bytes, total) => opts.onProgress?.(file, bytes, total ?? file.bytes),
  };
  for (const key of [
    'fetch',
    'retries',
    'backoffMs',
    'maxBackoffMs',
    'idleTimeoutMs',
    'onRetry',
  ] as const) {
    if (opts[key] !== undefined) Object.assign(download, { [key]: opts[key] });
  }
  const result = await downloadFile(url, dest, download);
  const record: ChecksumRecord = {
    url,
    bytes: result.bytes,
    sha256: result.sha256,
    gitBlobSha1: result.gitBlobSha1,
    verified: file.sha256 ? 'sha256' : file.gitBlobSha1 ? 'gitBlobSha1' : 'recorded',
    fetchedAt: new Date().toISOString(),
  };
  await writeFileAtomic(sidecar, `${JSON.stringify(record, null, 2)}\n`);
  return {
    part: file.part,
    path: dest,
    format: file.format,
    status: 'downloaded',
    checksums: record,
    resumedFrom: result.resumedFrom,
  };
}

/** The sidecar of a cached file that still matches it, else undefined (and the copy is dropped). */
async function cachedCopy(
  dest: string,
  sidecar: string,
  file: SourceFile,
): Promise<ChecksumRecord | undefined> {
  let record: ChecksumRecord;
  try {
    record = JSON.parse(await readFile(sidecar, 'utf8')) as ChecksumRecord;
  } catch {
    return undefined;
  }
  let actual: FileChecksums;
  try {
    actual = await checksumFile(dest);
  } catch {
    return undefined;
  }
  const known = { sha256: file.sha256, gitBlobSha1: file.gitBlobSha1, bytes: file.bytes };
  const recorded = { sha256: record.sha256, bytes: record.bytes };
  if (checksumMismatch(actual, known) || checksumMismatch(actual, recorded)) {
    await rm(dest, { force: true });
    await rm(sidecar, { force: true });
    return undefined;
  }
  return record;
}
