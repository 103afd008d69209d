import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../lib/paths.ts';
import { predictionsFile, startTestBoard, type TestBoard } from '../../test/support/leaderboard.ts';

const run = promisify(execFile);
const CLI = join(REPO_ROOT, 'bin', 'factrecall.js');

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd: REPO_ROOT });
    return { stdout, stderr, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { stdout: err.stdout, stderr: err.stderr, code: err.code };
  }
}

let tb: TestBoard;
let url: string;

beforeAll(async () => {
  tb = await startTestBoard();
  url = await tb.board.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => tb.close());

describe('factrecall leaderboard', () => {
  it('admin makes a token that works on the server and, with --eval-tokens and --eval-quota, on an env server', async () => {
    const db = join(tb.dir, 'board.sqlite');
    tb.board.store.createTeam('cli-team');
    const envTokens = join(tb.dir, 'env-tokens.json');
    const made = await cli(
      'leaderboard',
      'admin',
      'token',
      'create',
      '--team',
      'cli-team',
      '--eval-tokens',
      envTokens,
      '--eval-quota',
      '5/24h',
      '--db',
      db,
    );
    expect(made.code).toBe(0);
    const { token } = JSON.parse(made.stdout) as { token: string };
    const me = await fetch(`${url}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await me.json()) as { team: string }).team).toBe('cli-team');
    expect(JSON.parse(readFileSync(envTokens, 'utf8'))).toEqual({
      tokens: [
        { token, role: 'eval', name: 'cli-team', evalQuota: { runs: 5, windowMs: 86_400_000 } },
      ],
    });
    expect(statSync(envTokens).mode & 0o777).toBe(0o600);
  }, 300_000);

  it('submit prints the acceptance and the final public score; a file missing a question ends with its code', async () => {
    const file = join(tb.dir, 'preds.jsonl');
    writeFileSync(
      file,
      predictionsFile(tb.test, (r) => r.answers[0]!),
    );
    const base = [
      'leaderboard',
      'submit',
      '--dataset',
      'simpleqa',
      '--model-name',
      'cli-oracle',
      '--server',
      url,
    ];
    const ok = await cli(...base, '--file', file, '--token', tb.teams.alpha!);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toMatch(/accepted sub-\S+: 16 answers; quota 1\/5/);
    expect(ok.stdout).toMatch(/simpleqa cli-oracle: public accuracy 100\.00% \(\d+\/\d+\)/);

    writeFileSync(
      file,
      predictionsFile(tb.test.slice(1), (r) => r.answers[0]!),
    );
    const missing = await cli(...base, '--file', file, '--token', tb.teams.alpha!);
    expect([missing.code, missing.stderr]).toEqual([
      2,
      expect.stringMatching(/FR_ERR_LEADERBOARD_BAD_PREDICTIONS.*1 of 16 questions missing/),
    ]);
  }, 300_000);

  it('serve refuses a bad flag with a coded error', async () => {
    const quota = await cli(
      'leaderboard',
      'serve',
      '--quota',
      'many',
      '--splits',
      `simpleqa=${tb.prepared}`,
    );
    expect([quota.code, quota.stderr]).toEqual([
      2,
      expect.stringMatching(/FR_ERR_LEADERBOARD_BAD_CONFIG: .*--quota must be a whole number/),
    ]);
  }, 300_000);
});
