/**
 * `factrecall world generate`: write a FactWorld to a folder (world, corpus, questions per
 * split, stats) and print its stats. `world pretrain` lives in its own file.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { factworldError } from '../../env/datasets/factworld/errors.ts';
import {
  type CorpusDocument,
  FACTWORLD_VERSION,
  GROUP_NAMES,
  generateWorld,
  groupQuestions,
  parseWorldConfig,
  pretrainDocuments,
  type World,
  type WorldStats,
  worldStats,
} from '../../env/datasets/factworld/index.ts';
import { toJsonl, writeFileAtomic } from '../../lib/files.ts';
import { progress } from '../../lib/progress.ts';
import { textTable } from '../../lib/text-table.ts';
import { numberFlag } from '../number-flag.ts';
import { commandGroup } from './group.ts';

/** Worlds at least this big show a progress bar while the corpus is written. */
const PROGRESS_FROM_PEOPLE = 5000;

export interface WorldGenerateOptions {
  /** Output folder; default `runs/factworld/<fingerprint>`. */
  out?: string;
  seed?: string | number;
  people?: string | number;
  /** A JSON file with any subset of `WorldConfig`; --seed and --people override it. */
  config?: string;
  quiet?: boolean;
}

export interface WorldGenerateResult {
  dir: string;
  files: string[];
  stats: WorldStats;
}

function integerFlag(name: string, value: string | number): number {
  return numberFlag(`--${name}`, value, (d) => factworldError('FR_ERR_FACTWORLD_BAD_CONFIG', d), {
    min: 0,
  });
}

async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw factworldError('FR_ERR_FACTWORLD_CONFIG_FILE', `${path}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw factworldError('FR_ERR_FACTWORLD_CONFIG_FILE', `${path}: not a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/** world.json: the config, the pools and every person with their truth. */
function worldJson(world: World): string {
  const perAttribute = <T>(f: (a: World['attributeNames'][number]) => T) =>
    Object.fromEntries(world.attributeNames.map((a) => [a, f(a)]));
  return `${JSON.stringify(
    {
      factworld: FACTWORLD_VERSION,
      fingerprint: world.fingerprint,
      config: world.config,
      pools: perAttribute((a) => world.valuePool(a)),
      mostFrequentValues: perAttribute((a) => world.mostFrequentValue(a)),
      popularValues: perAttribute((a) => world.popularValue(a)),
      people: world.people,
    },
    null,
    1,
  )}\n`;
}

/**
 * Generate the world and write it to `dir`. stats.json is written last, so its presence
 * means the folder is complete.
 */
export async function runWorldGenerate(opts: WorldGenerateOptions): Promise<WorldGenerateResult> {
  const input = opts.config ? await readConfigFile(opts.config) : {};
  if (opts.seed !== undefined) input['seed'] = integerFlag('seed', opts.seed);
  if (opts.people !== undefined) input['people'] = integerFlag('people', opts.people);
  const config = parseWorldConfig(input);
  const world = generateWorld(config);
  const dir = resolve(opts.out ?? join('runs', 'factworld', world.fingerprint));

  const bar =
    !opts.quiet && config.people >= PROGRESS_FROM_PEOPLE
      ? progress('factworld people', config.people)
      : undefined;
  const docs: CorpusDocument[] = pretrainDocuments(world, { onProgress: () => bar?.tick() });
  bar?.stop();
  const stats = worldStats(world, docs);

  const files: Array<[string, string]> = [
    ['world.json', worldJson(world)],
    ['corpus.txt', docs.map((d) => `${d.text}\n`).join('')],
    ...GROUP_NAMES.map((g): [string, string] => [
      `questions.${g}.jsonl`,
      toJsonl(groupQuestions(world, g)),
    ]),
    ['stats.json', `${JSON.stringify(stats, null, 1)}\n`],
  ];
  for (const [name, text] of files) await writeFileAtomic(join(dir, name), text);
  return { dir, files: files.map(([name]) => name), stats };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function table(rows: string[][]): string {
  return textTable(rows).join('\n');
}

/** The stats as a readable report. */
export function formatWorldStats(stats: WorldStats, dir: string): string {
  const groups = table([
    ['group', 'people', 'questions', 'guess@1', 'guess@8', 'guess@32', 'prior', 'popular'],
    ...GROUP_NAMES.map((g) => {
      const c = stats.chance[g];
      return [
        g,
        String(stats.people[g]),
        String(stats.questions[g]),
        pct(c.typedGuesserPassAt['1']),
        pct(c.typedGuesserPassAt['8']),
        pct(c.typedGuesserPassAt['32']),
        pct(c.priorAccuracy),
        pct(c.popularAccuracy),
      ];
    }),
  ]);
  const attributes = table([
    ['attribute', 'pool', 'most frequent (share)', 'popular'],
    ...Object.entries(stats.attributes).map(([attr, a]) => [
      attr,
      String(a.poolSize),
      `${a.mostFrequent} (${pct(a.mostFrequentShare)})`,
      a.popular,
    ]),
  ]);
  const { corpus, qaText } = stats;
  return [
    `FactWorld ${stats.fingerprint} (seed ${stats.seed}, ${stats.people.total} people) -> ${dir}`,
    '',
    groups,
    '(guess@k: pass@k of a guesser sampling values of the right type; prior: always the most',
    ' frequent value; popular: always the popular value)',
    '',
    attributes,
    '',
    `corpus: ${corpus.documents} documents (${corpus.biographies} biographies, ${corpus.qaLines} QA lines), ` +
      `${corpus.words} words, ${corpus.distinctWords} distinct`,
    `QA text: ${pct(qaText.corruptedFraction)} of answers replaced by the popular value, ` +
      `${pct(qaText.popularFraction)} answer it`,
    '',
  ].join('\n');
}

export function register(program: Command): void {
  commandGroup(program, 'world', 'FactWorld: the synthetic world of fictional people')
    .command('generate')
    .description(
      'Generate a FactWorld and write world.json, corpus.txt (one document per line), questions.<group>.jsonl and stats.json',
    )
    .option('--out <dir>', 'output folder (default: runs/factworld/<fingerprint>)')
    .option('--seed <n>', 'seed (overrides the config file; default 0)')
    .option('--people <n>', 'number of people (overrides the config file; default 400)')
    .option('--config <file>', 'JSON file with any subset of the WorldConfig fields')
    .action(async (opts: WorldGenerateOptions) => {
      const result = await runWorldGenerate(opts);
      process.stdout.write(formatWorldStats(result.stats, result.dir));
    });
}
