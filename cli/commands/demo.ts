/**
 * `factrecall demo` (what `npm start` runs): the full GRPO demo on FactWorld: the tiny model
 * pretrained on the world (cached), an env server on loopback, greedy and sampled evaluation
 * before RL, GRPO through the protocol with progress, evaluation after, and a report in
 * `runs/<id>/` (see cuda-agent/coordinator/organism/factworld-run.ts).
 *
 * `factrecall demo --scripted`: generate a small FactWorld, make FactRecall-v0 over it, run the
 * scripted oracle and prior agents through the env API over every split, and print their
 * accuracy per split and the time taken (seconds, no Python).
 *
 * The oracle is a test agent that reads the gold answers from the source (the env only gives
 * gold for train); it shows the ceiling. The prior always answers the most frequent train
 * value of the asked attribute; it shows what knowing no fact scores.
 */
import type { Command } from 'commander';
import { oracleFromSource } from '../../agents/oracle.ts';
import { priorAgent } from '../../agents/prior.ts';
import { type RunSummary, runEpisodes } from '../../agents/run-episodes.ts';
import type { ScriptedAgent } from '../../agents/scripted.ts';
import { probPct } from '../../cuda-agent/coordinator/analysis/report.ts';
import {
  type FactWorldRunResult,
  runFactWorldGrpo,
} from '../../cuda-agent/coordinator/organism/factworld-run.ts';
import { DEMO_TRAIN_PRESET } from '../../cuda-agent/coordinator/organism/organism-config.ts';
import { loadRunConfig } from '../../cuda-agent/coordinator/organism/run-config.ts';
import { generateWorld, worldSplitSource } from '../../env/datasets/factworld/index.ts';
import { make } from '../../env/registry.ts';
import { type EnvSpec, SPLIT_NAMES, type SplitName, type SplitSource } from '../../env/types.ts';
import { textTable } from '../../lib/text-table.ts';
import { envOptionsFromFlags, wholeNumberFlag } from './env.ts';
import { installStopOnSigint } from './train.ts';

export interface DemoFlags {
  people?: string | number;
  worldSeed?: string | number;
  seed?: string | number;
  prompt?: string;
  judge?: string;
  batchSize?: string | number;
  groupSize?: string | number;
  json?: boolean;
}

export interface GrpoDemoFlags {
  scripted?: boolean;
  config?: string;
  set: string[];
  runId?: string;
  quiet?: boolean;
}

export interface DemoResult {
  source: string;
  fingerprint: string;
  splits: Partial<Record<SplitName, number>>;
  runs: RunSummary[];
  seconds: number;
}

export async function runDemo(flags: DemoFlags = {}): Promise<DemoResult> {
  const started = performance.now();
  const world = generateWorld({
    seed: wholeNumberFlag('world-seed', flags.worldSeed ?? 0),
    people: wholeNumberFlag('people', flags.people ?? 200),
  });
  const source: SplitSource = worldSplitSource(world);
  const options = { ...envOptionsFromFlags(flags), source };
  const agents: ScriptedAgent[] = [oracleFromSource(source), priorAgent(source)];
  const runs: RunSummary[] = [];
  let spec: EnvSpec | undefined;
  for (const agent of agents) {
    // A fresh env per agent: each split's cursor starts at the beginning of its first epoch.
    const env = await make('FactRecall-v0', options);
    try {
      spec = env.spec();
      for (const split of SPLIT_NAMES) {
        if (!spec.splits[split]) continue;
        runs.push(
          await runEpisodes(env, agent, {
            split,
            batchSize: wholeNumberFlag('batch-size', flags.batchSize ?? 64),
            groupSize: wholeNumberFlag('group-size', flags.groupSize ?? 1),
          }),
        );
      }
    } finally {
      await env.close();
    }
  }
  return {
    source: source.description,
    fingerprint: spec!.fingerprint,
    splits: spec!.splits,
    runs,
    seconds: (performance.now() - started) / 1000,
  };
}

export function formatDemo(result: DemoResult): string {
  const header = ['agent', 'split', 'questions', 'episodes', 'accuracy', 'judge_failed', 'seconds'];
  const rows = result.runs.map((r) => [
    r.agent,
    r.split,
    String(r.questions),
    String(r.episodes),
    r.accuracy === null ? 'n/a' : r.accuracy.toFixed(3),
    String(r.judgeFailed),
    r.seconds.toFixed(3),
  ]);
  return [
    `FactRecall-v0 on ${result.source}`,
    `fingerprint ${result.fingerprint}`,
    '',
    ...textTable([header, ...rows]),
    '',
    `oracle: a test agent reading gold answers (the ceiling); prior: the most frequent train value of the asked attribute`,
    `total ${result.seconds.toFixed(2)} s`,
    '',
  ].join('\n');
}

/** One line per split and pass@k row, for the terminal (the full report is report.md). */
export function formatGrpoDemo(r: FactWorldRunResult): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const lines = [
    r.report.title,
    '',
    'greedy accuracy   before   after   popular-value answers before -> after',
    ...r.report.greedy.map(
      (g) =>
        `  ${g.split.padEnd(6)} (${String(g.questions).padStart(3)} q)  ${pct(g.before).padStart(6)}  ${pct(g.after).padStart(6)}   ${pct(g.popularBefore ?? Number.NaN)} -> ${pct(g.popularAfter ?? Number.NaN)}`,
    ),
    '',
    'pass@k (n samples)  before   after   chance',
    ...r.report.passAtK
      .filter((p) => [1, 8, p.samples].includes(p.k))
      .map(
        (p) =>
          `  ${p.split.padEnd(6)} pass@${String(p.k).padEnd(3)}  ${pct(p.before).padStart(6)}  ${pct(p.after).padStart(6)}  ${pct(p.chance).padStart(6)}`,
      ),
    '',
    'P(gold answer)     mean before -> after   median before -> after',
    ...r.report.goldProb
      .filter((g) => g.bucket === undefined)
      .map(
        (g) =>
          `  ${g.split.padEnd(6)} (${String(g.questions).padStart(3)} q)  ${probPct(g.before).padStart(6)} -> ${probPct(g.after).padStart(6)}      ${probPct(g.medianBefore).padStart(6)} -> ${probPct(g.medianAfter).padStart(6)}`,
      ),
    '',
    ...Object.entries(r.report.timings).map(([k, v]) => `${k}: ${v.toFixed(1)} s`),
    `report: ${r.reportPath}`,
    '',
  ];
  return lines.join('\n');
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'the full GRPO demo (what `npm start` runs): pretrain a tiny model on FactWorld (cached), serve the env on loopback, evaluate, train with GRPO through the protocol, evaluate again, write runs/<id>/report.md. With --scripted: the oracle and prior agents over every split instead',
    )
    .option(
      '--scripted',
      'run the scripted oracle and prior agents instead of GRPO (seconds, no Python)',
    )
    .option(
      '-c, --config <file>',
      'GRPO demo: JSON run config (training fields plus an "organism" section)',
    )
    .option(
      '--set <key=value>',
      'GRPO demo: override a field, e.g. grpo.lr=1e-4 or organism.world.seed=1 (repeatable)',
      collect,
      [],
    )
    .option('--run-id <id>', 'GRPO demo: run folder name under runs/ (default demo-<time>)')
    .option('--quiet', 'GRPO demo: no progress bars')
    .option('--people <n>', 'with --scripted: people in the generated world', '200')
    .option('--world-seed <n>', 'with --scripted: seed of the generated world', '0')
    .option('--seed <n>', 'with --scripted: seed of the question order', '0')
    .option('--prompt <name>', 'with --scripted: prompt template, direct or cot', 'direct')
    .option('--judge <name>', 'with --scripted: judge, exact or contains', 'exact')
    .option('--batch-size <n>', 'with --scripted: questions per reset', '64')
    .option('--group-size <n>', 'with --scripted: episodes per question', '1')
    .option('--json', 'print the result as JSON')
    .action(async (flags: DemoFlags & GrpoDemoFlags) => {
      if (flags.scripted) {
        const result = await runDemo(flags);
        process.stdout.write(
          flags.json ? `${JSON.stringify(result, null, 2)}\n` : formatDemo(result),
        );
        return;
      }
      const cfg = await loadRunConfig({
        ...(flags.config ? { file: flags.config } : {}),
        preset: DEMO_TRAIN_PRESET,
        overrides: [
          `runId=${flags.runId ?? `demo-${new Date().toISOString().replace(/[:.]/g, '-')}`}`,
          ...flags.set,
        ],
      });
      const log = (l: string) => process.stderr.write(`${l}\n`);
      const sig = installStopOnSigint(log);
      try {
        const r = await runFactWorldGrpo({
          train: cfg.train,
          organism: cfg.organism,
          quiet: flags.quiet ?? false,
          log,
          shouldStop: sig.shouldStop,
        });
        const { steps: _s, evals: _e, ...numbers } = r.report;
        process.stdout.write(
          flags.json ? `${JSON.stringify(numbers, null, 2)}\n` : formatGrpoDemo(r),
        );
      } finally {
        sig.dispose();
      }
    });
}
