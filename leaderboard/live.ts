/**
 * Submissions by live run: a team runs the test split through the env server with its `eval`
 * token; the server appends the run to its eval-runs file (protocol/eval-runs.ts) with every
 * answer the env extracted. Claiming the run here (POST /v1/submissions/live) turns it into a
 * submission with the same checks and the same scoring as an upload: the run must be the
 * team's own (the record's submitter is the token's name, which `leaderboard admin token
 * create --eval-tokens` sets to the team), closed, complete (the env server's rule: the whole
 * test split handed out and answered), not pass@k, on the pinned split, one answer per question.
 */
import { EXTRACTION_VERSION } from '../env/extract.ts';
import { EvalRunLog, type EvalRunRecord } from '../protocol/eval-runs.ts';
import { boardError } from './errors.ts';
import type { PinnedSplit } from './pinned.ts';
import { type CheckedPrediction, checkAnswers } from './predictions.ts';

export interface CheckedRun {
  record: EvalRunRecord;
  split: PinnedSplit;
  predictions: CheckedPrediction[];
  extraction: string;
}

export async function findRun(
  evalRunsPath: string | undefined,
  runId: string,
): Promise<EvalRunRecord> {
  if (!evalRunsPath) {
    throw boardError(
      'FR_ERR_LEADERBOARD_NOT_FOUND',
      'this leaderboard reads no eval-runs file (--eval-runs)',
    );
  }
  const records = await new EvalRunLog(evalRunsPath).read();
  const record = records.find((r) => r.runId === runId);
  if (!record) throw boardError('FR_ERR_LEADERBOARD_NOT_FOUND', `eval run ${runId}`);
  return record;
}

export function checkRun(
  record: EvalRunRecord,
  team: string,
  splits: ReadonlyMap<string, PinnedSplit>,
): CheckedRun {
  if (record.submitter !== team) {
    throw boardError(
      'FR_ERR_LEADERBOARD_FORBIDDEN',
      `eval run ${record.runId} was not run by team ${team}`,
    );
  }
  if (record.run && record.run.k !== 1) {
    throw boardError(
      'FR_ERR_LEADERBOARD_RUN_UNUSABLE',
      `eval run ${record.runId} is a pass@${record.run.k} run; the leaderboard takes one answer per question`,
    );
  }
  if (record.status !== 'closed') {
    throw boardError(
      'FR_ERR_LEADERBOARD_RUN_UNUSABLE',
      `eval run ${record.runId} is ${record.status} (its connection ended before close)`,
    );
  }
  // The pinned split the run was made on: the one whose manifest hash is the run's source hash.
  const split = [...splits.values()].find((p) => p.splitHash === record.spec.sourceHash);
  if (!split) {
    const same = [...splits.values()].filter((p) => p.source === record.spec.dataset);
    if (same.length === 0) {
      throw boardError(
        'FR_ERR_LEADERBOARD_UNKNOWN_DATASET',
        `${record.spec.dataset} (eval run ${record.runId})`,
      );
    }
    throw boardError(
      'FR_ERR_LEADERBOARD_RUN_UNUSABLE',
      `eval run ${record.runId} ran on splits ${record.spec.sourceHash.slice(0, 12)}; the pinned ${record.spec.dataset} splits are ${same.map((p) => p.splitHash.slice(0, 12)).join(', ')}`,
    );
  }
  // A partial run shows its client no score (docs/protocol.md, "Eval runs"): nor does this.
  if (record.complete === false) {
    throw boardError(
      'FR_ERR_LEADERBOARD_RUN_UNUSABLE',
      `eval run ${record.runId} is partial: ${record.run?.questions ?? '?'} of ${record.run?.splitSize ?? '?'} questions handed out, or some unanswered`,
      { details: { questions: record.run?.questions, splitSize: record.run?.splitSize } },
    );
  }
  if (!Array.isArray(record.answers)) {
    throw boardError(
      'FR_ERR_LEADERBOARD_RUN_UNUSABLE',
      `eval run ${record.runId} holds no answers (recorded by an older env server)`,
    );
  }
  const predictions = checkAnswers(
    split,
    record.answers.map((a) => ({ id: a.questionId, answer: a.answer })),
    { extract: false },
  );
  return {
    record,
    split,
    predictions,
    extraction: `${record.spec.prompt}/v${EXTRACTION_VERSION}/${record.spec.limits.maxAnswerChars}`,
  };
}
