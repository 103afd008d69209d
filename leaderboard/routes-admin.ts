/**
 * Admin routes (the admin token only): teams, tokens, rounds, and the full view with private
 * scores. `factrecall leaderboard admin` does the same on the database file directly.
 */
import type { FastifyInstance } from 'fastify';
import { BoardQuery, TeamBody, zodIssues } from './api-schema.ts';
import { type BoardContext, requireAdmin } from './auth.ts';
import { boardError } from './errors.ts';
import { boardView, submissionView } from './views.ts';

export function registerAdminRoutes(app: FastifyInstance, ctx: BoardContext): void {
  const { store, splits } = ctx;

  app.get('/v1/admin/teams', async (req) => {
    requireAdmin(req);
    return {
      teams: store
        .teams()
        .map((t) => ({ name: t.name, createdAt: new Date(t.created_at).toISOString() })),
    };
  });

  app.post('/v1/admin/teams', async (req, reply) => {
    requireAdmin(req);
    const body = TeamBody.safeParse(req.body);
    if (!body.success) throw boardError('FR_ERR_LEADERBOARD_BAD_REQUEST', zodIssues(body.error));
    const team = store.createTeam(body.data.name);
    return reply.code(201).send({ team: team.name });
  });

  app.post<{ Params: { name: string } }>('/v1/admin/teams/:name/tokens', async (req, reply) => {
    requireAdmin(req);
    const tok = store.createToken(req.params.name);
    return reply.code(201).send({ team: req.params.name, tokenId: tok.id, token: tok.token });
  });

  app.post<{ Params: { id: string } }>('/v1/admin/tokens/:id/revoke', async (req) => {
    requireAdmin(req);
    if (!store.revokeToken(req.params.id)) {
      throw boardError('FR_ERR_LEADERBOARD_NOT_FOUND', `live token ${req.params.id}`);
    }
    return { tokenId: req.params.id, revoked: true };
  });

  app.post('/v1/admin/rounds/close', async (req) => {
    requireAdmin(req);
    const { closed, opened } = store.closeRound();
    return { closed: closed.id, opened: opened.id };
  });

  app.get('/v1/admin/submissions', async (req) => {
    requireAdmin(req);
    return {
      submissions: store.allSubmissions().map((row) =>
        submissionView(row, store.round(row.round_id)!, {
          judged: store.verdictCount(row.id),
          admin: true,
        }),
      ),
    };
  });

  app.get('/v1/admin/board', async (req) => {
    requireAdmin(req);
    const q = BoardQuery.safeParse(req.query);
    if (!q.success) throw boardError('FR_ERR_LEADERBOARD_BAD_REQUEST', zodIssues(q.error));
    const round = q.data.round === undefined ? store.openRound() : store.round(q.data.round);
    if (!round) throw boardError('FR_ERR_LEADERBOARD_NOT_FOUND', `round ${q.data.round}`);
    return boardView(store, round, [...splits.keys()], true);
  });
}
