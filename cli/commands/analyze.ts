/**
 * `factrecall analyze <what> --run <dir>`: one analysis of one comparison run (a world seed's
 * folder written by `factrecall compare`), printed as a markdown table (or JSON):
 *   passk        pass@k for every k up to n on val, before and after each recipe (unbiased)
 *   buckets      accessibility buckets of the train questions and each recipe's gain in them
 *   attribution  GRPO on each bucket alone: held-out gain and its share
 *   pgold        P(gold) before and after, per group of people and per bucket
 *   transitions  greedy answers before -> after (wrong to right, right to wrong, ...)
 * `factrecall report --runs <dir...> --out <file.md>`: all of them over several seeds, with
 * SVG plots beside the markdown.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  afterOf,
  allKs,
  attribution,
  beforeOf,
  bucketGains,
  goldRows,
  passAtKCurve,
  transitions,
} from '../../cuda-agent/coordinator/analysis/comparison.ts';
import { writeComparisonReport } from '../../cuda-agent/coordinator/analysis/comparison-report.ts';
import {
  attributionTable,
  bucketTable,
  goldTable,
  passAtKTable,
  transitionTable,
} from '../../cuda-agent/coordinator/analysis/comparison-tables.ts';
import {
  type CompareResults,
  readCompareResults,
} from '../../cuda-agent/coordinator/organism/compare-run.ts';
import { trainError } from '../../cuda-agent/coordinator/training/errors.ts';

export const ANALYSES = ['passk', 'buckets', 'attribution', 'pgold', 'transitions'] as const;

/** The analysis `what` of run `r`: its data (for --json) and its markdown lines. */
export function analyze(what: string, r: CompareResults): { data: unknown; markdown: string[] } {
  const recipes = Object.keys(r.recipes);
  switch (what) {
    case 'passk': {
      const ks = allKs(beforeOf(r).sampled['val']?.samples ?? 0);
      return {
        data: {
          before: passAtKCurve(beforeOf(r), 'val', ks),
          ...Object.fromEntries(recipes.map((n) => [n, passAtKCurve(afterOf(r, n), 'val', ks)])),
        },
        markdown: passAtKTable([r], recipes),
      };
    }
    case 'buckets':
      return {
        data: Object.fromEntries(recipes.map((n) => [n, bucketGains(r, n)])),
        markdown: bucketTable([r], recipes),
      };
    case 'attribution':
      return { data: attribution(r), markdown: attributionTable([r]) };
    case 'pgold':
      return {
        data: Object.fromEntries(recipes.map((n) => [n, goldRows(r, n)])),
        markdown: goldTable([r], recipes),
      };
    case 'transitions':
      return {
        data: Object.fromEntries(
          recipes.map((n) => [
            n,
            (['val', 'train'] as const).map((s) => transitions(beforeOf(r), afterOf(r, n), s)),
          ]),
        ),
        markdown: transitionTable([r], recipes),
      };
    default:
      throw trainError(
        'FR_ERR_TRAIN_ANALYSIS_UNKNOWN',
        `\`${what}\`; the analyses are ${ANALYSES.join(', ')}`,
      );
  }
}

export function register(program: Command): void {
  program
    .command('analyze <what>')
    .description(
      `one analysis of a \`factrecall compare\` run folder (${ANALYSES.join(', ')}), as a markdown table`,
    )
    .requiredOption('--run <dir>', 'a seed folder of `factrecall compare` (holding results.json)')
    .option('--json', 'print the numbers as JSON')
    .action(async (what: string, flags: { run: string; json?: boolean }) => {
      if (!(ANALYSES as readonly string[]).includes(what)) analyze(what, {} as CompareResults);
      const { data, markdown } = analyze(what, await readCompareResults(flags.run));
      process.stdout.write(flags.json ? `${JSON.stringify(data, null, 2)}\n` : markdown.join('\n'));
    });
  program
    .command('report')
    .description(
      'the comparison report over `factrecall compare` seed folders: markdown with tables and SVG plots (pass@k curves, buckets, P(gold) scatter) beside it',
    )
    .requiredOption('--runs <dirs...>', 'seed folders of `factrecall compare`')
    .requiredOption('--out <file.md>', 'the markdown file (plots go beside it)')
    .option('--title <text>', 'report title')
    .option('--command <line...>', 'commands that made the runs, shown at the top')
    .option('--notes <file.md>', 'markdown placed after the commands (the reading of the numbers)')
    .action(
      async (flags: {
        runs: string[];
        out: string;
        title?: string;
        command?: string[];
        notes?: string;
      }) => {
        const runs = await Promise.all(flags.runs.map(readCompareResults));
        const notes = flags.notes ? [await readNotes(flags.notes)] : undefined;
        const paths = await writeComparisonReport(runs, flags.out, {
          ...(flags.title ? { title: flags.title } : {}),
          ...(flags.command ? { commands: flags.command } : {}),
          ...(notes ? { notes } : {}),
        });
        process.stdout.write(`${paths.join('\n')}\n`);
      },
    );
}

async function readNotes(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trimEnd();
  } catch (e) {
    throw trainError('FR_ERR_TRAIN_RUN_UNREADABLE', `--notes ${path}: ${(e as Error).message}`);
  }
}
