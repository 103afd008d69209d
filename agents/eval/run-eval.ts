/**
 * One evaluation: a model (an OpenAiPolicy) on one split of one dataset, through an env server
 * (`policy` role for train/val: per-episode verdicts; `eval` role for test: the server's
 * aggregate only). Questions are the first `questions` of the split's seeded epoch-0 order,
 * i.e. a seeded random subsample, the same for every model and judge.
 */
import type { Observation, SplitName } from '../../env/types.ts';
import { fingerprintOf } from '../../lib/hash.ts';
import { FactRecallClient } from '../../protocol/client/client.ts';
import { agentError } from '../errors.ts';
import type { OpenAiPolicy } from '../openai/policy.ts';
import { EpisodeStore } from './episode-store.ts';
import {
  type AtK,
  type DirectMetrics,
  directMetrics,
  type EpisodeRow,
  majAtKs,
  passAtKs,
} from './metrics.ts';

export type Baseline = 'greedy' | 'cot' | 'maj';

export interface EvalOptions {
  /** ws://… or grpc://… of an env server. */
  envUrl: string;
  envToken?: string;
  /** The dataset the server hosts (its `--splits`; servers choose the questions, not clients): a label for tables, files and the resume key. */
  dataset: string;
  split: SplitName;
  judge: unknown;
  baseline: Baseline;
  policy: OpenAiPolicy;
  /** Samples per question (1 = one answer). */
  samples: number;
  ks: readonly number[];
  /** At most this many questions (default: the whole split). */
  questions?: number;
  /** Questions per reset (default 16). */
  batchQuestions?: number;
  /** How long a batch's episodes wait for the model's answers (default 6 hours). */
  episodeTtlMs?: number;
  seed?: number;
  /**
   * What generates the answers when the model name alone does not say (the local engine: the
   * same registry model on llama.cpp and on transformers answers differently). Part of the
   * resume key, so one engine's answers are never reused for another's run.
   */
  generator?: string;
  episodesPath: string;
  onProgress?: (done: number, total: number) => void;
}

export interface EvalReport {
  dataset: string;
  split: SplitName;
  baseline: Baseline;
  model: string;
  judgeId: string;
  fingerprint: string;
  samples: number;
  questions: number;
  /** From the episode rows (val/train) or, on test, from the server's aggregate. */
  metrics: DirectMetrics;
  passAtK: AtK[];
  majAtK: AtK[];
  /** Test split: the server's count at close (the only per-run numbers the eval role gets). */
  serverCounts?: { scored: number; correct: number; judgeFailed: number; evalRunId?: string };
  /** Episodes whose model call was made in this run (the rest came from earlier runs). */
  generatedNow: number;
  seconds: number;
  questionsPerSecond: number;
  settings: Record<string, unknown>;
  episodesPath: string;
}

const EPISODE_TTL_MS = 6 * 3600_000;

export async function runEval(o: EvalOptions): Promise<EvalReport> {
  const started = performance.now();
  if (!Number.isInteger(o.samples) || o.samples < 1) {
    throw agentError(
      'FR_ERR_AGENT_BAD_OPTION',
      `samples must be an integer >= 1, got ${o.samples}`,
    );
  }
  if (o.split === 'test' && o.samples > 1) throw agentError('FR_ERR_AGENT_NEEDS_REWARDS');
  const role = o.split === 'test' ? 'eval' : 'policy';
  const client = await FactRecallClient.connect(o.envUrl, {
    role,
    clientName: 'factrecall-eval',
    ...(o.envToken ? { token: o.envToken } : {}),
  });
  try {
    const prompt = o.baseline === 'cot' ? 'cot' : 'direct';
    // An eval run goes through the test split in the server's order: it may not choose a seed.
    const env = await client.make('FactRecall-v0', {
      judge: o.judge,
      prompt,
      // A batch's episodes stay open while the model answers them all; a slow local model
      // (128 samples of 16 questions on a CPU) takes longer than the default 10 minutes.
      episodeTtlMs: o.episodeTtlMs ?? EPISODE_TTL_MS,
      ...(role === 'eval' ? {} : { seed: o.seed ?? 0 }),
    });
    const spec = env.spec();
    const size = spec.splits[o.split] ?? 0;
    const total = Math.min(size, o.questions ?? size);
    const settings = { ...o.policy.settings, samples: o.samples, prompt, seed: o.seed ?? 0 };
    const store = await EpisodeStore.open(o.episodesPath, {
      type: 'factrecall-eval',
      // Only what decides the answers: not the endpoint's URL (a local server's port changes),
      // concurrency, deadlines or retries.
      generationKey: fingerprintOf({
        model: settings.model,
        api: settings.api,
        temperature: settings.temperature,
        topP: settings.topP,
        maxTokens: settings.maxTokens,
        seed: settings.seed,
        samples: o.samples,
        prompt,
        dataset: o.dataset,
        split: o.split,
        // Absent (not in the key) for a user's endpoint: keys of earlier runs stay valid.
        generator: o.generator,
        // Sampled runs seed each request from the prompt (agents/openai/policy.ts
        // requestSeed); earlier sampled runs used one seed for every question, so their
        // files refuse to resume. Greedy answers do not depend on the seed: their key stays.
        seeds: settings.temperature > 0 ? 'per-prompt' : undefined,
      }),
      fingerprint: spec.fingerprint,
      dataset: o.dataset,
      split: o.split,
      config: { ...settings, judgeId: spec.judgeId, baseline: o.baseline },
    });
    let generatedNow = 0;
    // The questions this run covers: the file may hold more (an earlier run with a larger
    // --questions, or one killed after marking the rest failed), which this report leaves out.
    const covered = new Set<string>();
    const batch = o.batchQuestions ?? 16;
    for (let done = 0; done < total; ) {
      const b = Math.min(batch, total - done);
      const r = await env.reset({ split: o.split, batchSize: b, groupSize: o.samples });
      const groups = new Map<string, Observation[]>();
      for (const ob of r.observations as Observation[]) {
        covered.add(ob.questionId);
        const g = groups.get(ob.groupId) ?? [];
        g.push(ob);
        groups.set(ob.groupId, g);
      }
      // Answers per episode: reused from earlier runs, else generated (missing ones only).
      // While the model works the connection sends nothing, and a server closes a connection
      // idle for `idleTimeoutMs` (default 10 minutes) with its envs: a cheap `stats` request
      // every third of that keeps it.
      const answers = new Map<string, { text: string } | { error: string }>();
      const heartbeat = setInterval(
        () => void client.stats().catch(() => undefined),
        Math.max(1_000, (client.hello?.limits.idleTimeoutMs ?? 600_000) / 3),
      );
      await Promise.all(
        [...groups.values()].map(async (eps) => {
          const missing = eps.filter((e) => {
            const a = store.answer(e.questionId, e.index);
            if (a !== undefined) answers.set(e.episodeId, { text: a });
            return a === undefined;
          });
          if (missing.length === 0) return;
          const got = await o.policy.sample(missing[0]!.messages, missing.length);
          generatedNow += missing.length;
          missing.forEach((e, i) => {
            const s = got[i]!;
            answers.set(e.episodeId, s.ok ? { text: s.text } : { error: s.error });
          });
        }),
      ).finally(() => clearInterval(heartbeat));
      const byId = new Map((r.observations as Observation[]).map((ob) => [ob.episodeId, ob]));
      const actions = [...answers.entries()]
        .filter((e): e is [string, { text: string }] => 'text' in e[1])
        .map(([episodeId, a]) => ({ episodeId, answer: a.text }));
      const results = actions.length ? (await env.step(actions)).results : [];
      const rows: EpisodeRow[] = [];
      for (const res of results) {
        const ob = byId.get(res.episodeId)!;
        if (store.has(ob.questionId, ob.index)) continue;
        const status = res.status as EpisodeRow['status'];
        rows.push({
          questionId: ob.questionId,
          index: ob.index,
          question: ob.question,
          answer: (answers.get(res.episodeId) as { text: string }).text,
          status,
          reward: res.reward,
          verdict: res.verdict,
          extracted: status === 'withheld' ? null : (res.info?.extracted ?? null),
          ...(res.info?.error ? { error: res.info.error.message } : {}),
        });
      }
      for (const [episodeId, a] of answers) {
        if ('error' in a) {
          const ob = byId.get(episodeId)!;
          rows.push({
            questionId: ob.questionId,
            index: ob.index,
            question: ob.question,
            answer: null,
            status: 'generation_failed',
            reward: null,
            verdict: null,
            extracted: null,
            error: a.error,
          });
        }
      }
      await store.append(rows);
      done += b;
      o.onProgress?.(done, total);
    }
    const summary = await env.closeWithSummary();
    const rows = store.all().filter((row) => covered.has(row.questionId));
    let metrics = directMetrics(rows);
    let serverCounts: EvalReport['serverCounts'];
    if (o.split === 'test') {
      const c = summary?.counts;
      serverCounts = {
        scored: c?.scored ?? 0,
        correct: c?.rewardSum ?? 0,
        judgeFailed: c?.judgeFailed ?? 0,
        ...(summary && 'evalRunId' in summary && summary.evalRunId
          ? { evalRunId: String(summary.evalRunId) }
          : {}),
      };
      // Only the aggregate is known: accuracy from the server; verdict classes stay unknown.
      metrics = {
        ...metrics,
        scored: serverCounts.scored,
        correct: serverCounts.correct,
        incorrect: Number.NaN,
        notAttempted: Number.NaN,
        judgeFailed: serverCounts.judgeFailed,
        accuracy: serverCounts.scored ? serverCounts.correct / serverCounts.scored : null,
        notAttemptedRate: null,
        correctGivenAttempted: null,
        fScore: null,
      };
    }
    const sampled = o.samples > 1;
    const seconds = (performance.now() - started) / 1000;
    return {
      dataset: o.dataset,
      split: o.split,
      baseline: o.baseline,
      model: o.policy.settings.model,
      judgeId: spec.judgeId,
      fingerprint: spec.fingerprint,
      samples: o.samples,
      questions: total,
      metrics,
      passAtK: sampled ? passAtKs(rows, o.ks) : [],
      majAtK: sampled ? majAtKs(rows, o.ks) : [],
      ...(serverCounts ? { serverCounts } : {}),
      generatedNow,
      seconds,
      questionsPerSecond: total / seconds,
      settings,
      episodesPath: o.episodesPath,
    };
  } finally {
    client.close();
  }
}
