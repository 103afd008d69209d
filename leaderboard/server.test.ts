import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearerOf,
  predictionsFile,
  startTestBoard,
  type TestBoard,
} from '../test/support/leaderboard.ts';

let tb: TestBoard;
const model = { name: 'oracle', method: 'scripted' };

beforeAll(async () => {
  tb = await startTestBoard({ quota: 3, rateLimitPerMinute: 10_000, bodyLimitBytes: 64 * 1024 });
});
afterAll(async () => tb.close());

const post = (url: string, payload: unknown, token?: string) =>
  tb.board.app.inject({
    method: 'POST',
    url,
    payload: payload as object,
    headers: token ? bearerOf(token) : {},
  });
const get = (url: string, token?: string) =>
  tb.board.app.inject({ method: 'GET', url, headers: token ? bearerOf(token) : {} });
const codeOf = (r: { json(): unknown }) => (r.json() as { error: { code: string } }).error.code;

describe('the leaderboard API', () => {
  it('scores an oracle upload on the server: public accuracy 1, private hidden until the round closes, then revealed', async () => {
    const preds = predictionsFile(tb.test, (r) => r.answers[0]!);
    const r = await post(
      '/v1/submissions',
      { dataset: 'simpleqa', model, predictions: preds },
      tb.teams.alpha,
    );
    expect(r.statusCode).toBe(202);
    const { id } = r.json() as { id: string };
    await tb.board.scorer.idle();
    const s = (await get(`/v1/submissions/${id}`)).json() as {
      state: string;
      scores: { public: { accuracy: number; total: number }; private: unknown };
      fingerprint: { split: string; judgeId: string };
    };
    expect(s.state).toBe('scored');
    expect(s.scores.public.accuracy).toBe(1);
    expect(s.scores.private).toBeNull();
    expect(s.fingerprint.judgeId).toBe('exact');
    expect(s.fingerprint.split).toBe(tb.board.splits.get('simpleqa')!.splitHash);
    const board = (await get('/v1/board')).json() as {
      entries: Array<{ team: string; scores: Record<string, unknown> }>;
    };
    expect(board.entries.map((e) => e.team)).toEqual(['alpha']);

    const admin = (await get('/v1/admin/board', tb.admin)).json() as {
      entries: Array<{ scores: { simpleqa: { scores: { private: { accuracy: number } } } } }>;
    };
    expect(admin.entries[0]!.scores.simpleqa.scores.private.accuracy).toBe(1);
    const closed = await post('/v1/admin/rounds/close', {}, tb.admin);
    expect(closed.json()).toEqual({ closed: 1, opened: 2 });
    const round1 = (await get('/v1/board?round=1')).json() as {
      round: { privateRevealed: boolean };
      entries: Array<{ scores: { simpleqa: { scores: { private: { accuracy: number } } } } }>;
    };
    expect(round1.round.privateRevealed).toBe(true);
    expect(round1.entries[0]!.scores.simpleqa.scores.private.accuracy).toBe(1);
    expect(((await get('/v1/board')).json() as { entries: unknown[] }).entries).toEqual([]);
  });

  it('grades uploads with the env extraction: labels, quotes and a second line do not change the verdict', async () => {
    const preds = predictionsFile(tb.test, (r, i) =>
      i % 2 ? `Answer: "${r.answers[0]}"\nbecause...` : 'no idea',
    );
    const r = await post(
      '/v1/submissions',
      { dataset: 'simpleqa', model: { name: 'half' }, predictions: preds },
      tb.teams.beta,
    );
    await tb.board.scorer.idle();
    const s = (await get(`/v1/submissions/${(r.json() as { id: string }).id}`)).json() as {
      scores: { public: { correct: number } };
    };
    const row = tb.board.store.submission((r.json() as { id: string }).id)!;
    expect(row.public_correct! + row.private_correct!).toBe(Math.floor(tb.test.length / 2));
    expect(s.scores.public.correct).toBe(row.public_correct);
  });

  it('lists unknown, duplicate and missing ids and bad lines in one 400', async () => {
    const [a, b, ...rest] = tb.test;
    const lines = [
      JSON.stringify({ id: a!.id, answer: 'x' }),
      JSON.stringify({ id: a!.id, answer: 'y' }),
      JSON.stringify({ id: 'simpleqa:nope', answer: 'z' }),
      '{not json',
      JSON.stringify({ id: b!.id, answer: 1 }),
      JSON.stringify({ id: rest[0]!.id, answer: 'w', extra: true }),
    ].join('\n');
    const r = await post(
      '/v1/submissions',
      { dataset: 'simpleqa', model, predictions: lines },
      tb.teams.alpha,
    );
    expect(r.statusCode).toBe(400);
    const e = (
      r.json() as {
        error: { code: string; details: Record<string, { count: number; first: unknown[] }> };
      }
    ).error;
    expect(e.code).toBe('FR_ERR_LEADERBOARD_BAD_PREDICTIONS');
    expect(e.details.duplicateIds!.first).toEqual([a!.id]);
    expect(e.details.unknownIds!.first).toEqual(['simpleqa:nope']);
    expect(e.details.badLines!.count).toBe(3);
    expect(e.details.missingIds!.count).toBe(tb.test.length - 1);
  });

  it('refuses wrong tokens, wrong roles and malformed bodies with coded errors', async () => {
    const good = { dataset: 'simpleqa', model, predictions: '' };
    expect((await post('/v1/submissions', good)).statusCode).toBe(401);
    const forged = `frlb_${'0'.repeat(12)}_${'A'.repeat(43)}`;
    const wrongSecret = tb.teams.alpha!.slice(0, -4) + 'AAAA';
    for (const t of [forged, wrongSecret, 'nonsense']) {
      const r = await post('/v1/submissions', good, t);
      expect([r.statusCode, codeOf(r)]).toEqual([401, 'FR_ERR_LEADERBOARD_UNAUTHENTICATED']);
    }
    const basic = await tb.board.app.inject({
      method: 'GET',
      url: '/v1/me',
      headers: { authorization: 'Basic abc' },
    });
    expect(codeOf(basic)).toBe('FR_ERR_LEADERBOARD_UNAUTHENTICATED');
    expect(codeOf(await post('/v1/admin/teams', { name: 'x' }, tb.teams.alpha))).toBe(
      'FR_ERR_LEADERBOARD_FORBIDDEN',
    );
    expect(codeOf(await post('/v1/submissions', good, tb.admin))).toBe(
      'FR_ERR_LEADERBOARD_FORBIDDEN',
    );
    const notJson = await tb.board.app.inject({
      method: 'POST',
      url: '/v1/submissions',
      payload: '{"dataset":',
      headers: { ...bearerOf(tb.teams.alpha!), 'content-type': 'application/json' },
    });
    expect([notJson.statusCode, codeOf(notJson)]).toEqual([400, 'FR_ERR_LEADERBOARD_BAD_REQUEST']);
    const extra = await post('/v1/submissions', { ...good, score: 1 }, tb.teams.alpha);
    expect(codeOf(extra)).toBe('FR_ERR_LEADERBOARD_BAD_REQUEST');
    const badModel = await post(
      '/v1/submissions',
      { ...good, model: { name: '<script>' } },
      tb.teams.alpha,
    );
    expect(codeOf(badModel)).toBe('FR_ERR_LEADERBOARD_BAD_REQUEST');
    const unknown = await post('/v1/submissions', { ...good, dataset: 'nq_open' }, tb.teams.alpha);
    expect([unknown.statusCode, codeOf(unknown)]).toEqual([
      404,
      'FR_ERR_LEADERBOARD_UNKNOWN_DATASET',
    ]);
    const big = await post(
      '/v1/submissions',
      { ...good, predictions: 'x'.repeat(70 * 1024) },
      tb.teams.alpha,
    );
    expect([big.statusCode, codeOf(big)]).toEqual([413, 'FR_ERR_LEADERBOARD_TOO_LARGE']);
    expect(codeOf(await get('/v1/nothing-here'))).toBe('FR_ERR_LEADERBOARD_NOT_FOUND');
    expect(codeOf(await get('/v1/board?round=abc'))).toBe('FR_ERR_LEADERBOARD_BAD_REQUEST');
  });

  it('a revoked token stops working at once', async () => {
    const created = (await post('/v1/admin/teams/beta/tokens', {}, tb.admin)).json() as {
      token: string;
      tokenId: string;
    };
    expect((await get('/v1/me', created.token)).statusCode).toBe(200);
    expect(
      (await post(`/v1/admin/tokens/${created.tokenId}/revoke`, {}, tb.admin)).statusCode,
    ).toBe(200);
    expect(codeOf(await get('/v1/me', created.token))).toBe('FR_ERR_LEADERBOARD_UNAUTHENTICATED');
  });

  it('refuses a taken team name with a 409', async () => {
    expect((await post('/v1/admin/teams', { name: 'gamma' }, tb.admin)).statusCode).toBe(201);
    expect(codeOf(await post('/v1/admin/teams', { name: 'gamma' }, tb.admin))).toBe(
      'FR_ERR_LEADERBOARD_CONFLICT',
    );
  });

  it('stops a team at its quota with a 429 that says when a slot frees, and counts per team', async () => {
    const preds = predictionsFile(tb.test, () => 'guess');
    const send = (team: string) =>
      post(
        '/v1/submissions',
        { dataset: 'simpleqa', model: { name: 'q' }, predictions: preds },
        tb.teams[team],
      );
    // alpha has one submission from the first test; quota is 3.
    expect((await send('alpha')).statusCode).toBe(202);
    expect((await send('alpha')).statusCode).toBe(202);
    const over = await send('alpha');
    expect([over.statusCode, codeOf(over)]).toEqual([429, 'FR_ERR_LEADERBOARD_QUOTA']);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(3600);
    const me = (await get('/v1/me', tb.teams.alpha)).json() as {
      quota: { used: number; max: number };
    };
    expect(me.quota).toMatchObject({ used: 3, max: 3 });
    expect((await send('beta')).statusCode).toBe(202);
    await tb.board.scorer.idle();
  });
});

describe('rate limits', () => {
  it('answer 429 FR_ERR_LEADERBOARD_RATE_LIMITED past the per-minute limit, per token and per address', async () => {
    const small = await startTestBoard(
      { rateLimitPerMinute: 5 },
      { dir: tb.dir, teams: ['alpha'] },
    );
    try {
      const codes: number[] = [];
      for (let i = 0; i < 7; i++) {
        codes.push((await small.board.app.inject({ method: 'GET', url: '/v1/info' })).statusCode);
      }
      expect(codes).toEqual([200, 200, 200, 200, 200, 429, 429]);
      const limited = await small.board.app.inject({ method: 'GET', url: '/v1/info' });
      expect(codeOf(limited)).toBe('FR_ERR_LEADERBOARD_RATE_LIMITED');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // A valid token has its own budget.
      const me = await small.board.app.inject({
        method: 'GET',
        url: '/v1/me',
        headers: bearerOf(small.teams.alpha!),
      });
      expect(me.statusCode).toBe(200);
    } finally {
      await small.board.close();
    }
  });
});
