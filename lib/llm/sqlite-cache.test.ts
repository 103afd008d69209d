import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openFileCount } from '../../test/support/open-files.ts';
import { SqliteCache } from './sqlite-cache.ts';

const dir = mkdtempSync(join(tmpdir(), 'fr-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run `n` writes from a separate Node process through SqliteCache. */
function writer(path: string, tag: string, n: number): Promise<number> {
  const script = `
    const { SqliteCache } = await import(${JSON.stringify(join(import.meta.dirname, 'sqlite-cache.ts'))});
    const c = new SqliteCache(${JSON.stringify(path)});
    for (let i = 0; i < ${n}; i++) c.set('ns', ${JSON.stringify(tag)} + i, { i });
    c.close();`;
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    p.stderr.on('data', (d) => {
      err += d;
    });
    p.on('error', reject);
    p.on('exit', (code) =>
      code === 0 ? resolve(code) : reject(new Error(`writer ${tag} exited ${code}: ${err}`)),
    );
  });
}

describe('the SQLite cache', () => {
  it('sees its own writes at once and writes them in one batch on the next loop turn', async () => {
    const path = join(dir, 'batched.sqlite');
    const a = new SqliteCache(path);
    const b = new SqliteCache(path);
    for (let i = 0; i < 50; i++) a.set('ns', `k${i}`, { i });
    expect(a.get('ns', 'k7')).toEqual({ i: 7 });
    expect(b.get('ns', 'k7')).toBeUndefined(); // not in the file yet
    await new Promise((r) => setImmediate(r));
    expect(b.get('ns', 'k7')).toEqual({ i: 7 });
    a.set('ns', 'late', 1);
    a.flush();
    expect(b.get('ns', 'late')).toBe(1);
    expect(a.writeErrors).toBe(0);
    a.close();
    b.close();
  });

  it('keeps values across a close and reopen, per namespace', () => {
    const path = join(dir, 'reopen.sqlite');
    const a = new SqliteCache(path);
    a.set('fp1', 'k', { verdict: 'correct' });
    a.namespace('fp2').set('k', { verdict: 'incorrect' });
    a.close();
    const b = new SqliteCache(path);
    expect(b.get('fp1', 'k')).toEqual({ verdict: 'correct' });
    expect(b.namespace('fp2').get('k')).toEqual({ verdict: 'incorrect' });
    expect(b.get('fp3', 'k')).toBeUndefined();
    expect(b.stats()).toMatchObject({
      entries: 2,
      namespaces: [
        { namespace: 'fp1', entries: 1 },
        { namespace: 'fp2', entries: 1 },
      ],
    });
    expect(b.clear('fp1')).toBe(1);
    expect(b.clear()).toBe(1);
    expect(b.stats().entries).toBe(0);
    b.close();
  });

  it('loses no write when several processes write at once', async () => {
    const path = join(dir, 'concurrent.sqlite');
    new SqliteCache(path).close();
    await Promise.all(['a', 'b', 'c'].map((tag) => writer(path, tag, 300)));
    const c = new SqliteCache(path);
    expect(c.stats().entries).toBe(900);
    expect(c.get('ns', 'b299')).toEqual({ i: 299 });
    c.close();
  }, 60_000);

  it('reports a file that is not a database as FR_ERR_LLM_CACHE', async () => {
    const { writeFileSync } = await import('node:fs');
    const path = join(dir, 'garbage.sqlite');
    writeFileSync(
      path,
      'this is not a database, just text that is long enough to have a header '.repeat(20),
    );
    expect(() => new SqliteCache(path)).toThrow(/answer cache cannot be opened/);
    expect(openFileCount(path) ?? 0).toBe(0);
  });

  it('closes the database it opened when the schema version is not its own', async () => {
    const { default: Database } = await import('better-sqlite3');
    const path = join(dir, 'future.sqlite');
    const db = new Database(path);
    db.exec(
      "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema_version', '99')",
    );
    db.close();
    expect(() => new SqliteCache(path)).toThrow(/schema version 99, expected 1/);
    expect(openFileCount(path) ?? 0).toBe(0);
  });
});
