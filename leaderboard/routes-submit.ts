/**
 * Routes of a team token: submit a predictions file, claim a live eval run, see one's own
 * quota and submissions. Both ways in end in the same insert (quota checked inside the
 * transaction) and the same background scoring.
 */
import type { FastifyInstance } from 'fastify';
import { LiveBody, UploadBody, zodIssues } from './api-schema.ts';
import { type BoardContext, requireTeam } from './auth.ts';
import { boardError } from './errors.ts';
import { checkRun, findRun } from './live.ts';
import { type CheckedPrediction, checkPredictions, EXTRACTION } from './predictions.ts';
import { submissionView } from './views.ts';

export function registerSubmitRoutes(app: FastifyInstance, ctx: BoardContext): void {
  const { store, config, splits, judge, scorer } = ctx;
  const quota = { max: config.quota, windowMs: config.quotaWindowMs };

  const accept = (
    teamId: number,
    dataset: string,
    source: 'upload' | 'live',
    runId: string | null,
    model: { name: string } & Record<string, unknown>,
    predictions: CheckedPrediction[],
    extraction: string,
  ) => {
    const split = splits.get(dataset)!;
    const id = store.insertSubmission(
      {
        teamId,
        dataset,
        source,
        runId,
        model,
        splitHash: split.splitHash,
        judgeId: judge.id,
        judgeFingerprint: judge.fingerprint,
        extraction,
        predictions,
      },
      quota,
    );
    void scorer.kick();
    const used = store.quotaUsed(teamId, Date.now(), quota.windowMs).n;
    return {
      id,
      state: 'queued' as const,
      poll: `/v1/submissions/${id}`,
      questions: predictions.length,
      quota: { used, max: quota.max, windowMs: quota.windowMs },
    };
  };

  app.post('/v1/submissions', async (req, reply) => {
    const auth = requireTeam(req);
    const body = UploadBody.safeParse(req.body);
    if (!body.success) throw boardError('FR_ERR_LEADERBOARD_BAD_REQUEST', zodIssues(body.error));
    const split = splits.get(body.data.dataset);
    if (!split) throw boardError('FR_ERR_LEADERBOARD_UNKNOWN_DATASET', body.data.dataset);
    const predictions = checkPredictions(split, body.data.predictions);
    const out = accept(
      auth.teamId,
      split.dataset,
      'upload',
      null,
      body.data.model,
      predictions,
      EXTRACTION,
    );
    return reply.code(202).send(out);
  });

  app.post('/v1/submissions/live', async (req, reply) => {
    const auth = requireTeam(req);
    const body = LiveBody.safeParse(req.body);
    if (!body.success) throw boardError('FR_ERR_LEADERBOARD_BAD_REQUEST', zodIssues(body.error));
    const record = await findRun(config.evalRunsPath, body.data.runId);
    const run = checkRun(record, auth.team, splits);
    const out = accept(
      auth.teamId,
      run.split.dataset,
      'live',
      record.runId,
      body.data.model,
      run.predictions,
      run.extraction,
    );
    return reply.code(202).send(out);
  });

  app.get('/v1/me', async (req) => {
    const auth = requireTeam(req);
    const now = Date.now();
    const used = store.quotaUsed(auth.teamId, now, quota.windowMs);
    return {
      team: auth.team,
      quota: {
        used: used.n,
        max: quota.max,
        windowMs: quota.windowMs,
        nextFreeInMs:
          used.n >= quota.max && used.oldest !== null ? used.oldest + quota.windowMs - now : 0,
      },
      submissions: store
        .submissionsOfTeam(auth.teamId)
        .map((row) =>
          submissionView(row, store.round(row.round_id)!, { judged: store.verdictCount(row.id) }),
        ),
    };
  });
}
