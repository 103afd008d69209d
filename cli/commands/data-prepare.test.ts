import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../main.ts';

const dir = mkdtempSync(join(tmpdir(), 'factrecall-cli-prepare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s);
    return true;
  });
  process.exitCode = 0;
  try {
    await main(['node', 'factrecall', ...args]);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { out, err, code };
}

describe('factrecall data prepare / data report', () => {
  it('prepares FactWorld into a directory and reports it', async () => {
    const out = join(dir, 'fw');
    const prep = await cli(
      'data',
      'prepare',
      '--dataset',
      'factworld',
      '--people',
      '50',
      '--out',
      out,
      '--quiet',
    );
    expect(prep.code).toBe(0);
    expect(prep.out).toMatch(/factworld \(factworld-people, seed 0\)/);
    expect(prep.out).toMatch(/note: OFFLINE HEURISTIC/);
    const report = await cli('data', 'report', '--dir', out);
    expect(report.out).toMatch(/^dataset\s+mode\s+dedup/);
    expect(report.out).toMatch(/factworld\s+factworld-people\s+heuristic/);
  });

  it('turns bad options into coded errors', async () => {
    const bad = await cli('data', 'prepare', '--dataset', 'nope');
    expect(bad.err).toMatch(/^error FR_ERR_SPLITS_INVALID_OPTIONS: .*--dataset nope/);
    const k = await cli(
      'data',
      'prepare',
      '--dataset',
      'factworld',
      '--top-k',
      'x',
      '--out',
      join(dir, 'x'),
    );
    expect(k.err).toMatch(/FR_ERR_SPLITS_INVALID_OPTIONS/);
    expect(k.code).toBe(2);
  });
});
