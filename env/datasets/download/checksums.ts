/** Checksums of downloaded files: sha256, and git's blob SHA-1 (`git hash-object`). */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

export interface FileChecksums {
  bytes: number;
  sha256: string;
  /** sha1 of `blob <bytes>\0` + content, as git hashes a file. */
  gitBlobSha1: string;
}

/** Both checksums in one read of the file. */
export async function checksumFile(path: string): Promise<FileChecksums> {
  const { size } = await stat(path);
  const sha256 = createHash('sha256');
  const sha1 = createHash('sha1').update(`blob ${size}\0`);
  for await (const chunk of createReadStream(path)) {
    sha256.update(chunk as Buffer);
    sha1.update(chunk as Buffer);
  }
  return { bytes: size, sha256: sha256.digest('hex'), gitBlobSha1: sha1.digest('hex') };
}

export interface ExpectedChecksums {
  sha256?: string;
  gitBlobSha1?: string;
  bytes?: number;
}

/** The first disagreement between what was expected and what the file is, or undefined. */
export function checksumMismatch(
  actual: FileChecksums,
  expected: ExpectedChecksums,
): string | undefined {
  if (expected.sha256 && expected.sha256 !== actual.sha256) {
    return `sha256 ${actual.sha256}, expected ${expected.sha256}`;
  }
  if (expected.gitBlobSha1 && expected.gitBlobSha1 !== actual.gitBlobSha1) {
    return `git blob ${actual.gitBlobSha1}, expected ${expected.gitBlobSha1}`;
  }
  if (expected.bytes !== undefined && expected.bytes !== actual.bytes) {
    return `${actual.bytes} bytes, expected ${expected.bytes}`;
  }
  return undefined;
}
