/**
 * `factrecall judge ...`: the verdict cache (`cache stats`, `cache clear`) and agreement of any
 * judge with labelled verdicts (`eval`).
 */

import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import { judgeError } from '../../judges/errors.ts';
import { formatAgreement } from '../../judges/eval/agreement.ts';
import { type LabelledItem, readLabels } from '../../judges/eval/labels.ts';
import { bundledSlices, evaluateJudge, type JudgeReport } from '../../judges/eval/report.ts';
import {
  createJudge,
  defaultVerdictCachePath,
  parseJudgeSpec,
  SqliteCache,
} from '../../judges/index.ts';
import { formatRedTeam } from '../../judges/redteam/redteam.ts';
import { type Progress, progress } from '../../lib/progress.ts';
import { Rng, seedFrom } from '../../lib/rng.ts';
import { commandGroup } from './group.ts';

/** Items per judge call during eval (keeps progress moving and memory flat). */
const EVAL_CHUNK = 32;

export function register(program: Command): void {
  const judge = commandGroup(program, 'judge', 'judges: verdict cache and agreement with labels');

  const cache = judge.command('cache').description('the persistent SQLite verdict cache');
  cache
    .command('stats')
    .description('print entries per judge fingerprint and the file size')
    .option('--path <file>', 'cache file', defaultVerdictCachePath())
    .option('--json', 'print JSON')
    .action((opts: { path: string; json?: boolean }) => {
      const c = new SqliteCache(opts.path);
      try {
        const s = c.stats();
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
          return;
        }
        process.stdout.write(`${s.path}: ${s.entries} entries, ${s.bytes} bytes\n`);
        for (const n of s.namespaces) {
          process.stdout.write(
            `  ${n.namespace}  ${n.entries} entries  ${n.oldest} .. ${n.newest}\n`,
          );
        }
      } finally {
        c.close();
      }
    });
  cache
    .command('clear')
    .description('delete cached verdicts (all, or one judge fingerprint)')
    .option('--path <file>', 'cache file', defaultVerdictCachePath())
    .option('--fingerprint <fp>', 'only entries of this judge fingerprint')
    .action((opts: { path: string; fingerprint?: string }) => {
      const c = new SqliteCache(opts.path);
      try {
        const n = c.clear(opts.fingerprint);
        process.stdout.write(`deleted ${n} entries from ${opts.path}\n`);
      } finally {
        c.close();
      }
    });

  judge
    .command('eval')
    .description(
      "agreement of judges with labelled verdicts per slice (accuracy, Cohen's kappa, confusion matrix, coverage) and the reward-hacking red team's reward",
    )
    .option(
      '--labels <file...>',
      'labelled verdicts, JSON lines, each file one slice (default: the bundled easy and hard slices)',
    )
    .option(
      '--judge <spec...>',
      'judges to evaluate: exact, contains, llm, panel, or JSON {kind, options}',
      ['exact', 'contains'],
    )
    .option('--sample <n>', 'a seeded sample of n items per slice (for slow judges)')
    .option('--no-red-team', 'skip the red team')
    .option('--red-team-questions <n>', 'red team on a seeded sample of this many questions')
    .option('--json', 'print the reports as JSON')
    .option('--quiet', 'no progress output')
    .action(
      async (opts: {
        labels?: string[];
        judge: string[];
        sample?: string;
        redTeam: boolean;
        redTeamQuestions?: string;
        json?: boolean;
        quiet?: boolean;
      }) => {
        const slices: Record<string, LabelledItem[]> = {};
        if (opts.labels) {
          for (const f of opts.labels) slices[basename(f, extname(f))] = await readLabels(f);
        } else Object.assign(slices, await bundledSlices());
        if (opts.sample !== undefined) {
          const n = Number(opts.sample);
          if (!(Number.isInteger(n) && n > 0)) {
            throw judgeError('FR_ERR_JUDGE_INVALID_SPEC', '--sample must be a positive integer');
          }
          for (const [k, items] of Object.entries(slices)) slices[k] = sampleItems(items, n, k);
        }
        const sample =
          opts.redTeamQuestions === undefined ? undefined : Number(opts.redTeamQuestions);
        if (sample !== undefined && !(Number.isInteger(sample) && sample > 0)) {
          throw judgeError(
            'FR_ERR_JUDGE_INVALID_SPEC',
            '--red-team-questions must be a positive integer',
          );
        }
        const reports: JudgeReport[] = [];
        for (const spec of opts.judge) {
          const j = createJudge(parseJudgeSpec(spec));
          try {
            const bars = new Map<string, { bar: Progress; done: number }>();
            const r = await evaluateJudge(j, slices, {
              redTeam: opts.redTeam,
              ...(sample !== undefined ? { redTeamQuestions: sample } : {}),
              chunk: EVAL_CHUNK,
              onProgress: (phase, done, total) => {
                let b = bars.get(phase);
                if (!b) {
                  const bar = progress(`judge ${j.id} ${phase}`, total, {
                    quiet: opts.quiet ?? false,
                  });
                  b = { bar, done: 0 };
                  bars.set(phase, b);
                }
                b.bar.tick(done - b.done);
                b.done = done;
                if (done === total) b.bar.stop();
              },
            });
            reports.push(r);
            if (!opts.json) process.stdout.write(`${formatReport(r)}\n\n`);
          } finally {
            await j.close?.();
          }
        }
        if (opts.json) process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
      },
    );
}

/** n items of a slice, a pure function of the slice name (same sample on every run). */
function sampleItems(items: LabelledItem[], n: number, slice: string): LabelledItem[] {
  if (items.length <= n) return items;
  return new Rng(seedFrom('judge-eval-sample', slice)).shuffle([...items]).slice(0, n);
}

/** Every slice's agreement, then the red team. */
function formatReport(r: JudgeReport): string {
  const parts = r.slices.map(
    (s) => `[slice ${s.slice}] ${formatAgreement(`${r.judgeId} (${r.fingerprint})`, s.agreement)}`,
  );
  if (r.redTeam) parts.push(formatRedTeam(r.redTeam));
  return parts.join('\n\n');
}
