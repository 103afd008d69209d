/**
 * What each verb does, once the session has checked hello, limits and the body's schema.
 * Role rules live here: the test split is the eval role's alone; eval sees no per-episode
 * reward or verdict; gold answers go only to the trainer role, train split only. Everything
 * sent is copied field by field from the env's answers, so nothing the env adds (gold answers
 * included) can leak by accident.
 */
import { randomBytes } from 'node:crypto';
import { sumCounts } from '../env/episodes.ts';
import type { EpisodeCounts, Observation, SplitName, StepResult } from '../env/types.ts';
import { JUDGE_KINDS } from '../judges/index.ts';
import { protoError, toErrorBody } from './errors.ts';
import type { EvalRunRecord } from './eval-runs.ts';
import {
  checkHiddenMake,
  HiddenRun,
  hiddenSplitsFor,
  type RunScore,
  revealedCounts,
} from './hidden-runs.ts';
import type { Host, HostedEnv } from './host.ts';
import {
  PROTOCOL_VERSION,
  type RequestBody,
  type ResponseBody,
  type Role,
  type Verb,
} from './schema.ts';
import { findToken } from './tokens.ts';

/** An env opened by a session, with the role it was made under. */
export interface SessionEnv extends HostedEnv {
  readonly role: Role;
  readonly submitter: string;
  /**
   * Eval envs only: each answered episode's question id and extracted answer, in step order,
   * written into the eval-run record so the leaderboard can score the run on its own judge
   * and public/private parts. Server-side only: never sent to the client.
   */
  readonly answers?: Array<{ questionId: string; answer: string }>;
  /** Runs over the splits this role sees only as aggregates (hidden-runs.ts). */
  readonly runs: ReadonlyMap<SplitName, HiddenRun>;
  /** An eval env holds one slot of its submitter's eval-run quota until it closes. */
  quotaHeld: boolean;
}

/** What a verb sees of the session it runs in (session.ts implements it). */
export interface Session {
  readonly id: string;
  readonly transport: string;
  readonly host: Host;
  role: Role | null;
  name: string;
  readonly envs: Map<string, SessionEnv>;
  newHandle(): string;
  /** The env behind a handle, or FR_ERR_PROTO_UNKNOWN_HANDLE. */
  env(handle: string): SessionEnv;
}

type Handler<V extends Verb> = (s: Session, body: RequestBody<V>) => Promise<ResponseBody<V>>;

const hello: Handler<'hello'> = async (s, body) => {
  if (s.role !== null && s.transport !== 'grpc-unary') {
    throw protoError('FR_ERR_PROTO_BAD_REQUEST', 'hello was already sent on this connection');
  }
  if (body.version !== PROTOCOL_VERSION) {
    throw protoError('FR_ERR_PROTO_VERSION', `client sent ${JSON.stringify(body.version)}`);
  }
  const { tokens } = s.host;
  if (s.transport === 'grpc-unary') {
    // Unary calls are authenticated per call from metadata; a unary hello only reports the
    // role. It never changes it: other calls with the same token share this session.
    if (body.role !== undefined && body.role !== s.role) {
      throw protoError(
        'FR_ERR_PROTO_FORBIDDEN',
        `unary calls take their role from metadata (${s.role} here), not from hello`,
      );
    }
    if (
      body.token !== undefined &&
      tokens !== null &&
      findToken(tokens, body.token)?.name !== s.name
    ) {
      throw protoError('FR_ERR_PROTO_FORBIDDEN', "the token does not match this call's metadata");
    }
  } else if (tokens === null) {
    s.role = body.role ?? 'policy';
    s.name = body.client ?? s.role;
  } else {
    const entry = body.token === undefined ? undefined : findToken(tokens, body.token);
    if (!entry) throw protoError('FR_ERR_PROTO_UNAUTHENTICATED');
    if (body.role !== undefined && body.role !== entry.role) {
      throw protoError(
        'FR_ERR_PROTO_FORBIDDEN',
        `this token's role is ${entry.role}, not ${body.role}`,
      );
    }
    s.role = entry.role;
    s.name = entry.name;
  }
  return {
    version: PROTOCOL_VERSION,
    role: s.role!,
    sessionId: s.id,
    server: s.host.serverName,
    limits: { ...s.host.limits },
  };
};

const listEnvs: Handler<'list_envs'> = async (s) => ({
  envs: s.host.registry.list().map((e) => ({ id: e.id, description: e.description })),
});

/**
 * A judge value only the server may choose: a judge it does not offer clients (llm, panel),
 * or a spec object (which configures a judge). Any other value is the env's to validate, so a
 * name no judge has is FR_ERR_ENV_BAD_OPTIONS, as for any bad option value.
 */
function isServerOwnedJudge(value: unknown, clientJudges: readonly string[]): boolean {
  if (typeof value === 'string') {
    return (JUDGE_KINDS as readonly string[]).includes(value) && !clientJudges.includes(value);
  }
  return value !== null && typeof value === 'object';
}

const make: Handler<'make'> = async (s, body) => {
  if (s.envs.size >= s.host.limits.maxEnvsPerConnection) {
    throw protoError('FR_ERR_PROTO_TOO_MANY_ENVS', `${s.envs.size} open`);
  }
  const role = s.role!;
  const hidden = hiddenSplitsFor(role, s.host.valRewards);
  // passK is the protocol's (it declares a pass@k run), not the env's.
  const { passK, ...requested } = body.options ?? {};
  checkHiddenMake(role, hidden, body.options ?? {});
  const options: Record<string, unknown> = { ...s.host.makeDefaults };
  for (const [key, value] of Object.entries(requested)) {
    if (!s.host.clientOptionKeys.includes(key)) {
      throw protoError(
        'FR_ERR_PROTO_FORBIDDEN',
        `option ${key} is set by the server; clients may set ${s.host.clientOptionKeys.join(', ')}`,
      );
    }
    if (key === 'judge' && isServerOwnedJudge(value, s.host.clientJudges)) {
      throw protoError(
        'FR_ERR_PROTO_FORBIDDEN',
        `the judge is the server's unless it is one of ${s.host.clientJudges.join(', ')}`,
      );
    }
    options[key] = value;
  }
  // The pinned leaderboard subset is the eval role's test split (its own fingerprint).
  if (role === 'eval' && s.host.evalSubset) options.subset = { test: s.host.evalSubset };
  // An eval env holds a quota slot from here (released if the make fails or the run is partial).
  if (role === 'eval') s.host.evalQuotas.reserve(s.name);
  let env: Awaited<ReturnType<typeof s.host.registry.make>>;
  try {
    env = await s.host.registry.make(body.envId, options);
  } catch (e) {
    if (role === 'eval') s.host.evalQuotas.settle(s.name, false);
    throw e;
  }
  const sizes = env.spec().splits;
  const runs = new Map<SplitName, HiddenRun>();
  for (const split of hidden) {
    const size = sizes[split];
    if (size !== undefined) runs.set(split, new HiddenRun(split, (passK as number) ?? 1, size));
  }
  const hosted: SessionEnv = {
    handle: s.newHandle(),
    envId: body.envId,
    env,
    role,
    submitter: s.name,
    ...(role === 'eval' ? { answers: [] } : {}),
    runs,
    quotaHeld: role === 'eval',
  };
  s.envs.set(hosted.handle, hosted);
  s.host.envs.set(hosted.handle, hosted);
  const spec = env.spec();
  return { handle: hosted.handle, spec: { ...spec, limits: { ...spec.limits } } };
};

/** The server's upper bound; empty batches go on to the env, whose codes say why (as in-process). */
function checkBatch(s: Session, episodes: number, what: string): void {
  const max = s.host.limits.maxBatchEpisodes;
  if (episodes > max) {
    throw protoError('FR_ERR_PROTO_BATCH_SIZE', `${what} is ${episodes}; at most ${max}`);
  }
}

function wireObservation(o: Observation): Observation {
  return {
    episodeId: o.episodeId,
    groupId: o.groupId,
    index: o.index,
    questionId: o.questionId,
    dataset: o.dataset,
    split: o.split,
    question: o.question,
    messages: o.messages.map((m) => ({ role: m.role, content: m.content })),
    prompt: o.prompt,
  };
}

const reset: Handler<'reset'> = async (s, body) => {
  const hosted = s.env(body.handle);
  const role = hosted.role;
  if (role === 'eval' && body.split !== 'test') {
    throw protoError('FR_ERR_PROTO_FORBIDDEN', 'the eval role resets the test split only');
  }
  if (role !== 'eval' && body.split === 'test') {
    throw protoError('FR_ERR_PROTO_FORBIDDEN', 'the test split is served to the eval role only');
  }
  if (body.withGold && !(role === 'trainer' && body.split === 'train')) {
    throw protoError(
      'FR_ERR_PROTO_FORBIDDEN',
      'gold answers go to the trainer role on the train split only',
    );
  }
  if (body.questionIds && !(role === 'trainer' && body.split !== 'test')) {
    throw protoError(
      'FR_ERR_PROTO_FORBIDDEN',
      'questionIds is for the trainer role on the train and val splits only',
    );
  }
  checkBatch(s, body.batchSize * body.groupSize, 'batchSize x groupSize');
  const run = hosted.runs.get(body.split);
  if (run && body.questionIds) {
    throw protoError(
      'FR_ERR_PROTO_FORBIDDEN',
      `the ${body.split} split is served as whole runs in the server order: no questionIds`,
    );
  }
  // Sizes below 1 go on to the env, whose code says why (as in-process).
  if (run && body.batchSize >= 1 && body.groupSize >= 1)
    run.checkReset(body.batchSize, body.groupSize);
  const r = await hosted.env.reset({
    split: body.split,
    batchSize: body.batchSize,
    groupSize: body.groupSize,
    ...(body.questionIds ? { questionIds: [...body.questionIds] } : {}),
  });
  run?.handedOut(r.observations);
  const observations = r.observations.map((o) => {
    const w = wireObservation(o);
    // Belt and braces: the env refuses gold outside train too.
    if (body.withGold && o.split === 'train') w.gold = [...hosted.env.gold(o.episodeId)];
    return w;
  });
  return { observations, epoch: r.epoch, cursor: r.cursor, splitSize: r.splitSize };
};

function wireResult(r: StepResult, withhold: boolean): StepResult {
  const info: StepResult['info'] = {
    questionId: r.info.questionId,
    extracted: r.info.extracted,
    judgeId: r.info.judgeId,
    cached: withhold ? false : r.info.cached,
    latencyMs: withhold ? 0 : r.info.latencyMs,
  };
  if (r.info.error && !withhold)
    info.error = { code: r.info.error.code, message: r.info.error.message };
  return {
    episodeId: r.episodeId,
    groupId: r.groupId,
    index: r.index,
    reward: withhold ? null : r.reward,
    verdict: withhold ? null : r.verdict,
    status: withhold ? 'withheld' : r.status,
    terminated: r.terminated,
    truncated: r.truncated,
    info,
  };
}

const step: Handler<'step'> = async (s, body) => {
  const hosted = s.env(body.handle);
  checkBatch(s, body.actions.length, 'actions');
  const r = await hosted.env.step(body.actions);
  for (const x of r.results) {
    hosted.answers?.push({ questionId: x.info.questionId, answer: x.info.extracted });
  }
  // Episodes of a hidden run (hidden-runs.ts) get no reward, verdict or group stats.
  const runOf = (groupId: string) => {
    for (const run of hosted.runs.values()) if (run.holds(groupId)) return run;
    return undefined;
  };
  const open: typeof r.groups = [];
  for (const g of r.groups) {
    const run = runOf(g.groupId);
    if (run) run.stepped(g);
    else open.push(g);
  }
  return {
    results: r.results.map((x) => wireResult(x, runOf(x.groupId) !== undefined)),
    groups: open.map((g) => ({
      groupId: g.groupId,
      questionId: g.questionId,
      size: g.size,
      answered: g.answered,
      scored: g.scored,
      meanReward: g.meanReward,
      complete: g.complete,
    })),
  };
};

/** Envs already closed (a close retried after a failed record must not close twice). */
const closedEnvs = new WeakSet<object>();

/** What closing an env reveals: counts (hidden runs' scores only when complete) and run scores. */
export interface ClosedEnv {
  runId: string | undefined;
  counts: EpisodeCounts;
  perSplit: Partial<Record<SplitName, EpisodeCounts>>;
  runs: RunScore[];
  fingerprint: string;
}

function revealed(hosted: SessionEnv): ClosedEnv {
  const st = hosted.env.stats();
  const runs: RunScore[] = [];
  const perSplit: Partial<Record<SplitName, EpisodeCounts>> = {};
  for (const [split, c] of Object.entries(st.perSplit) as Array<[SplitName, EpisodeCounts]>) {
    const run = hosted.runs.get(split)?.score(c);
    if (run) runs.push(run);
    perSplit[split] = revealedCounts(c, run);
  }
  return {
    runId: undefined,
    counts: sumCounts(Object.values(perSplit)),
    perSplit,
    runs,
    fingerprint: st.fingerprint,
  };
}

/**
 * Close the env, record an eval env's run (once; FR_ERR_PROTO_RECORD_FAILED leaves the handle
 * for a retried close), settle its quota slot, and retire it from the session and host.
 */
export async function closeSessionEnv(
  s: Session,
  hosted: SessionEnv,
  status: 'closed' | 'abandoned',
): Promise<ClosedEnv> {
  if (!closedEnvs.has(hosted.env)) {
    closedEnvs.add(hosted.env);
    await hosted.env.close();
  }
  const out = revealed(hosted);
  const run = out.runs.find((r) => r.split === 'test');
  if (hosted.role === 'eval' && out.counts.issued > 0 && run) {
    const runId = `run-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
    const record: EvalRunRecord = {
      runId,
      status,
      complete: run.complete,
      recordedAt: new Date().toISOString(),
      submitter: hosted.submitter,
      envId: hosted.envId,
      fingerprint: out.fingerprint,
      spec: hosted.env.spec(),
      run,
      counts: out.counts,
      perSplit: out.perSplit,
      answers: hosted.answers ?? [],
    };
    try {
      await s.host.evalRuns.append(record);
    } catch (e) {
      throw protoError('FR_ERR_PROTO_RECORD_FAILED', (e as Error).message, {
        retryAfterMs: s.host.limits.retryAfterMs,
        details: { cause: toErrorBody(e).message },
      });
    }
    out.runId = runId;
  }
  releaseQuota(s, hosted, run?.complete === true && out.runId !== undefined);
  s.envs.delete(hosted.handle);
  s.host.retire(hosted);
  return out;
}

/** Give back (partial run) or keep for the window (complete, recorded run) an eval env's slot. */
export function releaseQuota(s: Session, hosted: SessionEnv, complete: boolean): void {
  if (!hosted.quotaHeld) return;
  hosted.quotaHeld = false;
  s.host.evalQuotas.settle(hosted.submitter, complete);
}

const close: Handler<'close'> = async (s, body) => {
  const hosted = s.env(body.handle);
  const out = await closeSessionEnv(s, hosted, 'closed');
  return {
    handle: hosted.handle,
    counts: out.counts,
    fingerprint: out.fingerprint,
    ...(out.runId ? { evalRunId: out.runId } : {}),
    ...(out.runs.length > 0 ? { runs: out.runs } : {}),
  };
};

const stats: Handler<'stats'> = async (s) => {
  const { totals, bySplit } = s.host.episodeCounts();
  return {
    connections: s.host.connections,
    inFlight: s.host.inFlight,
    openEnvs: s.host.envs.size,
    totals,
    bySplit,
    errors: Object.fromEntries(s.host.errors),
  };
};

export const VERB_HANDLERS: { [V in Verb]: Handler<V> } = {
  hello,
  list_envs: listEnvs,
  make,
  reset,
  step,
  close,
  stats,
};
