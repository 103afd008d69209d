/**
 * `factrecall compare --model ...`: the recipes side by side on a real language model (the `hf`
 * engine) over prepared splits (issue 15, item 5). One loopback env server with the run's judge;
 * the model evaluated once before training (hf-evaluate.ts: greedy val and test under the reward
 * judge and a second one, optional pass@k); then each recipe from that same starting model with
 * its own fresh worker (GRPO through the unchanged trainer, SFT/RFT/DPO through recipes.ts),
 * evaluated the same way after. So a recipe row compares with a `train --model` GRPO run of the
 * same config: the same eval questions (the first N of each split's seeded order), the same
 * greedy decoding, and, with `recipes.*.questions = maxSteps x B`, the same train questions.
 *
 * RFT and DPO with one round learn from the starting model's samples; they are drawn once and
 * kept in `start-samples.json` for every recipe that asks for the same draw (same sample count,
 * questions and reset size), which halves the costliest phase on a CPU. Each row's budget still
 * counts the samples it learnt from.
 *
 * With the val golds from the host (`valGolds`: the CLI passes those of the prepared splits it
 * serves), each recipe's row also holds P(gold) on the evaluated val questions, before and after
 * (hf-gold-prob.ts), per question in `gold-prob-after-<recipe>.jsonl`, drawn in gold-prob.svg.
 *
 * `<runDir>/results.json` is rewritten after every phase (temp + rename); a run started again
 * on the same folder and config keeps its finished phases.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readJsonIfPresent, writeFileAtomic } from '../../../lib/files.ts';
import { meanPassAtK, reportedKs } from '../../../lib/pass-at-k.ts';
import type { FetchOptions } from '../../../models/index.ts';
import { defaultRunId } from '../analysis/phase-timer.ts';
import type { RecipeName, RecipesConfig } from '../recipes/recipe-config.ts';
import { recipeTrainConfig, trainRecipe } from '../recipes/run-recipe.ts';
import type { TrainConfig } from '../training/config.ts';
import { connectEnv } from '../training/env-connection.ts';
import { trainError } from '../training/errors.ts';
import type { RolloutGroup } from '../training/rollout.ts';
import type { WorkerClient } from '../worker-client.ts';
import {
  type EvalSummary,
  GOLD_PROB_SVG,
  goldProbSvg,
  type HfCompareResults,
  hfCompareMarkdown,
} from './hf-compare-report.ts';
import { type Evaluation, evaluateHf } from './hf-evaluate.ts';
import {
  type HeldOutGoldScore,
  type HeldOutQuestion,
  scoreHeldOutGold,
  summariseHeldOutGold,
} from './hf-gold-prob.ts';
import { startHfWorker } from './hf-run.ts';
import { resolveModelSource } from './model-source.ts';

export const HF_COMPARE_VERSION = 1;

const finite = (x: number) => (Number.isFinite(x) ? x : null);

export interface HfCompareOptions {
  train: TrainConfig;
  recipes: readonly RecipeName[];
  recipesConfig: RecipesConfig;
  besideJudge?: string;
  command?: string;
  log?: (line: string) => void;
  fetch?: FetchOptions;
  /**
   * The val questions' gold answers, by question id, as the host holds them (the prepared
   * splits the loopback env serves). Given, each recipe's row also gets P(gold) on the val
   * questions it was evaluated on, before (the worker's reference: the starting model) and
   * after (hf-gold-prob.ts). The env hands golds to no client outside the train split, so
   * without them there is no P(gold) row.
   */
  valGolds?: ReadonlyMap<string, HeldOutQuestion>;
}

export function summarise(ev: Evaluation, seconds: number): EvalSummary {
  const split = (s: 'val' | 'test') => ({
    questions: ev.greedy[s].questions,
    accuracy: finite(ev.greedy[s].accuracy),
    beside: finite(ev.beside[s].accuracy),
    masked: ev.greedy[s].masked,
  });
  const out: EvalSummary = { val: split('val'), test: split('test'), seconds };
  if (ev.sampled) {
    const counts = ev.sampled.perQuestion.map((q) => ({ n: q.scored, c: q.correct }));
    const ks = reportedKs(ev.sampled.samples);
    out.passAtK = {
      samples: ev.sampled.samples,
      questions: counts.length,
      k: ks,
      value: ks.map((k) => meanPassAtK(counts, k)),
    };
  }
  return out;
}

export async function runHfCompare(opts: HfCompareOptions): Promise<HfCompareResults> {
  const cfg = opts.train;
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  if (cfg.worker.engine !== 'hf' || !cfg.worker.model)
    throw trainError(
      'FR_ERR_TRAIN_CONFIG_INVALID',
      'a real-model comparison needs worker.engine hf and worker.model',
    );
  if (!cfg.env.splits && !cfg.env.url)
    throw trainError(
      'FR_ERR_TRAIN_CONFIG_INVALID',
      'a real-model comparison needs env.splits (prepared splits) or env.url',
    );
  const beside = opts.besideJudge ?? 'exact';
  const runDir = resolve(cfg.runsDir, cfg.runId ?? defaultRunId('hf-compare'));
  const source = await resolveModelSource(cfg.worker.model, { log, ...(opts.fetch ?? {}) });
  const plan = {
    model: source.sha256 ?? source.path,
    env: cfg.env,
    seed: cfg.seed,
    sampling: cfg.sampling,
    eval: cfg.eval,
    beside,
  };
  const results: HfCompareResults = {
    version: HF_COMPARE_VERSION,
    kind: 'hf-compare',
    ...(opts.command ? { command: opts.command } : {}),
    plan,
    setup: { train: cfg, model: source, recipes: opts.recipesConfig, besideJudge: beside },
    recipes: {},
    complete: false,
  };
  const path = join(runDir, 'results.json');
  const previous = await readPrevious(path, plan);
  if (previous) {
    if (previous.before) results.before = previous.before;
    Object.assign(results.recipes, previous.recipes);
    log(`continuing ${path}: kept ${Object.keys(previous.recipes).join(', ') || 'nothing'}`);
  }
  const save = () => writeFileAtomic(path, `${JSON.stringify(results, null, 1)}\n`);
  const conn = await connectEnv(cfg, { runDir });
  const withWorker = async <T>(c: TrainConfig, f: (w: WorkerClient) => Promise<T>) => {
    const w = await startHfWorker(c, source);
    try {
      return await f(w);
    } finally {
      await w.shutdown().catch(() => w.kill());
    }
  };
  const evaluate = async (w: WorkerClient, when: string) => {
    const t0 = performance.now();
    const ev = await evaluateHf(conn, w, cfg, { runDir, when, beside, log });
    return { ev, summary: summarise(ev, (performance.now() - t0) / 1000) };
  };
  // P(gold) on the evaluated val questions, its rows kept beside the greedy answers
  const goldProb = async (w: WorkerClient, ev: Evaluation, name: string) => {
    const golds = opts.valGolds;
    if (!golds) return undefined;
    const questions = ev.greedy.val.answers.map((a) => {
      const q = golds.get(a.questionId);
      if (!q)
        throw trainError(
          'FR_ERR_TRAIN_CONFIG_INVALID',
          `the val golds given hold no question ${a.questionId}: they are not the served splits`,
        );
      return q;
    });
    const t0 = performance.now();
    const scores = await scoreHeldOutGold((p) => w.logprobs(p), questions, cfg.env.prompt);
    await writeFileAtomic(
      join(runDir, `gold-prob-after-${name}.jsonl`),
      scores.map((x) => `${JSON.stringify(x)}\n`).join(''),
    );
    const summary = summariseHeldOutGold(scores);
    log(
      `${name}: P(gold) on ${summary.questions} val questions, mean ${summary.meanBefore.toExponential(2)} -> ${summary.meanAfter.toExponential(2)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    );
    return { ...summary, skipped: questions.length - summary.questions };
  };
  try {
    if (!results.before) {
      results.before = await withWorker(
        cfg,
        async (w) => (await evaluate(w, 'before training')).summary,
      );
      await save();
    }
    const sampleRound = sharedFirstRound(join(runDir, 'start-samples.json'));
    for (const name of opts.recipes) {
      if (results.recipes[name]) continue;
      const rc = opts.recipesConfig;
      const rcfg = recipeTrainConfig(name, cfg, rc);
      // Only a one-round RFT/DPO shares its draw: a later round must see the env's next questions.
      const shares = name !== 'sft' && name !== 'grpo' && rc[name].rounds === 1;
      const r1 = shares ? drawKey(rc[name]) : '';
      results.recipes[name] = await withWorker(rcfg, async (w) => {
        const t0 = performance.now();
        const r = await trainRecipe(name, rcfg, rc, conn, w, {
          runDir,
          log,
          ...(shares
            ? {
                sampleRound: (round: number, draw: () => Promise<RolloutGroup[]>) =>
                  sampleRound(round, draw, r1),
              }
            : {}),
        });
        const trainSeconds = (performance.now() - t0) / 1000;
        const trained = r.worker ?? w;
        const { ev, summary: after } = await evaluate(trained, `after ${name}`);
        const gold = await goldProb(trained, ev, name);
        return {
          budget: r.budget,
          rounds: r.rounds,
          steps: r.steps,
          trainSeconds,
          after,
          ...(gold ? { goldProb: gold } : {}),
        };
      });
      await save();
      const a = results.recipes[name]!.after;
      log(
        `${name}: val ${pct(a.val.accuracy)}, test ${pct(a.test.accuracy)} (${results.recipes[name]!.budget.gradientSteps} steps)`,
      );
    }
    results.complete = opts.recipes.every((n) => results.recipes[n]);
    await save();
    const goldRows = await readGoldRows(runDir, Object.keys(results.recipes));
    if (goldRows.length) await writeFileAtomic(join(runDir, GOLD_PROB_SVG), goldProbSvg(goldRows));
    await writeFileAtomic(join(runDir, 'report.md'), hfCompareMarkdown(results));
    return results;
  } finally {
    await conn.close();
  }
}

/** Each recipe's per-question P(gold) rows (gold-prob-after-<recipe>.jsonl), where written. */
async function readGoldRows(
  runDir: string,
  recipes: readonly string[],
): Promise<[string, HeldOutGoldScore[]][]> {
  const out: [string, HeldOutGoldScore[]][] = [];
  for (const name of recipes) {
    const text = await readFile(join(runDir, `gold-prob-after-${name}.jsonl`), 'utf8').catch(
      (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return undefined;
        throw e;
      },
    );
    if (text === undefined) continue;
    const rows = text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as HeldOutGoldScore);
    out.push([name, rows]);
  }
  return out;
}

const pct = (x: number | null) => (x === null ? 'n/a' : `${(100 * x).toFixed(1)}%`);

/** What makes two recipes' first rounds the same draw from the starting model. */
function drawKey(c: {
  samplesPerQuestion: number;
  questions?: number | undefined;
  questionsPerReset: number;
}) {
  return JSON.stringify([c.samplesPerQuestion, c.questions ?? null, c.questionsPerReset]);
}

/**
 * Round 1 of RFT and DPO samples the starting model: the first recipe draws and keeps the
 * judged groups in `file`; a later recipe with the same draw key (same run, same starting
 * model, same env order) reuses them instead of sampling again.
 */
function sharedFirstRound(file: string) {
  return async (
    _round: number,
    draw: () => Promise<RolloutGroup[]>,
    key: string,
  ): Promise<RolloutGroup[]> => {
    const kept = await readJsonIfPresent<{ key: string; groups: RolloutGroup[] }>(file);
    if (kept?.key === key) return kept.groups;
    const groups = await draw();
    await writeFileAtomic(file, `${JSON.stringify({ key, groups })}\n`);
    return groups;
  };
}

async function readPrevious(
  path: string,
  plan: Record<string, unknown>,
): Promise<HfCompareResults | undefined> {
  const old = await readJsonIfPresent<HfCompareResults>(path);
  if (!old) return undefined;
  if (
    old.version !== HF_COMPARE_VERSION ||
    old.kind !== 'hf-compare' ||
    JSON.stringify(old.plan) !== JSON.stringify(plan)
  )
    throw trainError(
      'FR_ERR_TRAIN_RUN_UNREADABLE',
      `${path} holds a comparison of another model, env or evaluation; use another --run-id`,
    );
  return old;
}
