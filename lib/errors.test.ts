import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { status as grpcStatus } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { allErrorCodes, FactRecallError, GRPC_STATUS } from './errors.ts';

const root = join(import.meta.dirname, '..');
const SKIP = new Set(['node_modules', '.git', '.venv', 'runs', '.cache']);

async function findCatalogues(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await findCatalogues(p)));
    else if (entry.name === 'errors.ts' && relative(root, p) !== 'lib/errors.ts') out.push(p);
  }
  return out;
}

/** Rows of the docs table: | `FR_ERR_...` | retryable | grpc | message | */
function documentedCodes(): Map<string, { retryable: string; grpc: string }> {
  const text = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');
  const rows = new Map<string, { retryable: string; grpc: string }>();
  for (const m of text.matchAll(
    /^\|\s*`(FR_ERR_[A-Z0-9_]+)`\s*\|\s*(yes|no)\s*\|\s*([A-Z_]+)\s*\|/gm,
  )) {
    rows.set(m[1]!, { retryable: m[2]!, grpc: m[3]! });
  }
  return rows;
}

describe('the error catalogue', () => {
  it('documents every code in docs/errors.md, with the same retryable flag and gRPC status, and no stale rows', async () => {
    for (const file of await findCatalogues(root)) await import(file);
    const docs = documentedCodes();
    const codes = allErrorCodes();
    expect(codes.size).toBeGreaterThan(0);
    for (const [code, spec] of codes) {
      expect(docs.get(code), `${code} missing from docs/errors.md`).toEqual({
        retryable: spec.retryable ? 'yes' : 'no',
        grpc: spec.grpc,
      });
    }
    for (const code of docs.keys())
      expect(codes.has(code), `${code} documented but not defined`).toBe(true);
  });

  it('refuses an error with a code that no catalogue defines', () => {
    expect(() => new FactRecallError('FR_ERR_NOPE_NOTHING')).toThrow(/not in any catalogue/);
  });

  it('maps every gRPC status name to the number grpc-js gives it, all 17 of them', () => {
    const fromGrpc = Object.fromEntries(
      Object.entries(grpcStatus).filter(([name]) => Number.isNaN(Number(name))),
    );
    expect(Object.keys(GRPC_STATUS)).toHaveLength(17);
    expect(GRPC_STATUS).toEqual(fromGrpc);
  });
});
