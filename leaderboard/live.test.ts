import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oracleFromSource } from '../agents/oracle.ts';
import { runEpisodes } from '../agents/run-episodes.ts';
import { addEvalToken } from '../cli/commands/leaderboard-admin.ts';
import { loadPreparedSplits } from '../env/splits/load.ts';
import { FactRecallClient } from '../protocol/client/client.ts';
import { envRegistry } from '../protocol/env-registry.ts';
import { type RunningServer, serve } from '../protocol/server.ts';
import { loadTokens } from '../protocol/tokens.ts';
import {
  bearerOf,
  prepareFixture,
  startTestBoard,
  type TestBoard,
} from '../test/support/leaderboard.ts';

let tb: TestBoard;
let env: RunningServer;
let evalRuns: string;

beforeAll(async () => {
  const first = await startTestBoard();
  // The same board, now reading the env server's eval-runs file.
  evalRuns = join(first.dir, 'eval-runs.jsonl');
  await first.board.close();
  tb = await startTestBoard({ evalRunsPath: evalRuns }, { dir: first.dir });
  const tokensFile = join(tb.dir, 'env-tokens.json');
  for (const team of ['alpha', 'beta']) addEvalToken(tokensFile, tb.teams[team]!, team);
  env = await serve({
    registry: envRegistry(),
    httpPort: 0,
    grpcPort: 0,
    tokens: loadTokens(tokensFile),
    evalRunsPath: evalRuns,
    makeDefaults: { splits: tb.prepared },
  });
});
afterAll(async () => {
  await env.close();
  await tb.close();
});

/** Run the oracle over `questions` test questions with a team's eval token; close or drop. */
async function evalRun(
  team: string,
  opts: { questions?: number; drop?: boolean } = {},
): Promise<string> {
  const client = await FactRecallClient.connect(env.wsUrl, {
    token: tb.teams[team]!,
    reconnect: false,
  });
  const remote = await client.make('FactRecall-v0');
  const source = await loadPreparedSplits(tb.prepared);
  await runEpisodes(remote, oracleFromSource(source), {
    split: 'test',
    batchSize: 5,
    ...(opts.questions ? { questions: opts.questions } : {}),
  });
  if (opts.drop) {
    client.close();
    return '';
  }
  const summary = await remote.closeWithSummary();
  client.close();
  return summary!.evalRunId!;
}

const claim = (team: string | null, runId: string) =>
  tb.board.app.inject({
    method: 'POST',
    url: '/v1/submissions/live',
    headers: team ? bearerOf(tb.teams[team]!) : {},
    payload: { runId, model: { name: 'oracle-live', method: 'scripted' } },
  });
const codeOf = (r: { json(): unknown }) => (r.json() as { error: { code: string } }).error.code;

describe('submissions by live eval run', () => {
  it('turn a finished run of the team into a submission scored on the pinned judge, once', async () => {
    const runId = await evalRun('alpha');
    expect(codeOf(await claim('beta', runId))).toBe('FR_ERR_LEADERBOARD_FORBIDDEN');
    const r = await claim('alpha', runId);
    expect(r.statusCode).toBe(202);
    await tb.board.scorer.idle();
    const id = (r.json() as { id: string }).id;
    const view = (
      await tb.board.app.inject({ method: 'GET', url: `/v1/submissions/${id}` })
    ).json() as {
      source: string;
      runId: string;
      state: string;
      scores: { public: { accuracy: number } };
      fingerprint: { extraction: string };
    };
    expect(view).toMatchObject({ source: 'live', runId, state: 'scored' });
    expect(view.scores.public.accuracy).toBe(1);
    expect(view.fingerprint.extraction).toBe('direct/v1/200');
    const again = await claim('alpha', runId);
    expect([again.statusCode, codeOf(again)]).toEqual([409, 'FR_ERR_LEADERBOARD_CONFLICT']);
  });

  it('refuse a partial run (the env server shows it no score either) and an abandoned run', async () => {
    const partial = await evalRun('alpha', { questions: 5 });
    const r = await claim('alpha', partial);
    expect([r.statusCode, codeOf(r)]).toEqual([422, 'FR_ERR_LEADERBOARD_RUN_UNUSABLE']);
    expect((r.json() as { error: { message: string } }).error.message).toMatch(
      /partial: 5 of \d+ questions/,
    );

    const before = (await readFile(evalRuns, 'utf8')).split('\n').filter(Boolean).length;
    await evalRun('alpha', { drop: true });
    let lines: string[] = [];
    for (let i = 0; i < 100 && lines.length <= before; i++) {
      await new Promise((res) => setTimeout(res, 50));
      lines = (await readFile(evalRuns, 'utf8')).split('\n').filter(Boolean);
    }
    const abandoned = JSON.parse(lines.at(-1)!) as { runId: string; status: string };
    expect(abandoned.status).toBe('abandoned');
    const a = await claim('alpha', abandoned.runId);
    expect([a.statusCode, codeOf(a)]).toEqual([422, 'FR_ERR_LEADERBOARD_RUN_UNUSABLE']);
    expect(codeOf(await claim('alpha', 'run-that-never-was'))).toBe('FR_ERR_LEADERBOARD_NOT_FOUND');
    expect(codeOf(await claim(null, partial))).toBe('FR_ERR_LEADERBOARD_UNAUTHENTICATED');
  });

  it('refuse a run made on other splits of the same dataset than the pinned ones', async () => {
    const otherDir = join(tb.dir, 'other');
    await mkdir(otherDir);
    await prepareFixture(otherDir, 30);
    const other = await serve({
      registry: envRegistry(),
      httpPort: 0,
      grpcPort: 0,
      tokens: loadTokens(join(tb.dir, 'env-tokens.json')),
      evalRunsPath: evalRuns,
      makeDefaults: { splits: join(otherDir, 'prepared') },
    });
    try {
      const client = await FactRecallClient.connect(other.wsUrl, {
        token: tb.teams.alpha!,
        reconnect: false,
      });
      const remote = await client.make('FactRecall-v0');
      const source = await loadPreparedSplits(join(otherDir, 'prepared'));
      await runEpisodes(remote, oracleFromSource(source), { split: 'test', batchSize: 5 });
      const runId = (await remote.closeWithSummary())!.evalRunId!;
      client.close();
      const r = await claim('alpha', runId);
      expect([r.statusCode, codeOf(r)]).toEqual([422, 'FR_ERR_LEADERBOARD_RUN_UNUSABLE']);
    } finally {
      await other.close();
    }
  });
});
