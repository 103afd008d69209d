/**
 * Checkpoints for an exact resume. One checkpoint is a folder `checkpoints/step-<N>/` holding
 * the worker's own save (weights, optimizer, reference model, torch RNG) in `worker/` and the
 * coordinator's state in `coordinator.json` (step, data cursor and epoch, RNG, metrics so far).
 *
 * Written so that a crash at any moment leaves the previous checkpoint usable: everything goes
 * into a hidden partial folder, which is renamed into place when complete; only then is
 * `latest.json` replaced (atomically) to point at it, and older checkpoints pruned.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../lib/files.ts';
import { trainError } from './errors.ts';
import type { MetricsRow } from './metrics.ts';

export const CHECKPOINT_VERSION = 1;

export interface CoordinatorState {
  version: typeof CHECKPOINT_VERSION;
  /** Steps completed. */
  step: number;
  /** learningHash of the config that wrote it: resume refuses a different one. */
  learningHash: string;
  /** Where the env's training order stands after the last trained batch. */
  data: { epoch: number; cursor: number };
  /** Coordinator RNG state (Rng.snapshot). */
  rng: number;
  metrics: MetricsRow[];
  /** Anything else the run must carry across a resume (evaluations before RL...). */
  extra: Record<string, unknown>;
  savedAt: string;
}

export interface CheckpointRef {
  step: number;
  dir: string;
  workerDir: string;
}

function stepDirName(step: number): string {
  return `step-${String(step).padStart(6, '0')}`;
}

export function checkpointsDir(runDir: string): string {
  return join(runDir, 'checkpoints');
}

/**
 * Write a checkpoint. `saveWorker(dir)` must write the worker's state into `dir` (the worker
 * `save` call). Keeps the newest `keepLast` checkpoints.
 */
export async function writeCheckpoint(
  runDir: string,
  state: CoordinatorState,
  saveWorker: (dir: string) => Promise<void>,
  keepLast: number,
): Promise<CheckpointRef> {
  const root = checkpointsDir(runDir);
  await mkdir(root, { recursive: true });
  const name = stepDirName(state.step);
  const partial = join(root, `.${name}.partial-${randomBytes(4).toString('hex')}`);
  await mkdir(join(partial, 'worker'), { recursive: true });
  try {
    await saveWorker(join(partial, 'worker'));
    await writeFileAtomic(join(partial, 'coordinator.json'), `${JSON.stringify(state)}\n`);
    const final = join(root, name);
    await rm(final, { recursive: true, force: true });
    await rename(partial, final);
  } catch (e) {
    await rm(partial, { recursive: true, force: true });
    throw e;
  }
  await writeFileAtomic(
    join(root, 'latest.json'),
    `${JSON.stringify({ step: state.step, dir: name })}\n`,
  );
  await prune(root, keepLast);
  return { step: state.step, dir: join(root, name), workerDir: join(root, name, 'worker') };
}

async function prune(root: string, keepLast: number): Promise<void> {
  const entries = await readdir(root, { withFileTypes: true });
  const complete = entries
    .filter((e) => e.isDirectory() && /^step-\d+$/.test(e.name))
    .map((e) => e.name)
    .sort();
  for (const old of complete.slice(0, Math.max(0, complete.length - keepLast))) {
    await rm(join(root, old), { recursive: true, force: true });
  }
  for (const e of entries) {
    if (e.name.startsWith('.step-') && e.name.includes('.partial-'))
      await rm(join(root, e.name), { recursive: true, force: true });
  }
}

/**
 * The checkpoint `latest.json` points at, checked against the config's learning hash.
 * Throws FR_ERR_TRAIN_CHECKPOINT_MISSING when there is none.
 */
export async function readLatestCheckpoint(
  runDir: string,
  learningHash: string,
): Promise<{ ref: CheckpointRef; state: CoordinatorState }> {
  const root = checkpointsDir(runDir);
  const latestPath = join(root, 'latest.json');
  if (!existsSync(latestPath))
    throw trainError('FR_ERR_TRAIN_CHECKPOINT_MISSING', `no ${latestPath}`);
  let state: CoordinatorState;
  let dir: string;
  try {
    const latest = JSON.parse(await readFile(latestPath, 'utf8')) as { dir: string };
    dir = join(root, latest.dir);
    state = JSON.parse(await readFile(join(dir, 'coordinator.json'), 'utf8')) as CoordinatorState;
  } catch (e) {
    throw trainError('FR_ERR_TRAIN_CHECKPOINT_CORRUPT', `${latestPath}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (state.version !== CHECKPOINT_VERSION)
    throw trainError(
      'FR_ERR_TRAIN_CHECKPOINT_CORRUPT',
      `${dir}: version ${state.version}, expected ${CHECKPOINT_VERSION}`,
    );
  if (state.learningHash !== learningHash)
    throw trainError(
      'FR_ERR_TRAIN_CHECKPOINT_CORRUPT',
      `${dir} was written under learning config ${state.learningHash}, this config is ${learningHash}`,
    );
  return { ref: { step: state.step, dir, workerDir: join(dir, 'worker') }, state };
}
