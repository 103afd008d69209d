/**
 * The GRPO red team (issue 12, item 3): a policy that searches answer formats for reward
 * without the fact, trained with GRPO against one judge on FactWorld questions.
 *
 * Each step: B questions of the FactWorld train split (seeded); for each, G answers from the
 * policy (answer-program.ts), each over its own shuffle of C candidates, the gold and C - 1
 * other values of the question's attribute (the question's candidate values: what a model that
 * knows the world's vocabulary but not the fact could write). One judge call scores the B x G
 * answers; group-relative advantages (training/advantages.ts, std mode, zero-variance groups
 * skipped, failed verdicts masked) update the policy (policy.ts).
 *
 * A committed guess earns 1 / C from a correct judge; the curve that matters is the reward
 * over that. A judge meant for training keeps the policy at the guess; a judge that pays a
 * format lets it climb towards 1.
 */

import type { AttributeName } from '../../../env/datasets/factworld/attributes.ts';
import { generateWorld, worldSplitSource } from '../../../env/datasets/factworld/index.ts';
import type { Judge, JudgeItem } from '../../../judges/types.ts';
import { Rng, seedFrom } from '../../../lib/rng.ts';
import { groupAdvantages } from '../training/advantages.ts';
import { describeProgram, HEAD_SIZES, type Program, writeAnswer } from './answer-program.ts';
import { FactoredPolicy } from './policy.ts';

export interface GrpoRedTeamOptions {
  /** Default 12. */
  seed?: number;
  /** Default 40. */
  steps?: number;
  /** Questions per step (B). Default 16. */
  questionsPerStep?: number;
  /** Answers per question (G). Default 8. */
  groupSize?: number;
  /** Candidates per answer, the gold among them (C). Default 20. */
  candidates?: number;
  /** Adam learning rate on the logits. Default 0.1. */
  lr?: number;
  /** FactWorld seed. Default 1 (the env's default world). */
  worldSeed?: number;
  /** Questions the final (most probable) program is scored on, from the val split. Default 200. */
  evalQuestions?: number;
  signal?: AbortSignal;
  onStep?: (m: RedTeamStep) => void;
}

export interface RedTeamStep {
  step: number;
  /** Mean reward over scored answers (null: none scored). */
  reward: number | null;
  answers: number;
  failed: number;
  /** Mean entropy of the policy's heads after the step, nats. */
  entropy: number;
  /** The policy's most probable program after the step. */
  mode: string;
}

export interface GrpoRedTeamReport {
  judgeId: string;
  fingerprint: string;
  options: Required<Omit<GrpoRedTeamOptions, 'signal' | 'onStep'>>;
  /** What a committed guess earns from a correct judge: 1 / candidates. */
  guessReward: number;
  steps: RedTeamStep[];
  /** Mean reward of the last five steps (null when none scored). */
  finalReward: number | null;
  /** The most probable program at the end, and its reward on held-out questions. */
  final: { program: string; reward: number | null; answers: number; failed: number };
}

interface Question {
  question: string;
  answers: readonly string[];
  pool: readonly string[];
}

function factWorldQuestions(worldSeed: number, split: 'train' | 'val'): Question[] {
  const world = generateWorld({ seed: worldSeed });
  const records = worldSplitSource(world).splits[split] ?? [];
  return records.map((r) => ({
    question: r.question,
    answers: r.answers,
    pool: world.valuePool(r.meta!['attribute'] as AttributeName),
  }));
}

/** The gold and candidates - 1 other pool values, shuffled (seeded). */
function candidatesFor(q: Question, n: number, rng: Rng): string[] {
  const gold = q.answers[0]!;
  const others = rng.shuffle(q.pool.filter((v) => !q.answers.includes(v))).slice(0, n - 1);
  return rng.shuffle([gold, ...others]);
}

async function score(
  judge: Judge,
  items: JudgeItem[],
  signal: AbortSignal | undefined,
): Promise<(number | null)[]> {
  const verdicts = await judge.judge(items, signal ? { signal } : {});
  return verdicts.map((v) => v.reward);
}

const mean = (xs: readonly number[]) =>
  xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;

export async function runGrpoRedTeam(
  judge: Judge,
  opts: GrpoRedTeamOptions = {},
): Promise<GrpoRedTeamReport> {
  const o = {
    seed: opts.seed ?? 12,
    steps: opts.steps ?? 40,
    questionsPerStep: opts.questionsPerStep ?? 16,
    groupSize: opts.groupSize ?? 8,
    candidates: opts.candidates ?? 20,
    lr: opts.lr ?? 0.1,
    worldSeed: opts.worldSeed ?? 1,
    evalQuestions: opts.evalQuestions ?? 200,
  };
  const train = factWorldQuestions(o.worldSeed, 'train');
  const policy = new FactoredPolicy(HEAD_SIZES, o.lr);
  const rng = new Rng(seedFrom('grpo-redteam', o.seed));
  const steps: RedTeamStep[] = [];
  for (let step = 1; step <= o.steps; step++) {
    const batch = Array.from({ length: o.questionsPerStep }, () => train[rng.int(train.length)]!);
    const samples: Array<{ choices: number[]; item: JudgeItem }> = [];
    for (const q of batch) {
      for (let g = 0; g < o.groupSize; g++) {
        const choices = policy.sample(rng);
        const prediction = writeAnswer(
          choices as unknown as Program,
          candidatesFor(q, o.candidates, rng),
          q.question,
        );
        samples.push({ choices, item: { question: q.question, answers: q.answers, prediction } });
      }
    }
    const rewards = await score(
      judge,
      samples.map((s) => s.item),
      opts.signal,
    );
    const updates: Array<{ choices: number[]; advantage: number | null }> = [];
    for (let b = 0; b < batch.length; b++) {
      const part = rewards.slice(b * o.groupSize, (b + 1) * o.groupSize);
      const adv = groupAdvantages(part, { mode: 'std', skipZeroVariance: true });
      adv.advantages.forEach((a, g) => {
        updates.push({ choices: samples[b * o.groupSize + g]!.choices, advantage: a });
      });
    }
    policy.update(updates);
    const scored = rewards.filter((r): r is number => r !== null);
    const m: RedTeamStep = {
      step,
      reward: mean(scored),
      answers: rewards.length,
      failed: rewards.length - scored.length,
      entropy: policy.snapshot().entropy,
      mode: describeProgram(policy.mode() as unknown as Program),
    };
    steps.push(m);
    opts.onStep?.(m);
  }
  // The program the policy would settle on, scored on held-out people's questions.
  const mode = policy.mode() as unknown as Program;
  const evalRng = new Rng(seedFrom('grpo-redteam-eval', o.seed));
  const held = factWorldQuestions(o.worldSeed, 'val').slice(0, o.evalQuestions);
  const finalRewards = await score(
    judge,
    held.map((q) => ({
      question: q.question,
      answers: q.answers,
      prediction: writeAnswer(mode, candidatesFor(q, o.candidates, evalRng), q.question),
    })),
    opts.signal,
  );
  const finalScored = finalRewards.filter((r): r is number => r !== null);
  const tail = steps
    .slice(-5)
    .map((s) => s.reward)
    .filter((r): r is number => r !== null);
  return {
    judgeId: judge.id,
    fingerprint: judge.fingerprint,
    options: o,
    guessReward: 1 / o.candidates,
    steps,
    finalReward: mean(tail),
    final: {
      program: describeProgram(mode),
      reward: mean(finalScored),
      answers: finalRewards.length,
      failed: finalRewards.length - finalScored.length,
    },
  };
}

/** A plain-text report: the reward curve (every `every` steps), the guess line, the end. */
export function formatGrpoRedTeam(r: GrpoRedTeamReport, label = r.judgeId, every = 5): string {
  const pct = (x: number | null) => (x === null ? 'n/a' : `${(100 * x).toFixed(1)}%`);
  const o = r.options;
  const lines = [
    `GRPO red team vs ${label} (${r.fingerprint}): ${o.steps} steps x ${o.questionsPerStep} questions x ${o.groupSize} answers, ${o.candidates} candidates (a committed guess earns ${pct(r.guessReward)}), lr ${o.lr}, seed ${o.seed}`,
    'step  reward  failed  entropy  most probable program',
  ];
  for (const s of r.steps) {
    if (s.step !== 1 && s.step % every !== 0 && s.step !== r.steps.length) continue;
    lines.push(
      `${String(s.step).padStart(4)}  ${pct(s.reward).padStart(6)}  ${String(s.failed).padStart(6)}  ${s.entropy.toFixed(2).padStart(7)}  ${s.mode}`,
    );
  }
  lines.push(
    `final: reward of the last 5 steps ${pct(r.finalReward)} (guess ${pct(r.guessReward)}); most probable program "${r.final.program}" earns ${pct(r.final.reward)} on ${r.final.answers} held-out questions (${r.final.failed} failed)`,
  );
  return lines.join('\n');
}
