/**
 * `factrecall compare`: the recipes side by side on one FactWorld world (issue 15). One
 * pretrained model (cached), one loopback env server; a snapshot of the model before any
 * training (snapshot.ts: greedy on every split, n samples per train and val question, P(gold),
 * maj@k); then each recipe from that same model with its own fresh worker (GRPO through the
 * unchanged trainer with the demo's config, so its numbers are `npm start`'s), a snapshot
 * after each; then, with `attribution`, GRPO on the train questions of one accessibility
 * bucket at a time and on all of them with the same schedule (the run config's GRPO steps,
 * the recipe's unless the attribution gets its own `grpo.epochs` / `grpo.maxSteps`), and
 * greedy held-out accuracy after each.
 * Results go to `<runDir>/results.json` (rewritten after every phase, temp + rename), which
 * `factrecall analyze` and `factrecall report` read. A results.json already in the folder for
 * the same world and plan is continued: its finished phases (the snapshot before, each recipe,
 * attribution) are kept and not run again, so a stopped comparison loses at most one phase and
 * attribution can be added to a finished comparison later.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  generateWorld,
  type World,
  worldSplitSource,
  worldStats,
} from '../../../env/datasets/factworld/index.ts';
import type { SplitSource } from '../../../env/types.ts';
import { readJsonIfPresent, writeFileAtomic } from '../../../lib/files.ts';
import { accessBucket } from '../analysis/access-buckets.ts';
import { type Budget, grpoBudget, type RecipeResult } from '../recipes/budget.ts';
import type { RecipeName, RecipesConfig } from '../recipes/recipe-config.ts';
import { recipeTrainConfig, trainRecipe } from '../recipes/run-recipe.ts';
import type { TrainConfig } from '../training/config.ts';
import { connectEnv, type EnvConnections } from '../training/env-connection.ts';
import { trainError } from '../training/errors.ts';
import { greedyEval } from '../training/evaluate.ts';
import { train } from '../training/trainer.ts';
import type { WorkerClient } from '../worker-client.ts';
import { startRlWorker } from './factworld-run.ts';
import type { OrganismConfig } from './organism-config.ts';
import { ensurePretrained, type PretrainMeta } from './pretrain.ts';
import { questionTable, type Snapshot, type SnapshotPlan, takeSnapshot } from './snapshot.ts';

export const RESULTS_VERSION = 1;

export interface AttributionRun {
  bucket: string;
  /** Train questions the run trained on (the bucket's). */
  questions: number;
  steps: number;
  budget: Budget;
  /** Greedy accuracy after, on the held-out splits. */
  val: number;
  test: number;
}

export interface CompareResults {
  version: number;
  worldSeed: number;
  setup: Record<string, unknown>;
  questions: ReturnType<typeof questionTable>;
  plan: SnapshotPlan;
  before?: Snapshot;
  recipes: Record<
    string,
    { budget: Budget; after: Snapshot; rounds: RecipeResult['rounds']; seconds: number }
  >;
  /** `complete` false: some bucket runs are still to do (a stopped attribution). */
  attribution?: { runs: AttributionRun[]; bucketOf: Record<string, string>; complete?: boolean };
  complete: boolean;
}

export interface CompareOptions {
  train: TrainConfig;
  organism: OrganismConfig;
  recipes: readonly RecipeName[];
  recipesConfig: RecipesConfig;
  /** Samples per question for pass@k and buckets (the paper: 128). */
  samples: number;
  majorityK: number;
  attribution: boolean;
  /** The buckets trained alone in attribution (default all five, then `all` questions). */
  attributionBuckets?: readonly string[];
  runDir: string;
  log?: (line: string) => void;
}

/** The world's source with its train split cut to `ids` (attribution runs). */
export function trainSubset(
  source: SplitSource,
  ids: ReadonlySet<string>,
  tag: string,
): SplitSource {
  return {
    ...source,
    splits: { ...source.splits, train: (source.splits.train ?? []).filter((q) => ids.has(q.id)) },
    hash: `${source.hash}-train-${tag}`,
    description: `${source.description}, train cut to the ${tag} bucket (${ids.size} questions)`,
  };
}

export async function runCompare(opts: CompareOptions): Promise<CompareResults> {
  const cfg = opts.train;
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const runDir = resolve(opts.runDir);
  const world: World = generateWorld(opts.organism.world);
  const source = worldSplitSource(world);
  const pretrained = await ensurePretrained(opts.organism, { world, quiet: true, log });
  const plan: SnapshotPlan = {
    maxNewTokens: cfg.sampling.maxNewTokens,
    sampling: {
      temperature: cfg.sampling.temperature,
      top_p: cfg.sampling.topP,
      top_k: cfg.sampling.topK,
      max_new_tokens: cfg.sampling.maxNewTokens,
    },
    sampledSplits: ['train', 'val'],
    samples: opts.samples,
    majorityK: opts.majorityK,
    seed: cfg.seed + 1_000_003,
  };
  const results: CompareResults = {
    version: RESULTS_VERSION,
    worldSeed: world.config.seed,
    setup: {
      world: worldStats(world),
      pretrained: pretrained.meta,
      train: cfg,
      organism: opts.organism,
      recipes: opts.recipesConfig,
    },
    questions: questionTable(world),
    plan,
    recipes: {},
    complete: false,
  };
  const previous = await readPrevious(join(runDir, 'results.json'), results);
  if (previous) {
    if (previous.before) results.before = previous.before;
    Object.assign(results.recipes, previous.recipes);
    if (previous.attribution) results.attribution = previous.attribution;
    log(
      `continuing ${join(runDir, 'results.json')}: kept ${['before', ...Object.keys(previous.recipes), ...(previous.attribution ? ['attribution'] : [])].join(', ')}`,
    );
  }
  // Phases another process finished in the same folder meanwhile (e.g. attribution run beside
  // the recipes) are merged in before each write, so neither drops the other's.
  const save = async () => {
    const disk = await readPrevious(join(runDir, 'results.json'), results);
    for (const [name, rec] of Object.entries(disk?.recipes ?? {}))
      if (!results.recipes[name]) results.recipes[name] = rec;
    if (disk?.attribution && !results.attribution) results.attribution = disk.attribution;
    await writeFileAtomic(join(runDir, 'results.json'), `${JSON.stringify(results)}\n`);
  };
  // One loopback server per phase, its eval-role records in the phase's folder: the server's
  // eval-run quota (FR_ERR_PROTO_EVAL_QUOTA, 10 complete runs a day per submitter, kept in
  // eval-runs.jsonl) is for leaderboard submitters, and a comparison evaluates test far more often.
  const withConn = async <T>(phase: string, f: (c: EnvConnections) => Promise<T>): Promise<T> => {
    const conn = await connectEnv(cfg, { source, runDir: join(runDir, phase) });
    try {
      return await f(conn);
    } finally {
      await conn.close();
    }
  };
  const withWorker = async <T>(c: TrainConfig, f: (w: WorkerClient) => Promise<T>): Promise<T> => {
    const w = await startRlWorker(c, pretrained.path);
    try {
      return await f(w);
    } finally {
      await w.shutdown().catch(() => w.kill());
    }
  };
  if (!results.before) {
    results.before = await withConn('before', (conn) =>
      withWorker(cfg, (w) => takeSnapshot(conn, w, world, plan)),
    );
    await save();
  }
  log(
    `seed ${results.worldSeed}: before training, val greedy ${(100 * results.before.greedy.val.accuracy).toFixed(1)}%`,
  );
  for (const name of opts.recipes) {
    if (results.recipes[name]) continue;
    const t0 = performance.now();
    const afterPlan = { ...plan, sampledSplits: ['val'] as const, majorityK: 0 };
    const out = await withConn(name, (conn) =>
      runRecipe(name, cfg, opts.recipesConfig, conn, runDir, log, (c, f) =>
        withWorker(c, async (w) => {
          const r = await f(w);
          return { ...r, after: await takeSnapshot(conn, r.worker ?? w, world, afterPlan) };
        }),
      ),
    );
    results.recipes[name] = {
      budget: out.budget,
      after: out.after,
      rounds: out.rounds,
      seconds: (performance.now() - t0) / 1000,
    };
    await save();
    log(
      `seed ${results.worldSeed}: ${name} val greedy ${(100 * out.after.greedy.val.accuracy).toFixed(1)}%, test ${(100 * out.after.greedy.test.accuracy).toFixed(1)}% (${out.budget.gradientSteps} steps)`,
    );
  }
  if (opts.attribution && !results.attribution?.complete) {
    // Saved after every run: a stopped attribution keeps its finished buckets.
    const done = results.attribution?.runs ?? [];
    results.attribution = await attribution(opts, source, results.before, runDir, log, {
      withWorker,
      done,
      onRun: async (partial) => {
        results.attribution = partial;
        await save();
      },
    });
    await save();
  }
  results.complete =
    (!opts.attribution || results.attribution !== undefined) &&
    opts.recipes.every((n) => results.recipes[n]);
  await save();
  return results;
}

/** The results.json of an earlier comparison of the same world and plan, if any. */
async function readPrevious(
  path: string,
  fresh: CompareResults,
): Promise<CompareResults | undefined> {
  const old = await readJsonIfPresent<CompareResults>(path);
  if (!old) return undefined;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (
    old.version !== fresh.version ||
    !same(old.plan, fresh.plan) ||
    !same(old.questions, fresh.questions)
  )
    throw trainError(
      'FR_ERR_TRAIN_RUN_UNREADABLE',
      `${path} holds a comparison of another world or plan; use another --out`,
    );
  const made = old.setup?.pretrained as PretrainMeta | undefined;
  const now = fresh.setup.pretrained as PretrainMeta;
  if (made && !samePretrainedModel(made, now))
    throw trainError(
      'FR_ERR_TRAIN_RUN_MODEL_MISMATCH',
      `${path} was made from pretrained model ${made.key} of ${made.createdAt} (final loss ${made.epochLosses.at(-1)}); the cache holds one of ${now.createdAt} (final loss ${now.epochLosses.at(-1)}); use another --out`,
    );
  return old;
}

/**
 * Whether two pretraining records describe the same model: the same config key and the same
 * loss at every epoch, taken as a fingerprint of the training trajectory (the cached model is
 * loaded, never retrained, so a folder and its cache agree unless the cache was rebuilt). A
 * rebuild of seeds 1 and 2 on another day's machine differed in the fourth digit of the last
 * epoch's loss.
 */
export function samePretrainedModel(a: PretrainMeta, b: PretrainMeta): boolean {
  return (
    a.key === b.key &&
    a.epochLosses.length === b.epochLosses.length &&
    a.epochLosses.every((l, i) => l === b.epochLosses[i])
  );
}

type WorkerRun = (
  c: TrainConfig,
  f: (w: WorkerClient) => Promise<RecipeResult & { worker?: WorkerClient }>,
) => Promise<RecipeResult & { after: Snapshot }>;

async function runRecipe(
  name: RecipeName,
  cfg: TrainConfig,
  rc: RecipesConfig,
  conn: EnvConnections,
  runDir: string,
  log: (l: string) => void,
  run: WorkerRun,
): Promise<RecipeResult & { after: Snapshot }> {
  return run(recipeTrainConfig(name, cfg, rc), (w) =>
    trainRecipe(name, recipeTrainConfig(name, cfg, rc), rc, conn, w, {
      runDir,
      log,
      grpoLog: (l) => (l.startsWith('eval') ? log(`grpo ${l}`) : undefined),
    }),
  );
}

/**
 * GRPO on each accessibility bucket's train questions alone, with as many steps as GRPO on
 * all of them (batches of min(B, bucket size)), then greedy accuracy on val and test.
 */
async function attribution(
  opts: CompareOptions,
  source: SplitSource,
  before: Snapshot,
  runDir: string,
  log: (l: string) => void,
  io: {
    withWorker: <T>(c: TrainConfig, f: (w: WorkerClient) => Promise<T>) => Promise<T>;
    /** Runs finished before (kept, not rerun). */
    done: readonly AttributionRun[];
    onRun: (partial: NonNullable<CompareResults['attribution']>) => Promise<void>;
  },
): Promise<NonNullable<CompareResults['attribution']>> {
  const withWorker = io.withWorker;
  const cfg = opts.train;
  const sampled = before.sampled['train']!;
  const bucketOf: Record<string, string> = {};
  for (const [id, [c, n]] of Object.entries(sampled.correct))
    bucketOf[id] = accessBucket(c, n, before.greedy.train.answers[id]?.[1] === 1);
  const runs: AttributionRun[] = [...io.done];
  // The run config's GRPO schedule on the whole train split (the recipe's, unless the
  // attribution is given its own `grpo.epochs` / `grpo.maxSteps`).
  const perEpoch = Math.ceil((source.splits.train?.length ?? 0) / cfg.grpo.questionsPerBatch);
  const total = Math.min(perEpoch * cfg.grpo.epochs, cfg.grpo.maxSteps ?? Number.POSITIVE_INFINITY);
  // `all`: the same schedule on every train question, the reference the bucket gains are
  // shares of (GRPO as a recipe may have run with another budget).
  // The reference run and the paper's bucket first: a comparison cut short keeps those.
  for (const bucket of ['all', 'never', 'greedy-correct', 'rare', 'sometimes', 'mostly']) {
    if (opts.attributionBuckets && !opts.attributionBuckets.includes(bucket)) continue;
    if (runs.some((r) => r.bucket === bucket)) continue;
    const ids = new Set(
      Object.keys(bucketOf).filter((id) => bucket === 'all' || bucketOf[id] === bucket),
    );
    if (ids.size === 0) continue;
    const bcfg: TrainConfig = {
      ...cfg,
      grpo: {
        ...cfg.grpo,
        questionsPerBatch: Math.min(cfg.grpo.questionsPerBatch, ids.size),
        epochs: total,
        maxSteps: total,
      },
      eval: { ...cfg.eval, everySteps: 0 },
    };
    const dir = join(runDir, `attribution-${bucket}`);
    const conn = await connectEnv(bcfg, { source: trainSubset(source, ids, bucket), runDir: dir });
    try {
      const run = await withWorker(bcfg, async (w) => {
        const t = await train({
          config: bcfg,
          runDir: dir,
          conn,
          startWorker: async () => w,
          log: () => undefined,
        });
        const gen = (p: Parameters<WorkerClient['generate']>[0]) => t.worker.generate(p);
        const val = await greedyEval(conn, gen, 'val', { maxNewTokens: cfg.sampling.maxNewTokens });
        const test = await greedyEval(conn, gen, 'test', {
          maxNewTokens: cfg.sampling.maxNewTokens,
        });
        return {
          bucket,
          questions: ids.size,
          steps: t.steps,
          budget: grpoBudget(t.metrics.steps(), bcfg.grpo.innerEpochs),
          val: val.accuracy,
          test: test.accuracy,
        };
      });
      runs.push(run);
      await io.onRun({ runs, bucketOf, complete: false });
      log(
        `attribution ${bucket} (${ids.size} q, ${run.steps} steps): val ${(100 * run.val).toFixed(1)}%, test ${(100 * run.test).toFixed(1)}%`,
      );
    } finally {
      await conn.close();
    }
  }
  return { runs, bucketOf, complete: true };
}

/** A comparison's results.json (a folder holding one, or the file); FR_ERR_TRAIN_RUN_UNREADABLE otherwise. */
export async function readCompareResults(dirOrFile: string): Promise<CompareResults> {
  const path = dirOrFile.endsWith('.json') ? dirOrFile : join(dirOrFile, 'results.json');
  let parsed: CompareResults;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8')) as CompareResults;
  } catch (e) {
    throw trainError('FR_ERR_TRAIN_RUN_UNREADABLE', `${path}: ${(e as Error).message}`);
  }
  if (parsed?.version !== RESULTS_VERSION || !Array.isArray(parsed.questions) || !parsed.recipes)
    throw trainError(
      'FR_ERR_TRAIN_RUN_UNREADABLE',
      `${path} is not a comparison results file (version ${RESULTS_VERSION})`,
    );
  return parsed;
}
