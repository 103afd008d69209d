import { describe, expect, it } from 'vitest';
import { defaultSource } from '../env/factrecall-v0.ts';
import {
  type Body,
  openSession,
  type TestSession,
  testHost,
  worldGold,
} from '../test/support/protocol-session.ts';
import type { Host } from './host.ts';

const GOLD = worldGold();
type Obs = { episodeId: string; groupId: string; questionId: string };

async function makeEnv(t: TestSession, options?: Body): Promise<string> {
  const made = await t.ok('make', { envId: 'FactRecall-v0', ...(options ? { options } : {}) });
  return made.handle as string;
}

/** Reset `n` test questions and answer each with `answer(obs)`. */
async function answer(
  t: TestSession,
  handle: string,
  n: number,
  pick: (o: Obs, i: number) => string,
  split = 'test',
  groupSize = 1,
) {
  const r = await t.ok('reset', { handle, split, batchSize: n, groupSize });
  const obs = r.observations as Obs[];
  return t.ok('step', {
    handle,
    actions: obs.map((o, i) => ({ episodeId: o.episodeId, answer: pick(o, i) })),
  });
}

/** Close, dropping the parts that differ between any two runs (ids). */
async function closeShape(t: TestSession, handle: string) {
  const { handle: _h, evalRunId: _r, ...rest } = await t.ok('close', { handle });
  return rest;
}

async function withHost<T>(opts: Parameters<typeof testHost>[0], f: (h: Host) => Promise<T>) {
  const host = await testHost(opts);
  try {
    return await f(host);
  } finally {
    host.stop();
  }
}

describe('eval runs keep single test answers hidden (issue 18)', () => {
  it('refuses start, seed and more than one answer per question to an eval env', () =>
    withHost({}, async (host) => {
      const ev = await openSession(host, 'eval');
      for (const options of [{ start: { test: { epoch: 0, cursor: 7 } } }, { seed: 3 }]) {
        const r = await ev.call('make', { envId: 'FactRecall-v0', options });
        expect(r.body.code).toBe('FR_ERR_PROTO_FORBIDDEN');
      }
      const handle = await makeEnv(ev);
      const r = await ev.call('reset', { handle, split: 'test', batchSize: 1, groupSize: 8 });
      expect(r.body).toMatchObject({ code: 'FR_ERR_PROTO_FORBIDDEN' });
    }));

  it('gives a probe that answers one question right exactly the close a probe that answers it wrong gets', () =>
    withHost({}, async (host) => {
      const ev = await openSession(host, 'eval');
      const probe = async (right: boolean) => {
        const handle = await makeEnv(ev);
        // k questions, junk for all but the k-th: the old selection attack.
        const stepped = await answer(ev, handle, 5, (o, i) =>
          i === 4 && right ? GOLD.get(o.questionId)! : 'no idea',
        );
        expect(JSON.stringify(stepped)).not.toMatch(/"reward":[01]|"correct"|"incorrect"/);
        return closeShape(ev, handle);
      };
      const right = await probe(true);
      const wrong = await probe(false);
      expect(right).toEqual(wrong);
      expect(right.counts).toMatchObject({ issued: 5, answered: 5, scored: 0, rewardSum: 0 });
      expect(right.runs).toEqual([
        { split: 'test', k: 1, questions: 5, splitSize: 400, complete: false, score: null },
      ]);
      // And the record written for the leaderboard holds no score either.
      const records = await host.evalRuns.read();
      expect(records.map((r) => [r.complete, r.run.score, r.counts.rewardSum])).toEqual([
        [false, null, 0],
        [false, null, 0],
      ]);
    }));

  it('refuses a reset past the end of the split, so one run is one pass in the server order', () =>
    withHost({}, async (host) => {
      const ev = await openSession(host, 'eval');
      const handle = await makeEnv(ev);
      await ev.ok('reset', { handle, split: 'test', batchSize: 399, groupSize: 1 });
      const over = await ev.call('reset', { handle, split: 'test', batchSize: 2, groupSize: 1 });
      expect(over.body).toMatchObject({ code: 'FR_ERR_PROTO_FORBIDDEN' });
      expect(String(over.body.message)).toMatch(/1 test questions left/);
      await ev.ok('reset', { handle, split: 'test', batchSize: 1, groupSize: 1 });
      const again = await ev.call('reset', { handle, split: 'test', batchSize: 1, groupSize: 1 });
      expect(String(again.body.message)).toMatch(/handed out all 400/);
    }));

  it('reveals the accuracy of a complete run, and of a pass@k run only pass@k', () =>
    withHost({}, async (host) => {
      const ev = await openSession(host, 'eval');
      const handle = await makeEnv(ev);
      // Right on every third question.
      for (let round = 0; round < 4; round++) {
        await answer(ev, handle, 100, (o, i) => (i % 3 === 0 ? GOLD.get(o.questionId)! : 'x'));
      }
      const full = await closeShape(ev, handle);
      expect(full.counts).toMatchObject({
        issued: 400,
        answered: 400,
        scored: 400,
        rewardSum: 136,
      });
      expect(full.runs).toEqual([
        { split: 'test', k: 1, questions: 400, splitSize: 400, complete: true, score: 0.34 },
      ]);

      const pk = await makeEnv(ev, { passK: 4 });
      for (let round = 0; round < 4; round++) {
        // One right answer among the four of every other question.
        await answer(
          ev,
          pk,
          100,
          (o, i) => (i % 8 === 1 ? GOLD.get(o.questionId)! : 'x'),
          'test',
          4,
        );
      }
      const passK = await closeShape(ev, pk);
      expect(passK.counts).toMatchObject({ issued: 1600, answered: 1600, scored: 0, rewardSum: 0 });
      expect(passK.runs).toEqual([
        { split: 'test', k: 4, questions: 400, splitSize: 400, complete: true, score: 0.5 },
      ]);
      const records = await host.evalRuns.read();
      expect(records.map((r) => [r.complete, r.run.k, r.run.score])).toEqual([
        [true, 1, 0.34],
        [true, 4, 0.5],
      ]);
    }));

  it("shows no token another's eval aggregates in stats", () =>
    withHost({}, async (host) => {
      const ev = await openSession(host, 'eval', 'team-a');
      const handle = await makeEnv(ev);
      for (let round = 0; round < 4; round++) {
        await answer(ev, handle, 100, (o) => GOLD.get(o.questionId)!);
      }
      expect((await ev.ok('close', { handle })).counts).toMatchObject({ rewardSum: 400 });
      for (const role of ['policy', 'eval'] as const) {
        const other = await openSession(host, role, 'team-b');
        const stats = await other.ok('stats');
        expect((stats.bySplit as Record<string, Body>).test).toMatchObject({
          issued: 400,
          answered: 400,
          scored: 0,
          rewardSum: 0,
          meanReward: null,
        });
        expect(stats.totals).toMatchObject({ rewardSum: 0 });
      }
    }));
});

describe('a pinned leaderboard subset', () => {
  it('makes an eval run cover those test questions only, with its own fingerprint', async () => {
    const ids = defaultSource()
      .splits.test!.slice(0, 10)
      .map((r) => r.id);
    const plain = await withHost({}, async (host) => {
      const ev = await openSession(host, 'eval');
      return ((await ev.ok('make', { envId: 'FactRecall-v0' })).spec as Body).fingerprint;
    });
    await withHost({ evalSubset: ids }, async (host) => {
      const ev = await openSession(host, 'eval');
      const made = await ev.ok('make', { envId: 'FactRecall-v0' });
      expect(made.spec).toMatchObject({ splits: { test: 10 } });
      expect((made.spec as Body).fingerprint).not.toBe(plain);
      const handle = made.handle as string;
      const r = await ev.ok('reset', { handle, split: 'test', batchSize: 10, groupSize: 1 });
      expect(new Set((r.observations as Obs[]).map((o) => o.questionId))).toEqual(new Set(ids));
      await ev.ok('step', {
        handle,
        actions: (r.observations as Obs[]).map((o) => ({
          episodeId: o.episodeId,
          answer: GOLD.get(o.questionId)!,
        })),
      });
      expect((await closeShape(ev, handle)).runs).toEqual([
        { split: 'test', k: 1, questions: 10, splitSize: 10, complete: true, score: 1 },
      ]);
      // `{first: n}` pins the split's first n questions: the same subset, the same fingerprint.
      const first = await withHost({ evalSubset: { first: 10 } }, async (h2) => {
        const made2 = await (await openSession(h2, 'eval')).ok('make', { envId: 'FactRecall-v0' });
        return made2.spec as Body;
      });
      expect(first).toMatchObject({ splits: { test: 10 } });
      expect(first.fingerprint).toBe((made.spec as Body).fingerprint);
      // Ids outside the split are refused when the env is made.
      const bad = await withHost({ evalSubset: ['factworld:nobody'] }, async (h2) =>
        (await openSession(h2, 'eval')).call('make', { envId: 'FactRecall-v0' }),
      );
      expect(bad.body.code).toBe('FR_ERR_ENV_BAD_OPTIONS');
    });
  });
});

describe('eval-run quotas', () => {
  it('refuses a run past the quota with FR_ERR_PROTO_EVAL_QUOTA; partial runs give their slot back', () =>
    withHost({ evalQuota: { runs: 2, windowMs: 3600_000 } }, async (host) => {
      const ev = await openSession(host, 'eval', 'team-q');
      const complete = async () => {
        const h = await makeEnv(ev);
        for (let round = 0; round < 4; round++) await answer(ev, h, 100, () => 'x');
        await ev.ok('close', { handle: h });
      };
      // Two open runs hold both slots: a third concurrent one is refused.
      const a = await makeEnv(ev);
      const b = await makeEnv(ev);
      const third = await ev.call('make', { envId: 'FactRecall-v0' });
      expect(third.body).toMatchObject({ code: 'FR_ERR_PROTO_EVAL_QUOTA', retryable: true });
      // Partial runs (a reveals only counts) give their slots back.
      await answer(ev, a, 3, () => 'x');
      await ev.ok('close', { handle: a });
      await ev.ok('close', { handle: b });
      await complete();
      await complete();
      const over = await ev.call('make', { envId: 'FactRecall-v0' });
      expect(over.body).toMatchObject({ code: 'FR_ERR_PROTO_EVAL_QUOTA' });
      expect(over.body.retryAfterMs as number).toBeGreaterThan(3500_000);
      expect(host.evalQuotas.status('team-q')).toMatchObject({ used: 2, open: 0, remaining: 0 });
      // Another submitter has its own quota.
      const other = await openSession(host, 'eval', 'team-r');
      await makeEnv(other);
    }));

  it('counts complete runs already in the eval-runs file after a restart', () =>
    withHost({ evalQuota: { runs: 1, windowMs: 3600_000 } }, async (host) => {
      const ev = await openSession(host, 'eval', 'team-s');
      const h = await makeEnv(ev);
      for (let round = 0; round < 4; round++) await answer(ev, h, 100, () => 'x');
      await ev.ok('close', { handle: h });
      await withHost(
        {
          evalRuns: host.evalRuns,
          evalQuota: { runs: 1, windowMs: 3600_000 },
          pastEvalRuns: await host.evalRuns.completeRuns(),
        },
        async (restarted) => {
          const again = await openSession(restarted, 'eval', 'team-s');
          const r = await again.call('make', { envId: 'FactRecall-v0' });
          expect(r.body).toMatchObject({ code: 'FR_ERR_PROTO_EVAL_QUOTA' });
        },
      );
    }));
});

describe('val rewards', () => {
  it('go back per episode by default, and only as a complete run aggregate under valRewards aggregate', async () => {
    await withHost({}, async (host) => {
      const p = await openSession(host, 'policy');
      const handle = await makeEnv(p);
      const stepped = await answer(p, handle, 2, (o) => GOLD.get(o.questionId)!, 'val');
      expect((stepped.results as Body[]).map((r) => r.reward)).toEqual([1, 1]);
    });
    await withHost({ valRewards: 'aggregate' }, async (host) => {
      const p = await openSession(host, 'policy');
      const t = await openSession(host, 'trainer');
      const chosen = await t.call('reset', {
        handle: await makeEnv(t),
        split: 'val',
        batchSize: 1,
        groupSize: 1,
        questionIds: [defaultSource().splits.val![0]!.id],
      });
      expect(chosen.body.code).toBe('FR_ERR_PROTO_FORBIDDEN');
      const start = await p.call('make', {
        envId: 'FactRecall-v0',
        options: { start: { val: { epoch: 0, cursor: 5 } } },
      });
      expect(start.body.code).toBe('FR_ERR_PROTO_FORBIDDEN');
      const probe = async (right: boolean) => {
        const handle = await makeEnv(p);
        // Train rewards still come back; val ones do not.
        const train = await answer(p, handle, 2, (o) => GOLD.get(o.questionId)!, 'train');
        expect((train.results as Body[]).map((r) => r.reward)).toEqual([1, 1]);
        const val = await answer(
          p,
          handle,
          3,
          (o, i) => (right && i === 2 ? GOLD.get(o.questionId)! : 'x'),
          'val',
        );
        expect((val.results as Body[]).map((r) => r.status)).toEqual([
          'withheld',
          'withheld',
          'withheld',
        ]);
        expect(val.groups).toEqual([]);
        return closeShape(p, handle);
      };
      const right = await probe(true);
      expect(right).toEqual(await probe(false));
      expect(right.counts).toMatchObject({ issued: 5, rewardSum: 2, scored: 2 });
      const full = await makeEnv(p);
      await answer(p, full, 200, (o) => GOLD.get(o.questionId)!, 'val');
      const done = await closeShape(p, full);
      expect(done.runs).toEqual([
        { split: 'val', k: 1, questions: 200, splitSize: 200, complete: true, score: 1 },
      ]);
      expect(((await p.ok('stats')).bySplit as Record<string, Body>).val).toMatchObject({
        rewardSum: 0,
        meanReward: null,
      });
    });
  });
});
