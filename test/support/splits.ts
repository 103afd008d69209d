/** Helpers shared by the splits tests (not part of the public API). */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { ContainmentDecider } from '../../env/splits/decider.ts';
import type { DeciderFactory } from '../../env/splits/prepare.ts';

/** A temporary directory removed after the file's tests. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `factrecall-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Every file of a prepared directory except run.json (timings), as text by name. */
export function preparedFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) {
    if (f === 'run.json') continue;
    out[f] = readFileSync(join(dir, f), 'utf8');
  }
  return out;
}

/** Wrap a decider factory: count decisions, and abort `controller` after `abortAfter` of them. */
export function countingDecider(
  inner: DeciderFactory,
  opts: { controller?: AbortController; abortAfter?: number } = {},
): { factory: DeciderFactory; calls: () => number } {
  let calls = 0;
  const factory: DeciderFactory = (pool) => {
    const d = inner(pool);
    const wrapped: ContainmentDecider = {
      info: d.info,
      async decide(pair, o) {
        const result = await d.decide(pair, o);
        calls++;
        if (opts.controller && opts.abortAfter !== undefined && calls >= opts.abortAfter) {
          opts.controller.abort();
        }
        return result;
      },
    };
    return wrapped;
  };
  return { factory, calls: () => calls };
}
