/**
 * A random-weight transformers model directory for tests of the hf engine from TypeScript:
 * built by the worker tests' `tiny_hf.build_tiny_hf` (a word-level tokenizer with a ChatML
 * template and a 2-layer Llama, about a second), once per directory.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../lib/paths.ts';

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
