/**
 * `factrecall judge ...`: the verdict cache (`cache stats`, `cache clear`) and agreement of any
 * judge with labelled verdicts (`eval`).
 */
import type { Command } from 'commander';
import { agreement, formatAgreement } from '../../judges/eval/agreement.ts';
import { BUNDLED_LABELS, readLabels } from '../../judges/eval/labels.ts';
import {
  createJudge,
  defaultVerdictCachePath,
  parseJudgeSpec,
  SqliteCache,
} from '../../judges/index.ts';
import type { VerdictLabel } from '../../judges/types.ts';
import { progress } from '../../lib/progress.ts';
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
      "agreement of judges with labelled verdicts: accuracy, Cohen's kappa, confusion matrix",
    )
    .option('--labels <file>', 'labelled verdicts, JSON lines', BUNDLED_LABELS)
    .option(
      '--judge <spec...>',
      'judges to evaluate: exact, contains, llm, panel, or JSON {kind, options}',
      ['exact', 'contains'],
    )
    .option('--quiet', 'no progress output')
    .action(async (opts: { labels: string; judge: string[]; quiet?: boolean }) => {
      const items = await readLabels(opts.labels);
      const gold = items.map((i) => i.label);
      for (const spec of opts.judge) {
        const j = createJudge(parseJudgeSpec(spec));
        try {
          const bar = progress(`judge ${j.id}`, items.length, { quiet: opts.quiet ?? false });
          const labels: Array<VerdictLabel | null> = [];
          for (let i = 0; i < items.length; i += EVAL_CHUNK) {
            const chunk = items.slice(i, i + EVAL_CHUNK);
            for (const v of await j.judge(chunk)) labels.push(v.verdict);
            bar.tick(chunk.length);
          }
          bar.stop();
          process.stdout.write(
            `${formatAgreement(`${j.id} (${j.fingerprint})`, agreement(gold, labels))}\n\n`,
          );
        } finally {
          await j.close?.();
        }
      }
    });
}
