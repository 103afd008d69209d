/**
 * The evaluation of a real-model run, the same before and after training for every recipe
 * (GRPO in hf-run.ts, SFT/RFT/DPO in hf-compare.ts), so their numbers compare:
 * - greedy accuracy on val (policy role) and test (eval role: the server's own count), with the
 *   run's judge and, beside it, another judge on the same greedy answers (generation is
 *   memoised, so the second judge costs no model time), to tell recall from format;
 * - n samples per val question for pass@k and the accessibility buckets (when
 *   eval.passAtKSamples > 0; val is held out of training);
 * - every greedy answer written to `<runDir>/greedy-<when>.jsonl`.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../../../lib/files.ts';
import type { TrainConfig } from '../training/config.ts';
import type { EnvConnections } from '../training/env-connection.ts';
import {
  type GreedyEval,
  greedyEval,
  type SampledCounts,
  sampledCounts,
} from '../training/evaluate.ts';
import type { Generate } from '../training/rollout.ts';
import type { WorkerClient } from '../worker-client.ts';
import { memoGreedy } from './hf-report.ts';

export interface Evaluation {
  greedy: Record<'val' | 'test', GreedyEval>;
  beside: Record<'val' | 'test', GreedyEval>;
  sampled?: SampledCounts;
}

/** The evaluation seed: its own, so evaluating never moves the training generator. */
export const evalSeedOf = (cfg: TrainConfig) => cfg.seed + 1_000_003;

export async function evaluateHf(
  conn: EnvConnections,
  worker: WorkerClient,
  cfg: TrainConfig,
  io: { runDir: string; when: string; beside: string; log: (l: string) => void },
): Promise<Evaluation> {
  const maxNewTokens = cfg.sampling.maxNewTokens;
  const evalSeed = evalSeedOf(cfg);
  const maxQ = cfg.eval.maxQuestions !== undefined ? { maxQuestions: cfg.eval.maxQuestions } : {};
  const gen: Generate = (p) => worker.generate({ seed: evalSeed, ...p });
  const greedyGen = memoGreedy(gen);
  const one = async (split: 'val' | 'test', judge?: string) => {
    const ev = await greedyEval(conn, greedyGen, split, {
      ...maxQ,
      maxNewTokens,
      ...(judge ? { make: { judge } } : {}),
    });
    io.log(
      `${io.when}, ${split}${judge ? ` (${judge})` : ''}: greedy ${(100 * ev.accuracy).toFixed(1)}% of ${ev.questions}`,
    );
    return ev;
  };
  const greedy = { val: await one('val'), test: await one('test') };
  const besideEv = { val: await one('val', io.beside), test: await one('test', io.beside) };
  await writeGreedyAnswers(io.runDir, io.when, { [cfg.env.judge]: greedy, [io.beside]: besideEv });
  let sampled: SampledCounts | undefined;
  if (cfg.eval.passAtKSamples > 0) {
    sampled = await sampledCounts(conn, gen, 'val', {
      questions: cfg.eval.passAtKQuestions,
      samples: cfg.eval.passAtKSamples,
      sampling: {
        temperature: cfg.sampling.temperature,
        top_p: cfg.sampling.topP,
        top_k: cfg.sampling.topK,
        max_new_tokens: maxNewTokens,
        seed: evalSeed,
      },
    });
  }
  return { greedy, beside: besideEv, ...(sampled ? { sampled } : {}) };
}

/**
 * The greedy answers of one evaluation, one JSON line per question, so that a change between
 * before and after can be read per question (format or recall). `reward` per judge: val only
 * (the eval role sees no per-episode reward on test, so those are null there).
 */
async function writeGreedyAnswers(
  runDir: string,
  when: string,
  byJudge: Record<string, Record<'val' | 'test', GreedyEval>>,
): Promise<void> {
  const judges = Object.keys(byJudge);
  const first = byJudge[judges[0]!]!;
  const lines: string[] = [];
  for (const split of ['val', 'test'] as const) {
    first[split].answers.forEach((a, i) => {
      const rewards = Object.fromEntries(
        judges.map((j) => [j, byJudge[j]![split].answers[i]?.reward ?? null]),
      );
      lines.push(
        JSON.stringify({
          split,
          questionId: a.questionId,
          question: a.question,
          answer: a.answer,
          rewards,
        }),
      );
    });
  }
  const name = `greedy-${when.replaceAll(' ', '-').toLowerCase()}.jsonl`;
  await writeFileAtomic(join(runDir, name), lines.length ? `${lines.join('\n')}\n` : '');
}
