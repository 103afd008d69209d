/**
 * `checkEnv`: a conformance checker in the spirit of Gymnasium's `check_env`. Anyone can run
 * it against their own EnvApi implementation, in process or behind a protocol client:
 *
 * ```ts
 * const report = await checkEnv(() => make('FactRecall-v0'));
 * if (!report.ok) console.log(report.checks.filter((c) => !c.ok));
 * ```
 *
 * Every check runs and is reported (a failure does not stop the others). It needs envs that
 * start fresh: `makeEnv` is called once per check that needs its own env.
 */
import type { z } from 'zod';
import {
  EnvSpecSchema,
  ObservationSchema,
  ResetResultSchema,
  StepBatchResultSchema,
} from './schemas.ts';
import type {
  Action,
  EnvApi,
  Observation,
  ResetOptions,
  ResetResult,
  SplitName,
  StepBatchResult,
} from './types.ts';

export interface CheckEnvOptions {
  /** Split to draw questions from (default train). */
  split?: SplitName;
  /** Questions per reset (default 3). */
  batchSize?: number;
  /** Episodes per question (default 2). */
  groupSize?: number;
  /** The raw answer sent for an observation (default: a fixed probe text, blank for odd indices). */
  answer?: (observation: Observation) => string;
  /**
   * Demand FactRecall's exact error codes on misuse (default true). With false any
   * `FR_ERR_*` coded error is accepted, for implementations with their own catalogue.
   */
  strictCodes?: boolean;
  /** Longest a single check may take before it fails (default 30 s). */
  timeoutMs?: number;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  /** Why it failed, or what it saw. */
  detail: string;
  ms: number;
}

export interface CheckReport {
  ok: boolean;
  passed: number;
  failed: number;
  checks: CheckResult[];
}

/** Thrown inside a check to fail it with a message. */
class CheckFailure extends Error {}

function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new CheckFailure(message);
}

function parseOrFail<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new CheckFailure(
      `${what} does not match its schema: ${first?.path.join('.') || '(root)'}: ${first?.message}`,
    );
  }
  return r.data;
}

function codeOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function groupsOf(observations: readonly Observation[]): Map<string, Observation[]> {
  const groups = new Map<string, Observation[]>();
  for (const o of observations) groups.set(o.groupId, [...(groups.get(o.groupId) ?? []), o]);
  return groups;
}

const PROBE_ANSWER = 'checkEnv probe answer';

export async function checkEnv(
  makeEnv: () => Promise<EnvApi> | EnvApi,
  opts: CheckEnvOptions = {},
): Promise<CheckReport> {
  const resetOpts: ResetOptions = {
    split: opts.split ?? 'train',
    batchSize: opts.batchSize ?? 3,
    groupSize: opts.groupSize ?? 2,
  };
  const answerOf = opts.answer ?? ((o: Observation) => (o.index % 2 ? '' : PROBE_ANSWER));
  const strict = opts.strictCodes ?? true;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const actionsFor = (obs: readonly Observation[]): Action[] =>
    obs.map((o) => ({ episodeId: o.episodeId, answer: answerOf(o) }));

  const opened: EnvApi[] = [];
  // A check that timed out keeps running; an env it makes after the report is done must still
  // be closed, or it stays open (on a server, for a remote env).
  let finished = false;
  const fresh = async (): Promise<EnvApi> => {
    const env = await makeEnv();
    if (finished) {
      await Promise.resolve()
        .then(() => env.close())
        .catch(() => undefined);
      throw new CheckFailure('made after the check had ended');
    }
    opened.push(env);
    return env;
  };
  const freshReset = async (): Promise<{ env: EnvApi; reset: ResetResult }> => {
    const env = await fresh();
    return { env, reset: await env.reset(resetOpts) };
  };

  /** Passes when `run` rejects with the expected code (any FR_ERR_ code when not strict). */
  const refuses = async (what: string, code: string, run: () => Promise<unknown>) => {
    let result: unknown;
    try {
      result = await run();
    } catch (e) {
      const got = codeOf(e);
      assert(got?.startsWith('FR_ERR_'), `${what}: rejected without a code (${String(e)})`);
      assert(!strict || got === code, `${what}: rejected with ${got}, expected ${code}`);
      return `refused with ${got}`;
    }
    throw new CheckFailure(`${what} was accepted (got ${JSON.stringify(result).slice(0, 120)})`);
  };

  const checks: Array<[string, () => Promise<string>]> = [
    [
      'spec has the EnvSpec shape, a Name-vN id and reward range [0, 1]',
      async () => {
        const env = await fresh();
        const spec = parseOrFail(EnvSpecSchema, await env.spec(), 'spec');
        assert(
          spec.rewardRange[0] === 0 && spec.rewardRange[1] === 1,
          `rewardRange ${spec.rewardRange}`,
        );
        assert(
          spec.id.endsWith(`-v${spec.version}`),
          `id ${spec.id} does not end in -v${spec.version}`,
        );
        return `${spec.id} ${spec.fingerprint}`;
      },
    ],
    [
      'reset returns batchSize x groupSize observations of the requested split',
      async () => {
        const { reset } = await freshReset();
        const r = parseOrFail(ResetResultSchema, reset, 'reset result');
        const want = resetOpts.batchSize * resetOpts.groupSize;
        assert(
          r.observations.length === want,
          `${r.observations.length} observations, expected ${want}`,
        );
        for (const o of r.observations) parseOrFail(ObservationSchema, o, 'observation');
        assert(
          r.observations.every((o) => o.split === resetOpts.split),
          'an observation of another split',
        );
        assert(r.splitSize > 0, 'splitSize is 0');
        return `${r.observations.length} observations, split size ${r.splitSize}`;
      },
    ],
    [
      'groups are intact: n episodes per question, indices 0..n-1, unique episode ids',
      async () => {
        const { reset } = await freshReset();
        const groups = groupsOf(reset.observations);
        assert(
          groups.size === resetOpts.batchSize,
          `${groups.size} groups, expected ${resetOpts.batchSize}`,
        );
        for (const [groupId, members] of groups) {
          const indices = members.map((o) => o.index).sort((a, b) => a - b);
          assert(
            indices.join() === Array.from({ length: resetOpts.groupSize }, (_, i) => i).join(),
            `group ${groupId} has indices ${indices}`,
          );
          assert(
            new Set(members.map((o) => o.questionId)).size === 1,
            `group ${groupId} mixes questions`,
          );
        }
        const ids = new Set(reset.observations.map((o) => o.episodeId));
        assert(ids.size === reset.observations.length, 'episode ids repeat');
        return `${groups.size} groups of ${resetOpts.groupSize}`;
      },
    ],
    [
      'seeded reset is deterministic: two fresh envs hand out the same questions in the same order',
      async () => {
        const orderOf = async () => {
          const env = await fresh();
          const first = await env.reset(resetOpts);
          const second = await env.reset(resetOpts);
          const spec = await env.spec();
          const ids = [...first.observations, ...second.observations].map((o) => o.questionId);
          return { ids, fingerprint: spec.fingerprint };
        };
        const a = await orderOf();
        const b = await orderOf();
        assert(
          a.fingerprint === b.fingerprint,
          `fingerprints differ: ${a.fingerprint} vs ${b.fingerprint}`,
        );
        const firstDiff = a.ids.findIndex((id, i) => id !== b.ids[i]);
        assert(
          firstDiff === -1 && a.ids.length === b.ids.length,
          `orders differ at position ${firstDiff}: ${a.ids[firstDiff]} vs ${b.ids[firstDiff]}`,
        );
        return `${a.ids.length} questions in the same order`;
      },
    ],
    [
      'step returns one well-formed result per action, in order, with rewards in range or null when the judge failed',
      async () => {
        const { env, reset } = await freshReset();
        const actions = actionsFor(reset.observations);
        const out: StepBatchResult = parseOrFail(
          StepBatchResultSchema,
          await env.step(actions),
          'step result',
        );
        assert(
          out.results.length === actions.length,
          `${out.results.length} results for ${actions.length} actions`,
        );
        const byEpisode = new Map(reset.observations.map((o) => [o.episodeId, o]));
        out.results.forEach((r, i) => {
          assert(
            r.episodeId === actions[i]!.episodeId,
            `result ${i} is for ${r.episodeId}, not ${actions[i]!.episodeId}`,
          );
          const o = byEpisode.get(r.episodeId)!;
          assert(
            r.groupId === o.groupId && r.index === o.index,
            `result ${i} lost its group identity`,
          );
          assert(r.info.questionId === o.questionId, `result ${i} names another question`);
          assert(r.terminated, `result ${i} is not terminated (an episode is one answer)`);
          if (r.status === 'ok') {
            assert(
              r.reward === 0 || r.reward === 1,
              `result ${i}: status ok with reward ${r.reward}`,
            );
            assert(r.verdict !== null, `result ${i}: status ok without a verdict`);
            assert(
              (r.reward === 1) === (r.verdict === 'correct'),
              `result ${i}: reward ${r.reward} for ${r.verdict}`,
            );
          } else {
            assert(
              r.reward === null && r.verdict === null,
              `result ${i}: judge_failed with reward ${r.reward}`,
            );
          }
        });
        const touched = new Set(out.results.map((r) => r.groupId));
        const reported = new Set(out.groups.map((g) => g.groupId));
        assert(
          [...touched].every((g) => reported.has(g)) && reported.size === touched.size,
          'group stats do not match the groups touched',
        );
        for (const g of out.groups) {
          assert(g.size === resetOpts.groupSize, `group ${g.groupId} size ${g.size}`);
          assert(
            g.answered === resetOpts.groupSize && g.complete,
            `group ${g.groupId} not complete after all answers`,
          );
        }
        const failed = out.results.filter((r) => r.status === 'judge_failed').length;
        return `${out.results.length} results, ${failed} judge failures`;
      },
    ],
    [
      'a second step on an episode is refused',
      async () => {
        const { env, reset } = await freshReset();
        const actions = actionsFor(reset.observations.slice(0, 1));
        await env.step(actions);
        return refuses('a second step', 'FR_ERR_ENV_EPISODE_DONE', () => env.step(actions));
      },
    ],
    [
      'a step on an unknown episode is refused',
      async () => {
        const { env } = await freshReset();
        return refuses('an unknown episode', 'FR_ERR_ENV_UNKNOWN_EPISODE', () =>
          env.step([{ episodeId: 'checkEnv-no-such-episode', answer: PROBE_ANSWER }]),
        );
      },
    ],
    [
      'an empty step batch is refused',
      async () => {
        const { env } = await freshReset();
        return refuses('an empty batch', 'FR_ERR_ENV_BAD_BATCH', () => env.step([]));
      },
    ],
    [
      'a batch with a duplicate episode is refused whole, applying nothing',
      async () => {
        const { env, reset } = await freshReset();
        const [a, b] = actionsFor(reset.observations);
        assert(a && b, 'needs two episodes per reset');
        const detail = await refuses('a duplicate episode', 'FR_ERR_ENV_DUPLICATE_EPISODE', () =>
          env.step([a, b, a]),
        );
        const after = await env.step([a, b]);
        assert(
          after.results.length === 2,
          'the episodes of the refused batch could not be answered after it',
        );
        return detail;
      },
    ],
    [
      'a reset with batchSize 0 is refused',
      async () => {
        const env = await fresh();
        return refuses('batchSize 0', 'FR_ERR_ENV_BAD_RESET', () =>
          env.reset({ ...resetOpts, batchSize: 0 }),
        );
      },
    ],
  ];

  const results: CheckResult[] = [];
  for (const [name, run] of checks) {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new CheckFailure(`timed out after ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      const detail = await Promise.race([run(), timeout]);
      results.push({ name, ok: true, detail, ms: performance.now() - started });
    } catch (e) {
      const detail =
        e instanceof CheckFailure ? e.message : `threw ${codeOf(e) ?? ''} ${String(e)}`.trim();
      results.push({ name, ok: false, detail, ms: performance.now() - started });
    } finally {
      clearTimeout(timer);
    }
  }
  finished = true;
  await Promise.allSettled(opened.map((env) => Promise.resolve().then(() => env.close())));

  const failed = results.filter((r) => !r.ok).length;
  return { ok: failed === 0, passed: results.length - failed, failed, checks: results };
}
