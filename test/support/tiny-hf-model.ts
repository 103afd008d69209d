/**
 * A random-weight transformers model directory for tests of the hf engine from TypeScript:
 * built by the worker tests' `tiny_hf.build_tiny_hf` (a word-level tokenizer with a ChatML
 * template and a 2-layer Llama, about a second), once per directory.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startLoopbackServer } from '../../cuda-agent/coordinator/training/env-connection.ts';
import { generateWorld, worldSplitSource } from '../../env/datasets/factworld/index.ts';
import { REPO_ROOT } from '../../lib/paths.ts';
import type { RunningServer } from '../../protocol/server.ts';

export function buildTinyHfModel(python: string, dir: string): string {
  const tests = join(REPO_ROOT, 'cuda-agent', 'worker', 'tests');
  const worker = join(REPO_ROOT, 'cuda-agent', 'worker');
  execFileSync(
    python,
    [
      '-c',
      'import sys; sys.path[:0] = sys.argv[1:3]; from tiny_hf import build_tiny_hf; build_tiny_hf(sys.argv[3])',
      tests,
      worker,
      dir,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return dir;
}

/**
 * The rig of an hf-engine end-to-end test, set up in `beforeAll`: a temp folder, a tiny model
 * in it and a loopback env server on a small FactWorld (closed in `afterAll`).
 */
export function tinyHfRig(python: string, prefix: string) {
  const rig = { dir: '', model: '', server: undefined as RunningServer | undefined };
  beforeAll(async () => {
    rig.dir = await mkdtemp(join(tmpdir(), prefix));
    rig.model = buildTinyHfModel(python, join(rig.dir, 'model'));
    rig.server = await startLoopbackServer(
      worldSplitSource(generateWorld({ seed: 2, people: 40 })),
      rig.dir,
    );
  }, 120_000);
  afterAll(async () => {
    await rig.server?.close();
  });
  return rig;
}
