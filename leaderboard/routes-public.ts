/**
 * Routes anyone may call: the web page, what the board pins (/v1/info), the questions of a
 * pinned split (no gold), the ranking and single submissions. Private scores stay hidden
 * until an admin closes the round.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { BoardQuery, zodIssues } from './api-schema.ts';
import type { BoardContext } from './auth.ts';
import { boardError } from './errors.ts';
import { EXTRACTION } from './predictions.ts';
import { boardView, submissionView } from './views.ts';

const WEB_DIR = join(import.meta.dirname, 'web');
const PAGES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'";

export function registerPublicRoutes(app: FastifyInstance, ctx: BoardContext): void {
  const { store, config, splits, judge } = ctx;

  for (const [route, page] of Object.entries(PAGES)) {
    const body = readFileSync(join(WEB_DIR, page.file), 'utf8');
    app.get(route, async (_req, reply) =>
      reply.type(page.type).header('content-security-policy', CSP).send(body),
    );
  }

  app.get('/v1/health', async () => ({ status: 'ok' }));

  app.get('/v1/info', async () => ({
    datasets: [...splits.values()].map((s) => ({
      dataset: s.dataset,
      source: s.source,
      splitHash: s.splitHash,
      questions: s.records.size,
      publicQuestions: s.nPublic,
      privateQuestions: s.nPrivate,
    })),
    judge: { id: judge.id, fingerprint: judge.fingerprint },
    extraction: EXTRACTION,
    quota: { max: config.quota, windowMs: config.quotaWindowMs },
    rateLimitPerMinute: config.rateLimitPerMinute,
    bodyLimitBytes: config.bodyLimitBytes,
    liveRuns: config.evalRunsPath !== undefined,
    round: store.openRound().id,
  }));

  app.get<{ Params: { dataset: string } }>(
    '/v1/datasets/:dataset/questions',
    async (req, reply) => {
      const split = splits.get(req.params.dataset);
      if (!split) throw boardError('FR_ERR_LEADERBOARD_UNKNOWN_DATASET', req.params.dataset);
      // Id and question text only: the record's answers and meta stay on the server.
      let out = '';
      for (const r of split.records.values())
        out += `${JSON.stringify({ id: r.id, question: r.question })}\n`;
      return reply.type('application/x-ndjson; charset=utf-8').send(out);
    },
  );

  app.get('/v1/board', async (req) => {
    const q = BoardQuery.safeParse(req.query);
    if (!q.success) throw boardError('FR_ERR_LEADERBOARD_BAD_REQUEST', zodIssues(q.error));
    const round = q.data.round === undefined ? store.openRound() : store.round(q.data.round);
    if (!round) throw boardError('FR_ERR_LEADERBOARD_NOT_FOUND', `round ${q.data.round}`);
    return {
      ...boardView(store, round, [...splits.keys()]),
      rounds: store.rounds().map((r) => ({ id: r.id, closed: r.closed_at !== null })),
    };
  });

  app.get<{ Params: { id: string } }>('/v1/submissions/:id', async (req) => {
    const row = store.submission(req.params.id);
    if (!row) throw boardError('FR_ERR_LEADERBOARD_NOT_FOUND', `submission ${req.params.id}`);
    const own = req.auth?.kind === 'team' && req.auth.teamId === row.team_id;
    // Others see a submission once it is scored; its team sees it from the start.
    if (!own && req.auth?.kind !== 'admin' && row.state !== 'scored') {
      throw boardError('FR_ERR_LEADERBOARD_NOT_FOUND', `submission ${req.params.id}`);
    }
    return submissionView(row, store.round(row.round_id)!, {
      judged: store.verdictCount(row.id),
      admin: req.auth?.kind === 'admin',
    });
  });
}
