/**
 * The full FactWorld GRPO experiment, end to end: generate the world, pretrain the tiny model
 * (cached), start an env server on loopback hosting the world, evaluate before RL (greedy on
 * every split, n samples per question on train and val for pass@k and accessibility), run
 * GRPO through the protocol, evaluate after (with the probability of the gold answer, scored
 * locally: gold-analysis.ts), and write the report into `runs/<id>/`.
 */
import { join, resolve } from 'node:path';
import {
  type AttributeName,
  generateWorld,
  type World,
  worldQuestions,
  worldSplitSource,
  worldStats,
} from '../../../env/datasets/factworld/index.ts';
import { normalizeAnswer } from '../../../judges/normalize.ts';
import { writeFileAtomic } from '../../../lib/files.ts';
import { meanPassAtK, reportedKs } from '../../../lib/pass-at-k.ts';
import { gainByBucket } from '../analysis/access-buckets.ts';
import { scoreGold } from '../analysis/gold-prob.ts';
import { defaultRunId, phaseTimer } from '../analysis/phase-timer.ts';
import {
  type GreedyRow,
  type PassAtKRow,
  type RunReport,
  writeRunReport,
} from '../analysis/report.ts';
import type { TrainConfig } from '../training/config.ts';
import { connectEnv } from '../training/env-connection.ts';
import {
  type GreedyEval,
  greedyEval,
  type SampledCounts,
  sampledCounts,
} from '../training/evaluate.ts';
import type { EvalMetrics } from '../training/metrics.ts';
import { train } from '../training/trainer.ts';
import { WorkerClient } from '../worker-client.ts';
import { GOLD_GROUPS, goldItems, goldRowsFor, workerScorer } from './gold-analysis.ts';
import { type OrganismConfig, rlSettings } from './organism-config.ts';
import { ensurePretrained } from './pretrain.ts';

export interface FactWorldRunOptions {
  train: TrainConfig;
  organism: OrganismConfig;
  resume?: boolean;
  quiet?: boolean;
  log?: (line: string) => void;
  shouldStop?: () => boolean;
}

export interface FactWorldRunResult {
  runDir: string;
  reportPath: string;
  report: RunReport;
}

const SPLIT_WHO: Record<string, string> = {
  train: 'RL-training people (biographies only)',
  val: 'held-out people (biographies only)',
  test: 'held-out people (biographies only), eval role',
};

/** Typed-guesser chance pass@k: mean over questions of 1 - (1 - share of the gold value)^k. */
export function typedChance(world: World, questionIds: readonly string[], k: number): number {
  const byId = new Map(worldQuestions(world).map((q) => [q.id, q]));
  let sum = 0;
  for (const id of questionIds) {
    const q = byId.get(id)!;
    const attr = q.meta['attribute'] as AttributeName;
    const p = (world.valueCounts(attr).get(q.answers[0]!) ?? 0) / world.people.length;
    sum += 1 - (1 - p) ** k;
  }
  return questionIds.length ? sum / questionIds.length : Number.NaN;
}

function popularShare(world: World, ev: GreedyEval): number {
  const popular = new Map(worldQuestions(world).map((q) => [q.id, String(q.meta['popularValue'])]));
  const hits = ev.answers.filter(
    (a) => normalizeAnswer(a.answer) === normalizeAnswer(popular.get(a.questionId) ?? ''),
  ).length;
  return ev.answers.length ? hits / ev.answers.length : Number.NaN;
}

/**
 * A worker holding the pretrained model as the start of this RL run: `load` with the run's
 * optimizer and loss settings as overrides (a fresh optimizer, step 0) and its torch thread
 * count (on a busy 2-core machine one thread made the tiny model's steps 5-10x faster than two).
 */
export async function startRlWorker(
  cfg: TrainConfig,
  pretrainedPath: string,
): Promise<WorkerClient> {
  const w = await WorkerClient.start({
    ...(cfg.worker.python ? { python: cfg.worker.python } : {}),
    ranks: cfg.worker.ranks,
    parallel: cfg.worker.parallel,
  });
  try {
    await w.load({
      path: pretrainedPath,
      threads: cfg.worker.threads,
      device: cfg.worker.device,
      ...rlSettings(cfg),
    });
  } catch (e) {
    await w.shutdown().catch(() => w.kill());
    throw e;
  }
  return w;
}

export async function runFactWorldGrpo(opts: FactWorldRunOptions): Promise<FactWorldRunResult> {
  const cfg = opts.train;
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const runId = cfg.runId ?? defaultRunId('factworld');
  const runDir = resolve(cfg.runsDir, runId);
  const { timings, timed } = phaseTimer();

  const world = generateWorld(opts.organism.world);
  const stats = worldStats(world);
  const source = worldSplitSource(world);
  const pretrained = await timed('pretrain (0 when cached)', () =>
    ensurePretrained(opts.organism, {
      world,
      quiet: opts.quiet ?? false,
      log,
      ...(cfg.worker.python ? { python: cfg.worker.python } : {}),
    }),
  );
  if (pretrained.cached) timings['pretrain (0 when cached)'] = 0;
  log(
    `pretrained model ${pretrained.key} (${pretrained.meta.parameters} parameters, ${pretrained.cached ? 'cached' : `${pretrained.meta.seconds.toFixed(0)} s`})`,
  );
  await writeFileAtomic(
    join(runDir, 'config.json'),
    `${JSON.stringify({ train: cfg, organism: opts.organism, pretrained: pretrained.meta, world: stats }, null, 2)}\n`,
  );

  // worker.model: start RL from that tiny checkpoint instead of the cached pretrained model.
  const startWorker = () => startRlWorker(cfg, cfg.worker.model ?? pretrained.path);
  const conn = await connectEnv(cfg, { source, runDir });
  let first: WorkerClient | undefined = await startWorker();
  const maxNewTokens = cfg.sampling.maxNewTokens;
  const evalSeed = cfg.seed + 1_000_003;
  const sampling = {
    temperature: cfg.sampling.temperature,
    top_p: cfg.sampling.topP,
    top_k: cfg.sampling.topK,
    max_new_tokens: maxNewTokens,
    seed: evalSeed,
  };

  const evaluateAll = async (worker: WorkerClient) => {
    const gen = (p: Parameters<WorkerClient['generate']>[0]) =>
      worker.generate({ seed: evalSeed, ...p });
    const greedy: Record<string, GreedyEval> = {};
    for (const split of ['train', 'val', 'test'] as const)
      greedy[split] = await greedyEval(conn, gen, split, { maxNewTokens });
    const sampled: Record<string, SampledCounts> = {};
    if (cfg.eval.passAtKSamples > 0) {
      for (const split of ['train', 'val'] as const)
        sampled[split] = await sampledCounts(conn, gen, split, {
          questions: cfg.eval.passAtKQuestions,
          samples: cfg.eval.passAtKSamples,
          sampling,
        });
    }
    const gold = await scoreGold(goldQuestions, workerScorer(worker));
    return { greedy, sampled, gold };
  };
  const goldQuestions = goldItems(world);

  try {
    const before = await timed('evaluate before RL', () => evaluateAll(first!));
    for (const s of ['train', 'val', 'test'])
      log(
        `before RL, ${s}: greedy ${(100 * before.greedy[s]!.accuracy).toFixed(1)}%, popular-value answers ${(100 * popularShare(world, before.greedy[s]!)).toFixed(1)}%`,
      );
    const result = await timed('GRPO', () =>
      train({
        config: cfg,
        runDir,
        conn,
        startWorker: async () => {
          const w = first ?? (await startWorker());
          first = undefined;
          return w;
        },
        ...(opts.resume ? { resume: true } : {}),
        ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}),
        log,
      }),
    );
    const after = await timed('evaluate after RL', () => evaluateAll(result.worker));
    await result.worker.shutdown().catch(() => undefined);

    const greedyRows: GreedyRow[] = (['train', 'val', 'test'] as const).map((s) => ({
      split: s,
      who: SPLIT_WHO[s]!,
      questions: before.greedy[s]!.questions,
      before: before.greedy[s]!.accuracy,
      after: after.greedy[s]!.accuracy,
      popularBefore: popularShare(world, before.greedy[s]!),
      popularAfter: popularShare(world, after.greedy[s]!),
    }));
    const passRows: PassAtKRow[] = [];
    for (const s of Object.keys(before.sampled)) {
      const b = before.sampled[s]!;
      const a = after.sampled[s]!;
      const ids = b.perQuestion.map((q) => q.questionId);
      const counts = (x: SampledCounts) =>
        x.perQuestion.map((q) => ({ n: q.scored, c: q.correct }));
      for (const k of reportedKs(b.samples))
        passRows.push({
          split: s,
          samples: b.samples,
          questions: ids.length,
          k,
          before: meanPassAtK(counts(b), k),
          after: meanPassAtK(counts(a), k),
          chance: typedChance(world, ids, k),
        });
    }
    const trainSampled = before.sampled['train'];
    const greedyAfterById = new Map(
      after.greedy['train']!.answers.map((a) => [a.questionId, a.reward === 1]),
    );
    const greedyBeforeById = new Map(
      before.greedy['train']!.answers.map((a) => [a.questionId, a.reward === 1]),
    );
    const greedyRightBefore = new Set(
      Object.entries(before.greedy).flatMap(([split, g]) =>
        (g?.answers ?? []).filter((a) => a.reward === 1).map((a) => `${split}/${a.questionId}`),
      ),
    );
    const evals: EvalMetrics[] = [
      ...(['val', 'test'] as const).map((s) => ({
        type: 'eval' as const,
        step: 0,
        split: s,
        questions: before.greedy[s]!.questions,
        accuracy: before.greedy[s]!.accuracy,
        masked: before.greedy[s]!.masked,
      })),
      ...result.metrics.evals(),
      ...(['val', 'test'] as const).map((s) => ({
        type: 'eval' as const,
        step: result.steps,
        split: s,
        questions: after.greedy[s]!.questions,
        accuracy: after.greedy[s]!.accuracy,
        masked: after.greedy[s]!.masked,
      })),
    ];
    const report: RunReport = {
      runId,
      title: 'FactWorld: GRPO on a tiny model that holds facts it does not say',
      setup: [
        `World ${stats.fingerprint}: ${stats.people.total} people (${stats.people.qa} with QA text in pretraining, ${stats.people.train} RL-training, ${stats.people.val} val and ${stats.people.test} test held out), ${world.attributeNames.length} attributes, ${stats.corpus.documents} pretraining documents; ${(100 * stats.qaText.corruptedFraction).toFixed(0)}% of QA lines answer the popular value.`,
        `Model: TinyGPT ${pretrained.meta.parameters} parameters, ${opts.organism.pretrain.epochs} pretraining epochs (final loss ${pretrained.meta.epochLosses.at(-1)?.toFixed(3)}).`,
        `GRPO: ${result.steps} steps of ${cfg.grpo.questionsPerBatch} questions x ${cfg.grpo.groupSize} answers, lr ${cfg.grpo.lr}, KL ${cfg.grpo.klCoef} (k3), clip ${cfg.grpo.clipEps}, T ${cfg.sampling.temperature}; env over ${cfg.env.transport} at ${conn.url}.`,
        `Chance: always answering the most frequent value scores ${(100 * stats.chance.test.priorAccuracy).toFixed(1)}% on test.`,
      ],
      greedy: greedyRows,
      passAtK: passRows,
      ...(trainSampled
        ? {
            buckets: {
              split: 'train',
              samples: trainSampled.samples,
              rows: gainByBucket(
                trainSampled.perQuestion.map((q) => ({
                  questionId: q.questionId,
                  correctSamples: q.correct,
                  samples: q.scored,
                  greedyBefore: greedyBeforeById.get(q.questionId) ?? false,
                  greedyAfter: greedyAfterById.get(q.questionId) ?? false,
                })),
              ),
            },
          }
        : {}),
      goldProb: goldRowsFor(goldQuestions, before.gold, after.gold, before.sampled, (split, id) =>
        greedyRightBefore.has(`${split}/${id}`),
      ),
      goldProbNote: `P(gold) = exp(Σ log p) of the gold answer's tokens and the stop token after the question prompt, under the policy at T = 1, for every question of each group (${GOLD_GROUPS.join(', ')}; qa = the people whose QA text was in pretraining), scored locally from the world the organism generated (a model analysis: no env call). Buckets: accessibility before RL from the pass@k samples. The last column is the same probability for the attribute's popular value.`,
      steps: result.metrics.steps(),
      evals,
      timings,
      notes: [
        "Test accuracy is the server's own count (eval role: no per-episode rewards leave the server); pass@k and buckets use train and val, whose people are also held out of RL (val) or trained on (train).",
        `Worker recoveries during training: ${result.recoveries}.`,
      ],
    };
    const reportPath = await writeRunReport(runDir, report);
    return { runDir, reportPath, report };
  } finally {
    if (first) await first.shutdown().catch(() => undefined);
    await conn.close();
  }
}
