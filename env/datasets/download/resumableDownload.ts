/**
 * Download one URL to a file: resumable, retried, verified, atomic.
 *
 * Bytes land in `<dest>.part`. A retry (or a later run after a crash) asks for the rest with
 * an HTTP Range request, guarded by If-Range on the ETag/Last-Modified seen first, so a file
 * that changed on the server is started over instead of being spliced. Network errors,
 * bodies cut short and 408/429/5xx are retried with capped exponential backoff and jitter
 * (honouring Retry-After); other statuses fail at once. The finished file is checked against
 * the expected checksums, and only then renamed onto `dest`. A mismatch deletes the part.
 */

import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { backoffMs } from '../../../lib/backoff.ts';
import { writeFileAtomic } from '../../../lib/files.ts';
import { datasetError } from '../errors.ts';
import {
  checksumFile,
  checksumMismatch,
  type ExpectedChecksums,
  type FileChecksums,
} from './checksums.ts';

export interface DownloadOptions {
  /** The fetch to use (tests and proxies inject theirs). Default: global fetch. */
  fetch?: typeof fetch;
  /** Retries after the first attempt (default 5). */
  retries?: number;
  /** First backoff in ms, doubled per retry, with jitter (default 500). */
  backoffMs?: number;
  /** Cap on one backoff wait, Retry-After included (default 30 s). */
  maxBackoffMs?: number;
  /** Abort an attempt when no byte arrives for this long (default 60 s). */
  idleTimeoutMs?: number;
  expected?: ExpectedChecksums;
  /** Bytes on disk so far, and the full size when the server said it. */
  onProgress?: (bytes: number, total: number | undefined) => void;
  /** One line per retry, for logs. */
  onRetry?: (attempt: number, reason: string, waitMs: number) => void;
}

export interface DownloadResult extends FileChecksums {
  path: string;
  /** Bytes that were already in the .part file when this call started. */
  resumedFrom: number;
  attempts: number;
}

/** What the .part file was fetched from, so that a resume asks for the same version. */
interface PartInfo {
  url: string;
  etag?: string;
  lastModified?: string;
}

class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

const RETRY_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * Download `url` to `dest`. Only one process at a time may work on a destination: a second
 * one gets FR_ERR_DATASET_BUSY (retryable) instead of appending to the same .part file.
 */
export async function downloadFile(
  url: string,
  dest: string,
  opts: DownloadOptions = {},
): Promise<DownloadResult> {
  await mkdir(dirname(dest), { recursive: true });
  const release = await lockDestination(`${dest}.part.lock`);
  try {
    return await downloadLocked(url, dest, opts);
  } finally {
    await release();
  }
}

/**
 * Take `<dest>.part.lock` (created exclusively, holding our pid). A lock left by a process
 * that no longer runs is taken over.
 */
async function lockDestination(lockPath: string): Promise<() => Promise<void>> {
  for (let tries = 0; tries < 2; tries++) {
    try {
      await writeFile(lockPath, String(process.pid), { flag: 'wx' });
      return () => rm(lockPath, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(await readFile(lockPath, 'utf8').catch(() => ''));
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
        throw datasetError('FR_ERR_DATASET_BUSY', `${lockPath} is held by process ${holder}`);
      }
      await rm(lockPath, { force: true });
    }
  }
  throw datasetError('FR_ERR_DATASET_BUSY', `${lockPath} keeps being taken`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function downloadLocked(
  url: string,
  dest: string,
  opts: DownloadOptions,
): Promise<DownloadResult> {
  const part = `${dest}.part`;
  const infoPath = `${part}.json`;
  const retries = opts.retries ?? 5;
  const info = await readPartInfo(infoPath);
  if (info && info.url !== url) await rm(part, { force: true });
  const resumedFrom = info?.url === url ? await sizeOf(part) : 0;

  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      await attempt(url, part, infoPath, opts);
      break;
    } catch (e) {
      if (!(e instanceof RetryableError) && !isNetworkError(e)) throw e;
      const reason = (e as Error).message;
      if (attempts > retries) {
        throw datasetError(
          'FR_ERR_DATASET_DOWNLOAD_FAILED',
          `${url} after ${attempts} attempts: ${reason} (${await sizeOf(part)} bytes kept in ${part})`,
          { cause: e },
        );
      }
      const capMs = opts.maxBackoffMs ?? 30_000;
      const wait = Math.min(
        capMs,
        (e instanceof RetryableError ? e.retryAfterMs : undefined) ??
          backoffMs(attempts - 1, { baseMs: opts.backoffMs ?? 500, capMs, jitter: 0.5 }),
      );
      opts.onRetry?.(attempts, reason, wait);
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  const sums = await checksumFile(part);
  const mismatch = checksumMismatch(sums, opts.expected ?? {});
  if (mismatch) {
    await rm(part, { force: true });
    await rm(infoPath, { force: true });
    throw datasetError('FR_ERR_DATASET_CHECKSUM_MISMATCH', `${url}: ${mismatch}`, {
      details: { url, ...sums },
    });
  }
  await rename(part, dest);
  await rm(infoPath, { force: true });
  return { path: dest, resumedFrom, attempts, ...sums };
}

/** One request: append what the server sends to the part file, or throw. */
async function attempt(url: string, part: string, infoPath: string, opts: DownloadOptions) {
  const info = await readPartInfo(infoPath);
  let offset = info?.url === url ? await sizeOf(part) : 0;
  const headers: Record<string, string> = {};
  if (offset > 0) {
    headers.range = `bytes=${offset}-`;
    const validator = info?.etag ?? info?.lastModified;
    if (validator) headers['if-range'] = validator;
  }
  const controller = new AbortController();
  let idle: NodeJS.Timeout | undefined;
  const armIdle = () => {
    clearTimeout(idle);
    idle = setTimeout(
      () => controller.abort(new Error('no data for too long')),
      opts.idleTimeoutMs ?? 60_000,
    );
  };
  armIdle();
  try {
    const res = await (opts.fetch ?? fetch)(url, { headers, signal: controller.signal });
    if (res.status === 416 && offset > 0) {
      // Nothing past our offset: complete if the server's size is ours, else start over.
      const total = /\/(\d+)$/.exec(res.headers.get('content-range') ?? '')?.[1];
      await res.body?.cancel();
      if (total !== undefined && Number(total) === offset) return;
      await rm(part, { force: true });
      throw new RetryableError('range not satisfiable; starting over');
    }
    if (RETRY_STATUS.has(res.status)) {
      await res.body?.cancel();
      throw new RetryableError(`HTTP ${res.status}`, retryAfterMs(res.headers.get('retry-after')));
    }
    if (res.status !== 200 && res.status !== 206) {
      await res.body?.cancel();
      throw datasetError('FR_ERR_DATASET_HTTP_STATUS', `${url}: HTTP ${res.status}`, {
        details: { url, status: res.status },
      });
    }
    let total: number | undefined;
    if (res.status === 206) {
      const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
      if (!m || Number(m[1]) !== offset) {
        await res.body?.cancel();
        await rm(part, { force: true });
        throw new RetryableError('server answered a different range; starting over');
      }
      total = m[2] === '*' ? undefined : Number(m[2]);
    } else {
      // A full body: the server ignored the range, or the file changed (If-Range).
      offset = 0;
      const length = res.headers.get('content-length');
      total = length === null ? undefined : Number(length);
    }
    const newInfo: PartInfo = { url };
    const etag = res.headers.get('etag');
    const lastModified = res.headers.get('last-modified');
    if (etag && !etag.startsWith('W/')) newInfo.etag = etag;
    if (lastModified) newInfo.lastModified = lastModified;
    if (offset === 0 || !info) await writeFileAtomic(infoPath, JSON.stringify(newInfo));

    let written = offset;
    // pipeline, not a hand-written write loop: a write error (a full disk) rejects here and
    // closes the file, instead of an 'error' event nobody listens to crashing the process (or
    // a 'drain' that never comes hanging it). An empty body still creates an empty part.
    const body: AsyncIterable<Uint8Array> = res.body ?? (async function* () {})();
    try {
      await pipeline(
        body,
        async function* (chunks: AsyncIterable<Uint8Array>) {
          for await (const chunk of chunks) {
            armIdle();
            written += chunk.byteLength;
            opts.onProgress?.(written, total);
            yield chunk;
          }
        },
        createWriteStream(part, { flags: offset > 0 ? 'a' : 'w' }),
      );
    } catch (e) {
      if (isWriteError(e)) {
        throw datasetError(
          'FR_ERR_DATASET_WRITE_FAILED',
          `${url}: cannot write ${part}: ${(e as Error).message}`,
          { cause: e, details: { url, file: part } },
        );
      }
      throw e;
    }
    if (total !== undefined && written !== total) {
      throw new RetryableError(`body ended at byte ${written} of ${total}`);
    }
  } catch (e) {
    if (controller.signal.aborted) throw new RetryableError('no data for too long');
    throw e;
  } finally {
    clearTimeout(idle);
  }
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

const NETWORK_CODES =
  /^(ECONNRESET|ECONNREFUSED|ECONNABORTED|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_\w+)$/;

/**
 * Errors of the socket or the body stream. Node's fetch throws `TypeError('fetch failed')` or
 * `TypeError('terminated')` with the socket error as cause.
 */
function isNetworkError(e: unknown): boolean {
  for (let err = e, depth = 0; err instanceof Error && depth < 4; err = err.cause, depth++) {
    if (err.name === 'FactRecallError') return false;
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && NETWORK_CODES.test(code)) return true;
    if (err.name === 'TypeError' && /fetch failed|terminated|other side closed/.test(err.message)) {
      return true;
    }
  }
  return false;
}

/** A file-system error from writing the part file (no retry can fix a full or read-only disk). */
function isWriteError(e: unknown): boolean {
  const err = e as NodeJS.ErrnoException;
  return (
    e instanceof Error &&
    typeof err.syscall === 'string' &&
    ['open', 'write', 'close', 'fsync'].includes(err.syscall) &&
    typeof err.code === 'string' &&
    !NETWORK_CODES.test(err.code)
  );
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function readPartInfo(path: string): Promise<PartInfo | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as PartInfo;
    return typeof parsed.url === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
