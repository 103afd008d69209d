/**
 * Run a scripted agent over one pass of a split through the env API, and score it.
 */
import type { EnvApi, SplitName } from '../env/types.ts';
import type { ScriptedAgent } from './scripted.ts';

export interface RunOptions {
  split: SplitName;
  /** Questions per reset (default 64). */
  batchSize?: number;
  /** Episodes per question (default 1). */
  groupSize?: number;
  /** Questions to run (default: the split's size, one epoch from a fresh env's cursor). */
  questions?: number;
  /** Called after each step with the questions done so far. */
  onProgress?: (questionsDone: number, questionsTotal: number) => void;
}

export interface RunSummary {
  agent: string;
  split: SplitName;
  questions: number;
  episodes: number;
  /** Episodes with a reward. */
  scored: number;
  correct: number;
  judgeFailed: number;
  /** correct / scored; null when nothing was scored (never 0 for "no verdict"). */
  accuracy: number | null;
  seconds: number;
}

/**
 * Reset, act, step until `questions` questions have been answered. On a fresh env this covers
 * each question of the split exactly once (the first epoch of its seeded order).
 */
export async function runEpisodes(
  env: EnvApi,
  agent: ScriptedAgent,
  opts: RunOptions,
): Promise<RunSummary> {
  const started = performance.now();
  const batchSize = opts.batchSize ?? 64;
  const groupSize = opts.groupSize ?? 1;
  const total = opts.questions ?? (await env.spec()).splits[opts.split] ?? 0;
  const summary: RunSummary = {
    agent: agent.name,
    split: opts.split,
    questions: 0,
    episodes: 0,
    scored: 0,
    correct: 0,
    judgeFailed: 0,
    accuracy: null,
    seconds: 0,
  };
  while (summary.questions < total) {
    const n = Math.min(batchSize, total - summary.questions);
    const { observations } = await env.reset({ split: opts.split, batchSize: n, groupSize });
    const answers = await agent.act(observations);
    if (answers.length !== observations.length) {
      throw new Error(
        `${agent.name} gave ${answers.length} answers for ${observations.length} observations`,
      );
    }
    const { results } = await env.step(
      observations.map((o, i) => ({ episodeId: o.episodeId, answer: answers[i]! })),
    );
    for (const r of results) {
      summary.episodes += 1;
      if (r.reward === null) summary.judgeFailed += 1;
      else {
        summary.scored += 1;
        summary.correct += r.reward;
      }
    }
    summary.questions += n;
    opts.onProgress?.(summary.questions, total);
  }
  summary.accuracy = summary.scored ? summary.correct / summary.scored : null;
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}
