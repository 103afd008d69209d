import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFactRecallError } from '../../../lib/errors.ts';
import { startTestMirror } from '../../../test/support/test-mirror.ts';
import { downloadFile } from './resumableDownload.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fr-download-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** 300 KB of deterministic bytes (several TCP chunks, so a cut lands mid-file). */
const BODY = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251));
const SHA = createHash('sha256').update(BODY).digest('hex');
const fast = { backoffMs: 1, maxBackoffMs: 5 };

/** N of a `bytes=N-` Range header. */
function rangeStart(range: string | undefined): number {
  return Number(/^bytes=(\d+)-$/.exec(range ?? '')?.[1] ?? Number.NaN);
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (e) {
    if (isFactRecallError(e)) return e.code;
    throw e;
  }
}

describe('downloadFile', () => {
  it('resumes with a Range request after the connection drops mid-file, and verifies the whole', async () => {
    const mirror = await startTestMirror(
      { 'd/f.bin': BODY },
      { 'd/f.bin': { dropAfterBytes: 100_000 } },
    );
    try {
      const dest = join(dir, 'resume', 'f.bin');
      const r = await downloadFile(`${mirror.baseUrl}/d/f.bin`, dest, {
        ...fast,
        expected: { sha256: SHA },
      });
      expect(r.sha256).toBe(SHA);
      expect(r.attempts).toBe(2);
      expect(Buffer.compare(await readFile(dest), BODY)).toBe(0);
      const [first, second] = mirror.requests;
      expect(first).toMatchObject({ status: 200, range: undefined, sent: 100_000 });
      // Only the missing tail was asked for and sent again. (The client may have kept a little
      // less than the server sent before the cut: undici drops what it had not handed over.)
      const start = rangeStart(second!.range);
      expect(start).toBeGreaterThan(0);
      expect(start).toBeLessThanOrEqual(100_000);
      expect(second).toMatchObject({ status: 206, sent: BODY.length - start });
      expect(existsSync(`${dest}.part`)).toBe(false);
    } finally {
      await mirror.close();
    }
  });

  it('keeps the .part when retries run out, and a later run continues where it stopped', async () => {
    const mirror = await startTestMirror(
      { 'd/f.bin': BODY },
      { 'd/f.bin': { dropAfterBytes: 120_000, times: 1 } },
    );
    try {
      const dest = join(dir, 'restart', 'f.bin');
      const url = `${mirror.baseUrl}/d/f.bin`;
      expect(await codeOf(downloadFile(url, dest, { ...fast, retries: 0 }))).toBe(
        'FR_ERR_DATASET_DOWNLOAD_FAILED',
      );
      const kept = (await readFile(`${dest}.part`)).length;
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThanOrEqual(120_000);
      const r = await downloadFile(url, dest, { ...fast, expected: { sha256: SHA } });
      expect(r.resumedFrom).toBe(kept);
      expect(mirror.requests.at(-1)).toMatchObject({
        range: `bytes=${kept}-`,
        sent: BODY.length - kept,
      });
      expect(Buffer.compare(await readFile(dest), BODY)).toBe(0);
    } finally {
      await mirror.close();
    }
  });

  it('refuses a corrupted body: checksum error, no file, no .part left to resume from', async () => {
    const mirror = await startTestMirror({ 'd/f.bin': BODY }, { 'd/f.bin': { corrupt: true } });
    try {
      const dest = join(dir, 'corrupt', 'f.bin');
      const p = downloadFile(`${mirror.baseUrl}/d/f.bin`, dest, {
        ...fast,
        expected: { sha256: SHA },
      });
      expect(await codeOf(p)).toBe('FR_ERR_DATASET_CHECKSUM_MISMATCH');
      expect(existsSync(dest)).toBe(false);
      expect(existsSync(`${dest}.part`)).toBe(false);
    } finally {
      await mirror.close();
    }
  });

  it('retries a 503, fails a 404 at once, and starts over when the server ignores Range', async () => {
    const mirror = await startTestMirror(
      { 'd/busy.bin': BODY, 'd/norange.bin': BODY },
      {
        'd/busy.bin': { unavailable: true, times: 2 },
        'd/norange.bin': { ignoreRange: true, dropAfterBytes: 50_000 },
      },
    );
    try {
      const busy = await downloadFile(
        `${mirror.baseUrl}/d/busy.bin`,
        join(dir, 'x', 'busy.bin'),
        fast,
      );
      expect(busy.attempts).toBe(3);
      expect(
        await codeOf(downloadFile(`${mirror.baseUrl}/d/missing`, join(dir, 'x', 'm'), fast)),
      ).toBe('FR_ERR_DATASET_HTTP_STATUS');
      expect(mirror.requests.filter((r) => r.path === 'd/missing')).toHaveLength(1);
      const r = await downloadFile(`${mirror.baseUrl}/d/norange.bin`, join(dir, 'x', 'nr.bin'), {
        ...fast,
        expected: { sha256: SHA },
      });
      expect(r.sha256).toBe(SHA);
    } finally {
      await mirror.close();
    }
  });

  it('starts over when the .part came from another URL', async () => {
    const mirror = await startTestMirror({ 'd/f.bin': BODY });
    try {
      const dest = join(dir, 'other', 'f.bin');
      const r0 = downloadFile(`${mirror.baseUrl}/d/f.bin`, dest, fast);
      await r0;
      await writeFile(`${dest}.part`, 'stale bytes from elsewhere');
      await writeFile(`${dest}.part.json`, JSON.stringify({ url: 'http://elsewhere/f.bin' }));
      const r = await downloadFile(`${mirror.baseUrl}/d/f.bin`, dest, {
        ...fast,
        expected: { sha256: SHA },
      });
      expect(r.resumedFrom).toBe(0);
      expect(mirror.requests.at(-1)!.range).toBeUndefined();
    } finally {
      await mirror.close();
    }
  });

  it("refuses to work on a file another live process is downloading, and takes over a dead one's lock", async () => {
    const mirror = await startTestMirror({ 'd/f.bin': BODY });
    try {
      const dest = join(dir, 'locked', 'f.bin');
      await mkdir(join(dir, 'locked'), { recursive: true });
      // Our parent process is alive for sure.
      await writeFile(`${dest}.part.lock`, String(process.ppid));
      expect(await codeOf(downloadFile(`${mirror.baseUrl}/d/f.bin`, dest, fast))).toBe(
        'FR_ERR_DATASET_BUSY',
      );
      expect(mirror.requests).toHaveLength(0);
      // A pid far above any pid_max is no running process: a crash's leftover lock.
      await writeFile(`${dest}.part.lock`, '2147483646');
      const r = await downloadFile(`${mirror.baseUrl}/d/f.bin`, dest, {
        ...fast,
        expected: { sha256: SHA },
      });
      expect(r.sha256).toBe(SHA);
      expect(existsSync(`${dest}.part.lock`)).toBe(false);
    } finally {
      await mirror.close();
    }
  });

  // /dev/full answers every write with ENOSPC: a disk that fills up mid-download.
  it.skipIf(!existsSync('/dev/full'))(
    'turns a full disk into FR_ERR_DATASET_WRITE_FAILED instead of crashing the process, and releases the lock',
    async () => {
      const mirror = await startTestMirror({ 'd/f.bin': BODY });
      try {
        const dest = join(dir, 'full', 'f.bin');
        await mkdir(join(dir, 'full'), { recursive: true });
        await symlink('/dev/full', `${dest}.part`);
        const p = downloadFile(`${mirror.baseUrl}/d/f.bin`, dest, fast);
        expect(await codeOf(p)).toBe('FR_ERR_DATASET_WRITE_FAILED');
        expect(existsSync(dest)).toBe(false);
        expect(existsSync(`${dest}.part.lock`)).toBe(false);
        // Not retried: the disk, not the network, is at fault.
        expect(mirror.requests).toHaveLength(1);
      } finally {
        await mirror.close();
      }
    },
  );
});
