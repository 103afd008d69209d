/**
 * `factrecall leaderboard serve` (the server, docs/leaderboard.md) and `leaderboard submit`
 * (upload a predictions file, or claim a live eval run, then follow the scoring to the
 * score). `leaderboard admin ...` lives in leaderboard-admin.ts, the seeding agents in
 * leaderboard-agents.ts.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { LeaderboardClient } from '../../leaderboard/client.ts';
import { boardError } from '../../leaderboard/errors.ts';
import { createLeaderboard } from '../../leaderboard/server.ts';
import type { SubmissionView } from '../../leaderboard/views.ts';
import { progress } from '../../lib/progress.ts';
import { commandGroup } from './group.ts';

export const DEFAULT_DB = 'runs/leaderboard/board.sqlite';

/** A whole number within [min, max] from a flag, or FR_ERR_LEADERBOARD_BAD_CONFIG. */
export function intFlag(
  text: string,
  flag: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw boardError(
      'FR_ERR_LEADERBOARD_BAD_CONFIG',
      `${flag} must be a whole number in ${min}..${max}, got ${text}`,
    );
  }
  return Number(text);
}

function numberFlag(text: string, flag: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) {
    throw boardError('FR_ERR_LEADERBOARD_BAD_CONFIG', `${flag} must be a number, got ${text}`);
  }
  return n;
}

interface ServeFlags {
  db: string;
  splits: string[];
  judge: string;
  host: string;
  port: string;
  privateFraction: string;
  quota: string;
  quotaWindowH: string;
  rateLimit: string;
  bodyLimitMb: string;
  evalRuns?: string;
  scoreChunk: string;
}

interface SubmitFlags {
  file?: string;
  run?: string;
  dataset?: string;
  server: string;
  token?: string;
  modelName: string;
  modelSize?: string;
  method?: string;
  link?: string;
  baseline?: string;
  wait: boolean;
  quiet?: boolean;
  json?: boolean;
}

const collect = (v: string, acc: string[]) => [...acc, v];

export function register(program: Command): void {
  const lb = commandGroup(program, 'leaderboard', 'the leaderboard: server, submissions, admin');

  lb.command('serve')
    .description(
      'serve the leaderboard (API and web page) over a SQLite database it creates if absent',
    )
    .option('--db <file>', 'SQLite database', DEFAULT_DB)
    .option(
      '--splits <dataset[=dir]>',
      "pin a prepared dataset's test split (repeatable)",
      collect,
      [] as string[],
    )
    .option('--judge <spec>', 'pinned judge: exact, contains, llm, or a JSON spec', 'exact')
    .option('--host <address>', 'bind address', '127.0.0.1')
    .option('--port <n>', 'port (0: pick a free one)', '8800')
    .option(
      '--private-fraction <x>',
      'share of each test split kept private (fixed at database creation)',
      '0.5',
    )
    .option('--quota <n>', 'submissions per team per window', '5')
    .option('--quota-window-h <h>', 'quota window, hours', '24')
    .option('--rate-limit <n>', 'requests per minute per token or address', '120')
    .option('--body-limit-mb <n>', 'largest request body, MiB', '32')
    .option('--eval-runs <file>', "the env server's eval-runs file, for submissions by live run")
    .option(
      '--score-chunk <n>',
      'predictions judged per committed chunk (what a crash can cost)',
      '500',
    )
    .action(async (f: ServeFlags) => {
      const board = await createLeaderboard({
        dbPath: f.db,
        splits: f.splits.length ? f.splits : ['simpleqa'],
        judge: f.judge,
        privateFraction: numberFlag(f.privateFraction, '--private-fraction'),
        quota: intFlag(f.quota, '--quota', 1),
        quotaWindowMs: Math.round(numberFlag(f.quotaWindowH, '--quota-window-h') * 3_600_000),
        rateLimitPerMinute: intFlag(f.rateLimit, '--rate-limit', 1),
        bodyLimitBytes: intFlag(f.bodyLimitMb, '--body-limit-mb', 1, 1024) * 1024 * 1024,
        ...(f.evalRuns ? { evalRunsPath: f.evalRuns } : {}),
        scoreChunk: intFlag(f.scoreChunk, '--score-chunk', 1, 100_000),
      });
      const address = await board.app.listen({
        host: f.host,
        port: intFlag(f.port, '--port', 0, 65_535),
      });
      process.stdout.write(
        `${JSON.stringify({ event: 'listening', url: address, db: f.db, datasets: [...board.splits.keys()] })}\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          process.stderr.write(
            `factrecall leaderboard serve: ${signal}, stopping after the chunk being scored\n`,
          );
          void board.close().then(() => {
            process.stdout.write(`${JSON.stringify({ event: 'closed' })}\n`);
            resolve();
          });
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    });

  lb.command('submit')
    .description(
      'submit a predictions file (--file) or a live eval run (--run), then wait for the score',
    )
    .option('--file <preds.jsonl>', 'predictions, JSON lines {"id": question id, "answer": text}')
    .option('--run <runId>', 'instead of --file: the evalRunId printed when an eval run closed')
    .option('--dataset <name>', 'with --file: the pinned dataset the predictions answer')
    .option(
      '--server <url>',
      'leaderboard URL',
      process.env.FACTRECALL_LEADERBOARD_URL ?? 'http://127.0.0.1:8800',
    )
    .option('--token <token>', 'team token (else FACTRECALL_LEADERBOARD_TOKEN)')
    .requiredOption('--model-name <name>', 'entry name in the table')
    .option('--model-size <size>', 'parameters, e.g. 135M')
    .option('--method <text>', 'how it was trained: instruct, sft, grpo, scripted ...')
    .option('--link <url>', 'where to read more')
    .option('--baseline <name>', "your own pre-RL entry's model name, for the relative gain")
    .option('--no-wait', 'return once accepted, do not follow the scoring')
    .option('--quiet', 'no progress output')
    .option('--json', 'print the final submission as JSON')
    .action(async (f: SubmitFlags) => {
      const token = f.token ?? process.env.FACTRECALL_LEADERBOARD_TOKEN;
      if (!token)
        throw boardError(
          'FR_ERR_LEADERBOARD_UNAUTHENTICATED',
          'pass --token or set FACTRECALL_LEADERBOARD_TOKEN',
        );
      if ((f.file === undefined) === (f.run === undefined)) {
        throw boardError('FR_ERR_LEADERBOARD_BAD_CONFIG', 'pass exactly one of --file and --run');
      }
      const model = {
        name: f.modelName,
        ...(f.modelSize ? { size: f.modelSize } : {}),
        ...(f.method ? { method: f.method } : {}),
        ...(f.link ? { link: f.link } : {}),
        ...(f.baseline ? { baseline: f.baseline } : {}),
      };
      const client = new LeaderboardClient(f.server, { token });
      let accepted: { id: string; questions: number; quota: { used: number; max: number } };
      if (f.file !== undefined) {
        if (!f.dataset) throw boardError('FR_ERR_LEADERBOARD_BAD_CONFIG', '--file needs --dataset');
        const predictions = await readFile(f.file, 'utf8').catch((e: Error) => {
          throw boardError('FR_ERR_LEADERBOARD_BAD_CONFIG', `cannot read ${f.file}: ${e.message}`);
        });
        accepted = await client.request('POST', '/v1/submissions', {
          dataset: f.dataset,
          model,
          predictions,
        });
      } else {
        accepted = await client.request('POST', '/v1/submissions/live', { runId: f.run, model });
      }
      if (!f.quiet) {
        process.stderr.write(
          `accepted ${accepted.id}: ${accepted.questions} answers; quota ${accepted.quota.used}/${accepted.quota.max}\n`,
        );
      }
      if (!f.wait) {
        process.stdout.write(`${JSON.stringify(accepted)}\n`);
        return;
      }
      const bar = progress('scoring', accepted.questions, { quiet: f.quiet ?? false });
      let shown = 0;
      let sub: SubmissionView;
      for (;;) {
        sub = await client.request<SubmissionView>('GET', `/v1/submissions/${accepted.id}`);
        bar.tick(sub.progress.judged - shown);
        shown = sub.progress.judged;
        if (sub.state === 'scored' || sub.state === 'failed') break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      bar.stop();
      if (f.json) process.stdout.write(`${JSON.stringify(sub, null, 2)}\n`);
      if (sub.state === 'failed') {
        const code =
          /^(FR_ERR_[A-Z_]+)/.exec(sub.error ?? '')?.[1] ?? 'FR_ERR_LEADERBOARD_SCORING_FAILED';
        throw Object.assign(new Error(`${sub.id}: ${sub.error}`), { code });
      }
      if (!f.json) {
        const p = sub.scores.public!;
        process.stdout.write(
          `${sub.id} ${sub.dataset} ${sub.model.name}: public accuracy ${(100 * p.accuracy).toFixed(2)}% (${p.correct}/${p.total}); private part hidden until the round ends\n`,
        );
      }
    });
}
