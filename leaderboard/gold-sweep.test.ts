import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearerOf,
  predictionsFile,
  startTestBoard,
  type TestBoard,
} from '../test/support/leaderboard.ts';

let tb: TestBoard;
let golds: string[];
let subIds: string[];

beforeAll(async () => {
  tb = await startTestBoard({ quota: 50, rateLimitPerMinute: 100_000 });
  // Every gold of every split (train and val golds are no secret, but none should show either).
  golds = tb.test.flatMap((r) => r.answers);
  const send = (team: string, name: string, predictions: string) =>
    tb.board.app.inject({
      method: 'POST',
      url: '/v1/submissions',
      headers: bearerOf(tb.teams[team]!),
      payload: {
        dataset: 'simpleqa',
        model: { name, method: 'grpo', baseline: 'base' },
        predictions,
      },
    });
  subIds = [];
  for (const [team, name, answer] of [
    ['alpha', 'oracle', (r: { answers: string[] }) => r.answers[0]!],
    ['alpha', 'base', () => 'unknown'],
    ['beta', 'half', (r: { answers: string[] }, i: number) => (i % 2 ? r.answers[0]! : 'x')],
  ] as const) {
    const r = await send(team, name, predictionsFile(tb.test, answer));
    subIds.push((r.json() as { id: string }).id);
  }
  await tb.board.scorer.idle();
});
afterAll(async () => tb.close());

describe('gold answers', () => {
  it('appear in no response of any route, under any token, before and after the private part is revealed', async () => {
    const app = tb.board.app;
    const seen = new Set<string>();
    const responses: Array<{ route: string; text: string }> = [];
    const oracle = predictionsFile(tb.test, (r) => r.answers[0]!);
    const bodies: Record<string, unknown[]> = {
      'POST /v1/submissions': [
        { dataset: 'simpleqa', model: { name: 'sweep' }, predictions: oracle },
        {
          dataset: 'simpleqa',
          model: { name: 'sweep' },
          predictions: `${oracle}\n${oracle.split('\n')[0]}\n{bad`,
        },
        {
          dataset: 'simpleqa',
          model: { name: 'sweep' },
          predictions: oracle.split('\n').slice(1).join('\n'),
        },
      ],
      'POST /v1/submissions/live': [{ runId: 'run-none', model: { name: 'sweep' } }],
      'POST /v1/admin/teams': [{ name: 'delta' }],
    };
    const fill = (url: string) =>
      url
        .replace(':dataset', 'simpleqa')
        .replace(':name', 'beta')
        .replace(
          ':id',
          url.includes('tokens') ? tb.board.store.createToken('beta').id : subIds[0]!,
        );
    for (const phase of ['open', 'revealed']) {
      if (phase === 'revealed') tb.board.store.closeRound();
      for (const r of tb.board.routes) {
        const key = `${r.method} ${r.url}`;
        seen.add(key);
        const urls =
          r.url === '/v1/submissions/:id'
            ? subIds.map((id) => `/v1/submissions/${id}`)
            : [fill(r.url)];
        if (r.url === '/v1/board') urls.push('/v1/board?round=1');
        for (const url of urls) {
          for (const token of [undefined, tb.teams.alpha!, tb.teams.beta!, tb.admin]) {
            for (const payload of bodies[key] ?? [r.method === 'POST' ? {} : undefined]) {
              const res = await app.inject({
                method: r.method as 'GET' | 'POST',
                url,
                headers: token ? bearerOf(token) : {},
                ...(payload !== undefined ? { payload: payload as object } : {}),
              });
              responses.push({
                route: `${key} ${res.statusCode}`,
                text: `${JSON.stringify(res.headers)}\n${res.body}`,
              });
            }
          }
        }
      }
    }
    await tb.board.scorer.idle();
    expect([...seen].sort()).toEqual(tb.board.routes.map((r) => `${r.method} ${r.url}`).sort());
    expect(responses.length).toBeGreaterThan(100);
    // The sweep saw real content: scores, questions and the page.
    expect(responses.some((r) => r.text.includes('"accuracy":1'))).toBe(true);
    expect(responses.some((r) => r.text.includes(tb.test[0]!.question))).toBe(true);
    for (const { route, text } of responses) {
      const lower = text.toLowerCase();
      for (const g of golds)
        expect(lower.includes(g.toLowerCase()), `${route} contains gold ${g}`).toBe(false);
    }
  });
});
