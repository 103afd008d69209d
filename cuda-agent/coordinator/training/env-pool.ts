/**
 * Several env servers behind one coordinator. Every server hosts the same env (same id, data,
 * judge and seed: the pool checks that their fingerprints agree), so question order is the same
 * pure function of (seed, split, epoch) on each, and any server can hand out any slice of it.
 *
 * One training batch of B questions at order position p is cut into K shards, one per healthy
 * server (sizes differing by at most one): shard k is a fresh env made with
 * `start = p + offset_k` and one `reset(B_k, n)`, its answers are stepped on the same env, and
 * the env is closed. The batch is therefore exactly the B questions a single server would have
 * handed out, in the same order, whatever K is; judging (the slow part with an LLM judge) runs
 * on K servers at once.
 *
 * A server that fails a request (connection lost, deadline, overload after the client's own
 * retries, its env gone) is marked down for `downMs` and the shard goes to another server: a
 * fresh env at the same start, whose questions must be the same ids in the same order
 * (else FR_ERR_TRAIN_BATCH_MISMATCH), and the answers already generated are stepped there.
 * Results come back under the episode ids of the first issue, so each generated answer gets
 * exactly one reward. The failed server's env is closed when it can still be reached (its
 * unanswered episodes count `closed` in its books); a server that judged a step but died before
 * replying has those episodes `answered` on its own books, never in training.
 */
import type { Action, Observation, StepResult } from '../../../env/types.ts';
import type { FactRecallClient } from '../../../protocol/client/client.ts';
import type { RemoteEnv } from '../../../protocol/client/remote-env.ts';
import type { Role } from '../../../protocol/schema.ts';
import { trainError } from './errors.ts';

/** Codes after which a request goes to another server. */
const FAILOVER_CODES = new Set([
  'FR_ERR_PROTO_CONNECTION_LOST',
  'FR_ERR_PROTO_DEADLINE',
  'FR_ERR_PROTO_OVERLOADED',
  'FR_ERR_PROTO_TOO_MANY_CONNECTIONS',
  'FR_ERR_PROTO_SHUTTING_DOWN',
  'FR_ERR_PROTO_UNKNOWN_HANDLE',
  'FR_ERR_PROTO_ENV_LOST',
]);

/** True when `e` says the server (not the request) failed. */
export function isServerFailure(e: unknown): boolean {
  const err = e as { code?: unknown; retryable?: unknown } | null;
  return typeof err?.code === 'string' && (FAILOVER_CODES.has(err.code) || err.retryable === true);
}

export interface Endpoint {
  readonly url: string;
  /** Until when (ms since epoch) the server is skipped after a failure. */
  downUntil: number;
  /** Requests that failed on it, and shards it completed. */
  failures: number;
  shards: number;
}

export interface EnvPoolOptions {
  /** A protocol client for (url, role); the pool keeps one per pair. */
  connect: (url: string, role: Role) => Promise<FactRecallClient>;
  envId: string;
  /** make options for a role (prompt, seed, judge). */
  makeOptions: (role: Role) => Record<string, unknown>;
  /** How long a failed server is skipped (default 30 s). */
  downMs?: number;
  now?: () => number;
}

/** A batch position in the order: `epoch * splitSize + cursor` questions handed out before it. */
export interface OrderPosition {
  epoch: number;
  cursor: number;
}

interface Shard {
  start: OrderPosition;
  size: number;
  endpoint: Endpoint;
  env: RemoteEnv;
  observations: Observation[];
}

/** One batch across servers: its observations in order, and where the order stands after it. */
export interface PoolBatch {
  observations: Observation[];
  epoch: number;
  cursor: number;
  shards: Shard[];
}

/** Position `offset` questions after `p` in a split of `size` questions. */
export function advance(p: OrderPosition, offset: number, size: number): OrderPosition {
  const at = p.epoch * size + p.cursor + offset;
  return { epoch: Math.floor(at / size), cursor: at % size };
}

/** Sizes of `k` shards of `n` items: contiguous, differing by at most one. */
export function shardSizes(n: number, k: number): number[] {
  return Array.from(
    { length: k },
    (_, i) => Math.floor(((i + 1) * n) / k) - Math.floor((i * n) / k),
  );
}

export class EnvPool {
  readonly endpoints: Endpoint[];
  private readonly clients = new Map<string, Promise<FactRecallClient>>();
  private next = 0;

  constructor(
    urls: readonly string[],
    private readonly opts: EnvPoolOptions,
  ) {
    if (urls.length === 0 || new Set(urls).size !== urls.length)
      throw trainError('FR_ERR_TRAIN_CONFIG_INVALID', `env.urls must be distinct, got ${urls}`);
    this.endpoints = urls.map((url) => ({ url, downUntil: 0, failures: 0, shards: 0 }));
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** Servers not marked down, in round-robin order; all of them when every one is down. */
  private healthy(exclude: ReadonlySet<Endpoint> = new Set()): Endpoint[] {
    const n = this.endpoints.length;
    const order = Array.from({ length: n }, (_, i) => this.endpoints[(this.next + i) % n]!);
    const up = order.filter((e) => e.downUntil <= this.now() && !exclude.has(e));
    return up.length > 0 ? up : order.filter((e) => !exclude.has(e));
  }

  private markDown(e: Endpoint): void {
    e.failures++;
    e.downUntil = this.now() + (this.opts.downMs ?? 30_000);
    const key = `${e.url}\0`;
    for (const k of [...this.clients.keys()])
      if (k.startsWith(key))
        this.clients.get(k)!.then(
          (c) => c.close(),
          () => undefined,
        );
    for (const k of [...this.clients.keys()]) if (k.startsWith(key)) this.clients.delete(k);
  }

  private client(e: Endpoint, role: Role): Promise<FactRecallClient> {
    const key = `${e.url}\0${role}`;
    let c = this.clients.get(key);
    if (!c) {
      c = this.opts.connect(e.url, role);
      c.catch(() => this.clients.delete(key));
      this.clients.set(key, c);
    }
    return c;
  }

  /**
   * Run `op` on one server after another until one succeeds: servers that fail it are marked
   * down and skipped; a request error (not a server failure) is thrown as it is.
   * @throws FR_ERR_TRAIN_ENV_UNAVAILABLE when every server failed it
   */
  private async onSomeServer<T>(
    what: string,
    op: (e: Endpoint) => Promise<T>,
    prefer?: Endpoint,
  ): Promise<T> {
    const tried = new Set<Endpoint>();
    const why: string[] = [];
    for (;;) {
      const e = prefer && tried.size === 0 ? prefer : this.healthy(tried)[0];
      if (!e)
        throw trainError('FR_ERR_TRAIN_ENV_UNAVAILABLE', `${what}: ${why.join('; ')}`, {
          details: { tried: why },
        });
      tried.add(e);
      try {
        return await op(e);
      } catch (err) {
        if (!isServerFailure(err)) throw err;
        this.markDown(e);
        why.push(`${e.url}: ${(err as { code: string }).code} ${(err as Error).message}`);
      }
    }
  }

  /** A fresh env on a healthy server (evaluations), failing over at make. */
  async make(role: Role, extra?: Record<string, unknown>): Promise<RemoteEnv> {
    const env = await this.onSomeServer(`make (${role})`, async (e) =>
      (await this.client(e, role)).make(this.opts.envId, {
        ...this.opts.makeOptions(role),
        ...extra,
      }),
    );
    this.next = (this.next + 1) % this.endpoints.length;
    return env;
  }

  /**
   * The env's spec from every reachable server, checked to agree (fingerprint and split
   * sizes): servers that disagree would hand out different questions at the same position.
   * @throws FR_ERR_TRAIN_ENDPOINTS_MISMATCH
   */
  async spec(role: Role): Promise<ReturnType<RemoteEnv['spec']>> {
    const specs: Array<{ url: string; spec: ReturnType<RemoteEnv['spec']> }> = [];
    for (const e of this.endpoints) {
      try {
        const env = await (await this.client(e, role)).make(
          this.opts.envId,
          this.opts.makeOptions(role),
        );
        specs.push({ url: e.url, spec: env.spec() });
        await env.close();
      } catch (err) {
        if (!isServerFailure(err)) throw err;
        this.markDown(e);
      }
    }
    if (specs.length === 0)
      throw trainError(
        'FR_ERR_TRAIN_ENV_UNAVAILABLE',
        `no env server answered: ${this.endpoints.map((e) => e.url)}`,
      );
    const key = (s: ReturnType<RemoteEnv['spec']>) => JSON.stringify([s.fingerprint, s.splits]);
    const odd = specs.find((s) => key(s.spec) !== key(specs[0]!.spec));
    if (odd)
      throw trainError(
        'FR_ERR_TRAIN_ENDPOINTS_MISMATCH',
        `${odd.url} serves ${key(odd.spec)}, ${specs[0]!.url} serves ${key(specs[0]!.spec)}`,
      );
    return specs[0]!.spec;
  }

  private async openShard(
    e: Endpoint,
    start: OrderPosition,
    size: number,
    groupSize: number,
  ): Promise<Shard> {
    const env = await (await this.client(e, 'policy')).make(this.opts.envId, {
      ...this.opts.makeOptions('policy'),
      start: { train: start },
    });
    try {
      const r = await env.reset({ split: 'train', batchSize: size, groupSize });
      return { start, size, endpoint: e, env, observations: r.observations };
    } catch (err) {
      await env.close().catch(() => undefined);
      throw err;
    }
  }

  /** The `batchSize` questions at `position`, as `groupSize` episodes each, across the servers. */
  async openBatch(
    position: OrderPosition,
    batchSize: number,
    groupSize: number,
    splitSize: number,
  ): Promise<PoolBatch> {
    const up = this.healthy();
    const sizes = shardSizes(batchSize, Math.min(up.length, batchSize));
    this.next = (this.next + 1) % this.endpoints.length;
    let offset = 0;
    const plan = sizes.map((size, k) => {
      const start = advance(position, offset, splitSize);
      offset += size;
      return { size, start, first: up[k]! };
    });
    const shards = await Promise.all(
      plan.map(({ size, start, first }) =>
        this.onSomeServer(
          `reset of ${size} questions at ${start.epoch}:${start.cursor}`,
          (e) => this.openShard(e, start, size, groupSize),
          first,
        ),
      ),
    );
    const end = advance(position, batchSize, splitSize);
    return { observations: shards.flatMap((s) => s.observations), ...end, shards };
  }

  /**
   * Step every shard's answers on its server (failing a shard over to another server as the
   * module comment says) and close the shards' envs. Results carry the episode ids of
   * `batch.observations`, one per action.
   */
  async stepBatch(
    batch: PoolBatch,
    actions: readonly Action[],
    groupSize: number,
  ): Promise<StepResult[]> {
    const answer = new Map(actions.map((a) => [a.episodeId, a.answer]));
    const parts = await Promise.all(
      batch.shards.map(async (shard) => {
        let current = shard;
        const step = async (e: Endpoint) => {
          // Another server, or this one after the shard's connection ended (the server closed
          // the shard's env): the same questions from a fresh env at the same start.
          if (e !== current.endpoint || !current.env.live) {
            void current.env.close().catch(() => undefined); // unanswered there: counted closed
            current = await this.openShard(e, shard.start, shard.size, groupSize);
            sameQuestions(shard.observations, current.observations);
          }
          const ids = new Map(
            current.observations.map((o, i) => [o.episodeId, shard.observations[i]!.episodeId]),
          );
          const out = await current.env.step(
            current.observations.map((o, i) => ({
              episodeId: o.episodeId,
              answer: answer.get(shard.observations[i]!.episodeId) ?? '',
            })),
          );
          return out.results.map((r) => ({ ...r, episodeId: ids.get(r.episodeId) ?? r.episodeId }));
        };
        const what = `step of ${shard.observations.length} episodes`;
        const results = await this.onSomeServer(what, step, shard.endpoint);
        current.endpoint.shards++;
        await current.env.close().catch(() => undefined);
        return results;
      }),
    );
    return parts.flat();
  }

  /** Close every client. */
  async close(): Promise<void> {
    for (const c of this.clients.values()) (await c.catch(() => undefined))?.close();
    this.clients.clear();
  }
}

/** @throws FR_ERR_TRAIN_BATCH_MISMATCH unless `got` holds the questions of `want`, in order. */
export function sameQuestions(want: readonly Observation[], got: readonly Observation[]): void {
  const a = want.map((o) => `${o.questionId}.${o.index}`).join(',');
  const b = got.map((o) => `${o.questionId}.${o.index}`).join(',');
  if (a !== b)
    throw trainError(
      'FR_ERR_TRAIN_BATCH_MISMATCH',
      'the failover server handed out other questions at the same position (do all env servers serve the same data and seed?)',
    );
}
