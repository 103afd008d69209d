/**
 * `factrecall serve`: host the registered envs over WebSocket+msgpack (HTTP port, path /v1/ws)
 * and gRPC (its own port), with /healthz, /metrics and /v1/spec on the HTTP port. Prints one
 * JSON line when listening (`{"event":"listening",...}`, for scripts and tests) and drains on
 * SIGINT/SIGTERM: steps in flight finish and are answered, then every env is closed.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseJudgeSpec } from '../../judges/index.ts';
import { envRegistry } from '../../protocol/env-registry.ts';
import { protoError } from '../../protocol/errors.ts';
import type { EvalQuota } from '../../protocol/eval-quota.ts';
import type { ValRewards } from '../../protocol/hidden-runs.ts';
import { DEFAULT_LIMITS } from '../../protocol/limits.ts';
import type { Limits } from '../../protocol/schema.ts';
import { serve } from '../../protocol/server.ts';
import { loadTokens } from '../../protocol/tokens.ts';
import { numberFlag } from '../number-flag.ts';

interface ServeFlags {
  host: string;
  port: string;
  grpcPort: string;
  tokens?: string;
  evalRuns: string;
  judge: string;
  splits?: string;
  force?: boolean;
  limit: string[];
  drainMs: string;
  valRewards: string;
  evalQuota?: string;
  evalSubset?: string;
}

/** Question ids of a pinned subset: a JSON array, or one id per line. */
export function readEvalSubset(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw protoError('FR_ERR_PROTO_BAD_CONFIG', `--eval-subset ${file}: ${(e as Error).message}`);
  }
  let ids: unknown;
  try {
    ids = text.trimStart().startsWith('[')
      ? JSON.parse(text)
      : text
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean);
  } catch (e) {
    throw protoError('FR_ERR_PROTO_BAD_CONFIG', `--eval-subset ${file}: ${(e as Error).message}`);
  }
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((x) => typeof x === 'string' && x)) {
    throw protoError(
      'FR_ERR_PROTO_BAD_CONFIG',
      `--eval-subset ${file}: expected a JSON array of question ids or one id per line`,
    );
  }
  return ids;
}

const badConfig = (detail: string) => protoError('FR_ERR_PROTO_BAD_CONFIG', detail);

function parsePort(text: string, flag: string): number {
  return numberFlag(flag, text, badConfig, { min: 0, max: 65_535 });
}

/** A non-negative whole number of milliseconds. */
function parseMs(text: string, flag: string): number {
  return numberFlag(flag, text, badConfig, { min: 0 });
}

/** `key=value` pairs into a partial Limits (values are integers; resolveLimits checks ranges). */
function parseLimits(pairs: readonly string[]): Partial<Limits> {
  const out: Record<string, number> = {};
  for (const pair of pairs) {
    const [key, value] = pair.split('=', 2);
    if (!key || !(key in DEFAULT_LIMITS) || value === undefined) {
      throw badConfig(
        `--limit ${pair}: use key=integer with key one of ${Object.keys(DEFAULT_LIMITS).join(', ')}`,
      );
    }
    out[key] = numberFlag(`--limit ${key}`, value, badConfig, { min: 0 });
  }
  return out as Partial<Limits>;
}

/** `RUNS/WINDOW` with WINDOW in h, m or s (`10/24h`): complete eval runs per window. */
export function parseEvalQuota(text: string): EvalQuota {
  const m = /^(\d+)\/(\d+)(h|m|s)$/.exec(text);
  if (!m || Number(m[2]) === 0) {
    throw protoError(
      'FR_ERR_PROTO_BAD_CONFIG',
      `--eval-quota must be RUNS/WINDOW with WINDOW in h, m or s (e.g. 10/24h), got ${text}`,
    );
  }
  const unit = { h: 3600_000, m: 60_000, s: 1000 }[m[3] as 'h' | 'm' | 's'];
  return { runs: Number(m[1]), windowMs: Number(m[2]) * unit };
}

function parseValRewards(text: string): ValRewards {
  if (text !== 'episode' && text !== 'aggregate') {
    throw protoError(
      'FR_ERR_PROTO_BAD_CONFIG',
      `--val-rewards must be episode or aggregate, got ${text}`,
    );
  }
  return text;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve FactRecall envs over WebSocket+msgpack and gRPC (docs/protocol.md)')
    .option('--host <address>', 'bind address; a non-loopback one needs tokens', '127.0.0.1')
    .option('--port <n>', 'HTTP + WebSocket port (0: pick a free one)', '8700')
    .option('--grpc-port <n>', 'gRPC port (0: pick a free one)', '8701')
    .option(
      '--tokens <file>',
      'token file {"tokens":[{token, role, name}]} (else FACTRECALL_TOKENS)',
    )
    .option('--eval-runs <file>', 'append-only JSON lines of eval runs', 'runs/eval-runs.jsonl')
    .option(
      '--judge <spec>',
      'judge of envs whose client names none: exact, contains, llm, or a JSON spec',
      'exact',
    )
    .option(
      '--splits <name|dir>',
      'serve prepared splits (factrecall data prepare) instead of the FactWorld default world',
    )
    .option(
      '--force',
      'with --splits: serve split files that differ from their manifest (recorded)',
    )
    .option(
      '--limit <key=value>',
      `override a limit (repeatable): ${Object.keys(DEFAULT_LIMITS).join(', ')}`,
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--drain-ms <n>', 'on shutdown, wait this long for requests in flight', '30000')
    .option(
      '--val-rewards <mode>',
      'episode: val rewards per episode (they reveal val gold); aggregate: only a complete val run score',
      'episode',
    )
    .option(
      '--eval-quota <runs/window>',
      'complete eval runs per submitter per window, e.g. 10/24h (default; token files may set evalQuota per token)',
    )
    .option(
      '--eval-subset <file>',
      'pinned leaderboard subset: eval runs cover these test question ids (JSON array or one per line)',
    )
    .action(async (flags: ServeFlags) => {
      const server = await serve({
        registry: envRegistry(),
        host: flags.host,
        httpPort: parsePort(flags.port, '--port'),
        grpcPort: parsePort(flags.grpcPort, '--grpc-port'),
        tokens: loadTokens(flags.tokens),
        evalRunsPath: flags.evalRuns,
        makeDefaults: {
          judge: parseJudgeSpec(flags.judge),
          ...(flags.splits ? { splits: flags.splits } : {}),
          ...(flags.force ? { force: true } : {}),
        },
        limits: parseLimits(flags.limit),
        drainMs: parseMs(flags.drainMs, '--drain-ms'),
        valRewards: parseValRewards(flags.valRewards),
        ...(flags.evalQuota ? { evalQuota: parseEvalQuota(flags.evalQuota) } : {}),
        ...(flags.evalSubset ? { evalSubset: readEvalSubset(flags.evalSubset) } : {}),
      });
      process.stdout.write(
        `${JSON.stringify({
          event: 'listening',
          http: server.httpPort,
          grpc: server.grpcPort,
          ws: server.wsUrl,
          grpcAddress: server.grpcAddress,
          openenv: server.openEnvUrl,
          auth: server.host.tokens === null ? 'none' : 'tokens',
        })}\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          process.stderr.write(`factrecall serve: ${signal}, draining\n`);
          void server.close().then(() => {
            process.stdout.write(`${JSON.stringify({ event: 'closed' })}\n`);
            resolve();
          });
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    });
}
