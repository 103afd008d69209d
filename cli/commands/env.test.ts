import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../main.ts';
import { formatCheckReport, runEnvCheck, runEnvSpec } from './env.ts';

/** Run the CLI in process, capturing stdout, stderr and the exit code. */
async function cli(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((c) => out.push(String(c)) > 0);
  vi.spyOn(process.stderr, 'write').mockImplementation((c) => err.push(String(c)) > 0);
  const before = process.exitCode;
  try {
    await main(['node', 'factrecall', ...args]);
    return { out: out.join(''), err: err.join(''), code: Number(process.exitCode ?? 0) };
  } finally {
    vi.restoreAllMocks();
    process.exitCode = before;
  }
}

afterEach(() => vi.restoreAllMocks());

describe('factrecall env', () => {
  it('lists the registered envs', async () => {
    const { out, code } = await cli('env', 'list');
    expect(code).toBe(0);
    expect(out.split('\n')).toContain('FactRecall-v0');
  });

  it('prints the spec, whose fingerprint follows the prompt', async () => {
    const { out } = await cli('env', 'spec');
    const spec = JSON.parse(out);
    expect(spec).toMatchObject({ id: 'FactRecall-v0', dataset: 'factworld', judgeId: 'exact' });
    expect((await runEnvSpec({ prompt: 'cot' })).fingerprint).not.toBe(spec.fingerprint);
  });

  it('runs checkEnv against the local env and passes', async () => {
    const { out, code } = await cli('env', 'check', '--split', 'test', '--group-size', '3');
    expect(code).toBe(0);
    expect(out).toMatch(/10 passed, 0 failed/);
    expect(out).not.toMatch(/FAIL/);
  });

  it('reports bad flags as coded errors on stderr', async () => {
    for (const args of [
      ['--seed', 'x'],
      ['--prompt', 'fewshot'],
      ['--split', 'dev'],
    ]) {
      const { err, code } = await cli('env', 'check', ...args);
      expect(code, args.join(' ')).toBe(2);
      expect(err).toMatch(/^error FR_ERR_ENV_BAD_OPTIONS: /);
    }
    const { err } = await cli('env', 'check', '--id', 'Nope-v1');
    expect(err).toMatch(/^error FR_ERR_ENV_UNKNOWN_ID: .*FactRecall-v0/);
  });

  it('formats a failing report with the reason under the failed check', async () => {
    const report = await runEnvCheck({ batchSize: 1, groupSize: 1 });
    const text = formatCheckReport(report);
    expect(report.ok).toBe(false);
    expect(text).toMatch(/FAIL {2}a batch with a duplicate episode.*\n {6}needs two episodes/);
  });
});
