/**
 * The coordinator's side of the protocol: an env server (a given URL, or one started on
 * 127.0.0.1 for this run), one protocol client per role, and RemoteEnv sessions.
 *
 * Roles: the training and validation splits are read as `policy` (per-episode rewards); the
 * test split is served to the `eval` role only, which sees no per-episode reward, just the
 * aggregate at close. So per-question analyses (pass@k, accessibility) use train and val
 * (val people are held out too), and test accuracy is the server's own count.
 */
import { join } from 'node:path';
import type { SplitSource } from '../../../env/types.ts';
import { FactRecallClient } from '../../../protocol/client/client.ts';
import type { RemoteEnv } from '../../../protocol/client/remote-env.ts';
import { envRegistry } from '../../../protocol/env-registry.ts';
import type { Role } from '../../../protocol/schema.ts';
import { type RunningServer, serve } from '../../../protocol/server.ts';
import type { TrainConfig } from './config.ts';
import { EnvPool } from './env-pool.ts';
import { trainError } from './errors.ts';

export interface EnvConnections {
  /** Where the server is (ws://... or grpc://...). */
  readonly url: string;
  /** A fresh env session (its question order starts at the beginning of epoch 0). */
  /** `extra` adds make options for this env only (e.g. `start` on resume). */
  make(role: Role, extra?: Record<string, unknown>): Promise<RemoteEnv>;
  /** With `env.urls`: the servers that training batches are sharded across (env-pool.ts). */
  readonly pool?: EnvPool;
  /** Close the clients, and the server when this run started it. */
  close(): Promise<void>;
}

/** Start a server on loopback hosting `source` (or the prepared `splits`) as every env's questions. */
export async function startLoopbackServer(
  questions: SplitSource | { splits: string },
  runDir: string,
  opts: { evalFirst?: number } = {},
): Promise<RunningServer> {
  // A SplitSource has `splits` too (the questions per split); prepared splits are named by a string.
  const makeDefaults =
    typeof questions.splits === 'string' ? { splits: questions.splits } : { source: questions };
  return serve({
    registry: envRegistry(),
    host: '127.0.0.1',
    httpPort: 0,
    grpcPort: 0,
    tokens: null,
    evalRunsPath: join(runDir, 'eval-runs.jsonl'),
    makeDefaults,
    drainMs: 5_000,
    // Test scores are revealed only for a complete eval run (protocol/hidden-runs.ts), so an
    // evaluation on the first n test questions pins them as this server's eval subset: the run
    // then covers its whole (pinned) split and the server reports its accuracy.
    ...(opts.evalFirst ? { evalSubset: { first: opts.evalFirst } } : {}),
    // The eval quota guards a shared server's test split against many scored runs; this
    // server is the run's own, and a run evaluates test every `eval.everySteps`, more often
    // than the default 10 a day.
    evalQuota: { runs: Number.MAX_SAFE_INTEGER, windowMs: 24 * 3600_000 },
    // The idle timeout drops a connection that has sent nothing for a while (10 minutes by
    // default), so that an abandoned client cannot hold a shared server's envs. This server's
    // only clients are the run's own, and a real model on a CPU can take longer than that
    // between a reset and its step (200 greedy SmolLM2 answers on a shared core), or between
    // two evaluations (an eval-role connection waits out a whole recipe). The client's
    // keep-alive covers connections with open envs on any server; a day here also spares the
    // run's idle connections the reconnects.
    limits: { idleTimeoutMs: LOOPBACK_IDLE_TIMEOUT_MS },
  });
}

/** The run's own server closes idle connections only after a day (see startLoopbackServer). */
export const LOOPBACK_IDLE_TIMEOUT_MS = 24 * 3600_000;

/**
 * Connect to `cfg.env.url`, or start a loopback server for `source`, else for the prepared
 * splits `cfg.env.splits` (one of the two is required then).
 * Deadlines and retries of requests are the protocol client's (`calls.envDeadlineMs`,
 * `calls.retries`, `calls.backoffMs`).
 */
export async function connectEnv(
  cfg: TrainConfig,
  opts: { source?: SplitSource; runDir: string },
): Promise<EnvConnections> {
  if (cfg.env.urls) return connectPool(cfg, cfg.env.urls);
  let server: RunningServer | undefined;
  let url = cfg.env.url;
  if (!url) {
    const questions = opts.source ?? (cfg.env.splits ? { splits: cfg.env.splits } : undefined);
    if (!questions)
      throw trainError(
        'FR_ERR_TRAIN_CONFIG_INVALID',
        'no env.url, no env.splits and no world to serve: nothing to train on',
      );
    // Whenever evaluations are cut to n questions (a real-model run evaluates test even when
    // eval.splits leaves it out of the evaluations between steps).
    const evalFirst = cfg.eval.maxQuestions;
    server = await startLoopbackServer(questions, opts.runDir, evalFirst ? { evalFirst } : {});
    url = cfg.env.transport === 'grpc' ? `grpc://${server.grpcAddress}` : server.wsUrl;
  }
  const clients = new Map<Role, Promise<FactRecallClient>>();
  const client = (role: Role) => {
    let c = clients.get(role);
    if (!c) {
      c = connectClient(cfg, url!, role);
      clients.set(role, c);
    }
    return c;
  };
  return {
    url,
    async make(role, extra) {
      return (await client(role)).make(cfg.env.id, { ...makeOptions(cfg, role), ...extra });
    },
    async close() {
      for (const c of clients.values()) (await c.catch(() => undefined))?.close();
      clients.clear();
      await server?.close();
    },
  };
}

/** A protocol client of `url` for `role`, with the run's deadlines, retries and token. */
function connectClient(cfg: TrainConfig, url: string, role: Role): Promise<FactRecallClient> {
  return FactRecallClient.connect(url, {
    role,
    clientName: `factrecall-grpo-${role}`,
    deadlineMs: cfg.calls.envDeadlineMs,
    maxRetries: cfg.calls.retries,
    backoffMs: cfg.calls.backoffMs,
    ...(cfg.env.token ? { token: cfg.env.token } : {}),
  });
}

/** The make options of a role. */
function makeOptions(cfg: TrainConfig, role: Role): Record<string, unknown> {
  // An eval run goes through the test split in the server's order: the server refuses a
  // seed from the eval role (FR_ERR_PROTO_FORBIDDEN, protocol/hidden-runs.ts).
  const options = { prompt: cfg.env.prompt, judge: cfg.env.judge };
  return role === 'eval' ? options : { ...options, seed: cfg.env.seed };
}

/** Several running env servers (`env.urls`), as one pool; evaluations go to a healthy one. */
function connectPool(cfg: TrainConfig, urls: readonly string[]): EnvConnections {
  if (cfg.env.url)
    throw trainError('FR_ERR_TRAIN_CONFIG_INVALID', 'env.url and env.urls: give one of the two');
  const pool = new EnvPool(urls, {
    connect: (url, role) => connectClient(cfg, url, role),
    envId: cfg.env.id,
    makeOptions: (role) => makeOptions(cfg, role),
  });
  return {
    url: urls.join(','),
    pool,
    make: (role, extra) => pool.make(role, extra),
    close: () => pool.close(),
  };
}

/**
 * Move a fresh env's `split` order to (epoch, cursor) by drawing and discarding the questions
 * before it, in chunks. The env has no seek verb; the discarded episodes are never answered
 * (the server counts them expired or closed). Order is a pure function of (seed, split,
 * epoch), so the next reset continues exactly where the checkpointed run stood.
 */
export async function skipTo(
  env: RemoteEnv,
  split: 'train' | 'val',
  position: { epoch: number; cursor: number; splitSize: number },
  chunk = 4096,
): Promise<void> {
  let left = position.epoch * position.splitSize + position.cursor;
  while (left > 0) {
    const n = Math.min(chunk, left);
    await env.reset({ split, batchSize: n, groupSize: 1 });
    left -= n;
  }
}
