import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../lib/paths.ts';
import { predictionsFile, prepareFixture } from '../test/support/leaderboard.ts';
import { type OpenAiTestServer, startOpenAiTestServer } from '../test/support/openai-server.ts';
import { Store } from './store.ts';

let dir: string;
let llm: OpenAiTestServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fr-board-restart-'));
  // Every LLM verdict takes 80 ms, so scoring takes seconds and a kill lands mid-way.
  llm = await startOpenAiTestServer({ latencyMs: 80 });
});
afterAll(async () => {
  await llm.close();
  await rm(dir, { recursive: true, force: true });
});

function startServer(db: string, prepared: string): Promise<{ child: ChildProcess; url: string }> {
  const judge = JSON.stringify({
    kind: 'llm',
    options: { baseURL: llm.baseURL, model: 'grader', cachePath: null, concurrency: 1 },
  });
  const child = spawn(
    process.execPath,
    [
      join(REPO_ROOT, 'bin', 'factrecall.js'),
      'leaderboard',
      'serve',
      '--db',
      db,
      '--splits',
      `simpleqa=${prepared}`,
      '--port',
      '0',
      '--judge',
      judge,
      '--score-chunk',
      '2',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`leaderboard serve exited ${code}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      resolve({ child, url: (JSON.parse(line) as { url: string }).url });
    });
  });
}

const verdicts = (db: string, id: string) => {
  const d = new Database(db, { readonly: true });
  try {
    return (
      d.prepare('SELECT COUNT(*) AS n FROM verdicts WHERE submission_id = ?').get(id) as {
        n: number;
      }
    ).n;
  } finally {
    d.close();
  }
};

describe('leaderboard serve killed mid-scoring (SIGKILL)', () => {
  it('loses no submission: after a restart the scoring finishes with every answer judged once', async () => {
    const test = await prepareFixture(dir);
    const prepared = join(dir, 'prepared');
    const db = join(dir, 'board.sqlite');
    const store = new Store(db);
    store.createTeam('alpha');
    const token = store.createToken('alpha').token;
    store.close();

    const first = await startServer(db, prepared);
    // Not exact matches, so each goes to the LLM judge: "<gold> indeed" is correct by its rules.
    const predictions = predictionsFile(test, (r, i) =>
      i % 2 ? `${r.answers[0]} indeed` : 'Nobody at all',
    );
    const res = await fetch(`${first.url}/v1/submissions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ dataset: 'simpleqa', model: { name: 'm' }, predictions }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    let judged = verdicts(db, id);
    while (judged < 4) {
      await new Promise((r) => setTimeout(r, 20));
      judged = verdicts(db, id);
    }
    first.child.removeAllListeners('exit');
    const exited = new Promise((r) => first.child.once('exit', r));
    first.child.kill('SIGKILL');
    await exited;
    const atKill = verdicts(db, id);
    expect(atKill).toBeGreaterThanOrEqual(judged);
    expect(atKill).toBeLessThan(test.length);

    const second = await startServer(db, prepared);
    try {
      let view: { state: string; progress: { judged: number; total: number } };
      for (;;) {
        const r = await fetch(`${second.url}/v1/submissions/${id}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        view = (await r.json()) as typeof view;
        if (view.state === 'scored' || view.state === 'failed') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(view.state).toBe('scored');
      expect(view.progress).toEqual({ judged: test.length, total: test.length });
      const check = new Database(db, { readonly: true });
      const row = check
        .prepare('SELECT public_correct + private_correct AS c FROM submissions WHERE id = ?')
        .get(id) as { c: number };
      check.close();
      expect(row.c).toBe(test.filter((_, i) => i % 2).length);
    } finally {
      second.child.removeAllListeners('exit');
      second.child.kill('SIGTERM');
      await new Promise((r) => second.child.once('exit', r));
    }
  }, 60_000);
});
