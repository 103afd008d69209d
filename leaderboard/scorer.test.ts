import { describe, expect, it } from 'vitest';
import { ExactJudge, type Judge, type JudgeItem, type Verdict } from '../judges/index.ts';
import { bearerOf, predictionsFile, startTestBoard } from '../test/support/leaderboard.ts';

/** The exact judge, counting the items it was asked to grade. */
function countingJudge(): Judge & { items: JudgeItem[] } {
  const inner = new ExactJudge();
  const items: JudgeItem[] = [];
  return {
    id: inner.id,
    fingerprint: inner.fingerprint,
    items,
    judge: async (batch) => {
      items.push(...batch);
      return inner.judge(batch);
    },
  };
}

/** A judge that gives no verdict (reward null) for predictions in `failing`. */
function flakyJudge(failing: (p: string, call: number) => boolean): Judge {
  const inner = new ExactJudge();
  let call = 0;
  return {
    id: inner.id,
    fingerprint: inner.fingerprint,
    judge: async (batch) => {
      call++;
      const out = await inner.judge(batch);
      return out.map(
        (v, i): Verdict =>
          failing(batch[i]!.prediction, call)
            ? {
                ...v,
                verdict: null,
                reward: null,
                status: 'judge_failed',
                error: { code: 'FR_ERR_JUDGE_UNAVAILABLE', message: 'down' },
              }
            : v,
      );
    },
  };
}

const submit = async (tb: Awaited<ReturnType<typeof startTestBoard>>, predictions: string) => {
  const r = await tb.board.app.inject({
    method: 'POST',
    url: '/v1/submissions',
    headers: bearerOf(tb.teams.alpha!),
    payload: { dataset: 'simpleqa', model: { name: 'm' }, predictions },
  });
  expect(r.statusCode).toBe(202);
  return (r.json() as { id: string }).id;
};

describe('background scoring', () => {
  it('resumes after a crash mid-scoring: committed chunks are kept, only the rest is judged, the score is whole', async () => {
    let chunks = 0;
    const first = await startTestBoard(
      { scoreChunk: 3 },
      {
        scorer: {
          onChunk: () => {
            if (++chunks === 2) throw new Error('simulated crash after the second chunk');
          },
        },
      },
    );
    const n = first.test.length;
    const id = await submit(
      first,
      predictionsFile(first.test, (r, i) => (i % 3 ? r.answers[0]! : 'wrong')),
    );
    await first.board.scorer.idle();
    expect(first.board.scorer.lastError?.message).toMatch(/simulated crash/);
    expect(first.board.store.submission(id)!.state).toBe('scoring');
    expect(first.board.store.verdictCount(id)).toBe(6);
    await first.board.close();

    const judge = countingJudge();
    const second = await startTestBoard(
      { scoreChunk: 3 },
      { dir: first.dir, judge, teams: ['alpha'] },
    );
    try {
      await second.board.scorer.idle();
      const row = second.board.store.submission(id)!;
      expect(row.state).toBe('scored');
      expect(judge.items).toHaveLength(n - 6);
      expect(second.board.store.verdictCount(id)).toBe(n);
      const correct = first.test.filter((_, i) => i % 3 !== 0).length;
      expect(row.public_correct! + row.private_correct!).toBe(correct);
    } finally {
      await second.close();
    }
  });

  it('retries answers the judge gave no verdict for, and never scores them 0', async () => {
    const tb = await startTestBoard(
      {},
      { judge: flakyJudge((p, call) => p === 'flaky' && call === 1), scorer: { backoffMs: 1 } },
    );
    try {
      const id = await submit(
        tb,
        predictionsFile(tb.test, (r, i) => (i < 3 ? 'flaky' : r.answers[0]!)),
      );
      await tb.board.scorer.idle();
      const row = tb.board.store.submission(id)!;
      expect(row.state).toBe('scored');
      expect(row.attempts).toBe(1);
      expect(row.public_correct! + row.private_correct!).toBe(tb.test.length - 3);
    } finally {
      await tb.close();
    }
  });

  it('marks a submission failed (not 0) when the judge keeps failing, and frees its quota slot', async () => {
    const tb = await startTestBoard(
      { quota: 1 },
      { judge: flakyJudge((p) => p === 'flaky'), scorer: { backoffMs: 1, maxAttempts: 3 } },
    );
    try {
      const id = await submit(
        tb,
        predictionsFile(tb.test, () => 'flaky'),
      );
      await tb.board.scorer.idle();
      const row = tb.board.store.submission(id)!;
      expect(row.state).toBe('failed');
      expect(row.error).toMatch(/^FR_ERR_LEADERBOARD_SCORING_FAILED: FR_ERR_JUDGE_UNAVAILABLE/);
      expect(row.public_correct).toBeNull();
      const view = (
        await tb.board.app.inject({
          method: 'GET',
          url: `/v1/submissions/${id}`,
          headers: bearerOf(tb.teams.alpha!),
        })
      ).json() as {
        scores: { public: unknown };
      };
      expect(view.scores.public).toBeNull();
      // The failed one does not count: the quota of 1 still has room.
      await submit(
        tb,
        predictionsFile(tb.test, (r) => r.answers[0]!),
      );
    } finally {
      await tb.close();
    }
  });
});
