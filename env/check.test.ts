import { describe, expect, it } from 'vitest';
import { isFactRecallError } from '../lib/errors.ts';
import { AlwaysFailingJudge, capitalsSource } from '../test/support/env-doubles.ts';
import { type CheckReport, checkEnv } from './check.ts';
import { makeFactRecallV0 } from './factrecall-v0.ts';
import { make } from './registry.ts';
import type {
  Action,
  EnvApi,
  ResetOptions,
  ResetResult,
  StepBatchResult,
  StepResult,
} from './types.ts';

const failedChecks = (report: CheckReport) => report.checks.filter((c) => !c.ok).map((c) => c.name);

/** Deliberately broken envs, each wrapping the real one and breaking one rule. */
class BrokenEnv implements EnvApi {
  protected readonly inner = makeFactRecallV0({ source: capitalsSource() });
  spec() {
    return this.inner.spec();
  }
  reset(opts: ResetOptions): Promise<ResetResult> {
    return this.inner.reset(opts);
  }
  step(actions: readonly Action[]): Promise<StepBatchResult> {
    return this.inner.step(actions);
  }
  close() {
    return this.inner.close();
  }
}

/** Accepts a second step on an episode, answering it with the first result again. */
class DoubleStepEnv extends BrokenEnv {
  private readonly answered = new Map<string, StepResult>();
  override async step(actions: readonly Action[]): Promise<StepBatchResult> {
    try {
      const out = await this.inner.step(actions);
      for (const r of out.results) this.answered.set(r.episodeId, r);
      return out;
    } catch (e) {
      if (!isFactRecallError(e, 'FR_ERR_ENV_EPISODE_DONE')) throw e;
      const results = actions.map((a) => this.answered.get(a.episodeId)!);
      return { results, groups: [] };
    }
  }
}

/** Gives every episode its own group: groups lose their identity. */
class SplitGroupsEnv extends BrokenEnv {
  override async reset(opts: ResetOptions): Promise<ResetResult> {
    const r = await this.inner.reset(opts);
    return {
      ...r,
      observations: r.observations.map((o) => ({ ...o, groupId: `${o.groupId}:${o.index}` })),
    };
  }
}

/** Reads a judge failure as reward 0. */
class FailureAsZeroEnv extends BrokenEnv {
  protected override readonly inner = makeFactRecallV0({
    source: capitalsSource(),
    judge: new AlwaysFailingJudge(),
  });
  override async step(actions: readonly Action[]): Promise<StepBatchResult> {
    const out = await this.inner.step(actions);
    return { ...out, results: out.results.map((r) => ({ ...r, reward: 0 as const })) };
  }
}

describe('checkEnv', () => {
  it('passes FactRecall-v0 on a small source, every check', async () => {
    const report = await checkEnv(() => makeFactRecallV0({ source: capitalsSource() }));
    expect(failedChecks(report)).toEqual([]);
    expect(report).toMatchObject({ ok: true, failed: 0 });
    expect(report.passed).toBeGreaterThanOrEqual(10);
  });

  it('passes FactRecall-v0 made from the registry on its default FactWorld source, on val with groups of 4', async () => {
    const report = await checkEnv(() => make('FactRecall-v0'), { split: 'val', groupSize: 4 });
    expect(failedChecks(report)).toEqual([]);
  });

  it('passes an env whose judge always fails: null rewards with judge_failed are in range', async () => {
    const report = await checkEnv(() =>
      makeFactRecallV0({ source: capitalsSource(), judge: new AlwaysFailingJudge() }),
    );
    expect(failedChecks(report)).toEqual([]);
  });

  it('fails an env that allows a second step on an episode, and only that check', async () => {
    const report = await checkEnv(() => new DoubleStepEnv());
    expect(report.ok).toBe(false);
    expect(failedChecks(report)).toEqual(['a second step on an episode is refused']);
    expect(report.checks.find((c) => !c.ok)!.detail).toMatch(/was accepted/);
  });

  it('fails an env whose question order is not seeded', async () => {
    let seed = 0;
    const report = await checkEnv(() =>
      makeFactRecallV0({ source: capitalsSource(), seed: seed++ }),
    );
    expect(failedChecks(report)).toEqual([
      'seeded reset is deterministic: two fresh envs hand out the same questions in the same order',
    ]);
  });

  it('fails an env that breaks groups apart', async () => {
    const report = await checkEnv(() => new SplitGroupsEnv());
    expect(failedChecks(report)).toContain(
      'groups are intact: n episodes per question, indices 0..n-1, unique episode ids',
    );
  });

  it('fails an env that reads a judge failure as reward 0', async () => {
    const report = await checkEnv(() => new FailureAsZeroEnv());
    const step = report.checks.find((c) => c.name.startsWith('step returns'))!;
    expect(step.ok).toBe(false);
    expect(step.detail).toMatch(/judge_failed with reward 0/);
  });

  it('reports every check as failed, without throwing, when the env cannot be made', async () => {
    const report = await checkEnv(() => make('NoSuchEnv-v0'));
    expect(report.ok).toBe(false);
    expect(report.passed).toBe(0);
    expect(report.checks.every((c) => c.detail.includes('FR_ERR_ENV_UNKNOWN_ID'))).toBe(true);
  });

  it('accepts another catalogue of FR_ERR_ codes when strictCodes is off', async () => {
    class OtherCodesEnv extends BrokenEnv {
      override async step(actions: readonly Action[]): Promise<StepBatchResult> {
        try {
          return await this.inner.step(actions);
        } catch {
          throw Object.assign(new Error('refused'), { code: 'FR_ERR_OTHER_REFUSED' });
        }
      }
    }
    const strict = await checkEnv(() => new OtherCodesEnv());
    expect(strict.failed).toBe(4);
    const lenient = await checkEnv(() => new OtherCodesEnv(), { strictCodes: false });
    expect(failedChecks(lenient)).toEqual([]);
  });

  it('closes an env that a timed-out check makes after the report is done', async () => {
    let made = 0;
    let closed = 0;
    const slowMake = async (): Promise<EnvApi> => {
      made++;
      const inner = makeFactRecallV0({ source: capitalsSource() });
      await new Promise((r) => setTimeout(r, 60));
      return {
        spec: () => inner.spec(),
        reset: (o) => inner.reset(o),
        step: (a) => inner.step(a),
        close: async () => {
          closed++;
          await inner.close();
        },
      };
    };
    const report = await checkEnv(slowMake, { timeoutMs: 20 });
    expect(report.ok).toBe(false);
    await new Promise((r) => setTimeout(r, 250));
    expect(made).toBeGreaterThan(0);
    expect(closed).toBe(made);
  });
});
