/**
 * `factrecall demo` (what `npm start` runs): generate a small FactWorld, make FactRecall-v0
 * over it, run the scripted oracle and prior agents through the env API over every split,
 * and print their accuracy per split and the time taken.
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
import { generateWorld, worldSplitSource } from '../../env/datasets/factworld/index.ts';
import { make } from '../../env/registry.ts';
import { type EnvSpec, SPLIT_NAMES, type SplitName, type SplitSource } from '../../env/types.ts';
import { envOptionsFromFlags, wholeNumberFlag } from './env.ts';

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
    await env.close();
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
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [
    `FactRecall-v0 on ${result.source}`,
    `fingerprint ${result.fingerprint}`,
    '',
    line(header),
    ...rows.map(line),
    '',
    `oracle: a test agent reading gold answers (the ceiling); prior: the most frequent train value of the asked attribute`,
    `total ${result.seconds.toFixed(2)} s`,
    '',
  ].join('\n');
}

export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'generate a small FactWorld, make FactRecall-v0 over it, and run the oracle and prior agents over every split',
    )
    .option('--people <n>', 'people in the generated world', '200')
    .option('--world-seed <n>', 'seed of the generated world', '0')
    .option('--seed <n>', 'seed of the question order', '0')
    .option('--prompt <name>', 'prompt template: direct or cot', 'direct')
    .option('--judge <name>', 'judge: exact or contains', 'exact')
    .option('--batch-size <n>', 'questions per reset', '64')
    .option('--group-size <n>', 'episodes per question', '1')
    .option('--json', 'print the result as JSON')
    .action(async (flags: DemoFlags) => {
      const result = await runDemo(flags);
      process.stdout.write(
        flags.json ? `${JSON.stringify(result, null, 2)}\n` : formatDemo(result),
      );
    });
}
