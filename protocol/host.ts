/**
 * The server-wide state behind every connection, whatever its binding: the env registry,
 * tokens, limits, the count of connections and requests in flight, episode accounting across
 * envs that are gone, the eval run log, and draining for a graceful shutdown.
 */
import { randomBytes } from 'node:crypto';
import { addCounts, zeroCounts } from '../env/episodes.ts';
import type { EpisodeCounts, LocalEnv, SplitName, SubsetIds } from '../env/types.ts';
import type { FactRecallError } from '../lib/errors.ts';
import { protoError } from './errors.ts';
import { DEFAULT_EVAL_QUOTA, type EvalQuota, EvalQuotaBook } from './eval-quota.ts';
import type { EvalRunLog } from './eval-runs.ts';
import { hideScores, type ValRewards } from './hidden-runs.ts';
import type { ErrorBody, Limits } from './schema.ts';
import type { TokenEntry } from './tokens.ts';

/** What the host needs from the env registry (env/index.ts provides both). */
export interface EnvRegistry {
  list(): Array<{ id: string; description: string }>;
  make(id: string, options: Record<string, unknown>): LocalEnv | Promise<LocalEnv>;
}

export interface HostOptions {
  registry: EnvRegistry;
  limits: Readonly<Limits>;
  /** null: no tokens (only allowed on loopback; the server checks at bind time). */
  tokens: readonly TokenEntry[] | null;
  evalRuns: EvalRunLog;
  /** Option keys a client may set in make; the rest belong to the server. */
  clientOptionKeys?: readonly string[];
  /** Judge specs a client may name in make options (strings only). */
  clientJudges?: readonly string[];
  /** Options every make gets unless the client sets an allowed key (e.g. the server's judge). */
  makeDefaults?: Record<string, unknown>;
  /** How often open episodes past their deadline are expired, in ms. */
  expireEveryMs?: number;
  serverName?: string;
  /** Val rewards per episode (default) or only as a complete run's aggregate. */
  valRewards?: ValRewards;
  /** Eval-run quota of submitters whose token sets none (default DEFAULT_EVAL_QUOTA). */
  evalQuota?: EvalQuota;
  /** The pinned subset (leaderboard ids, or the first n of test): eval envs serve only these test questions. */
  evalSubset?: SubsetIds;
  /** Complete eval runs already recorded (they count against quotas): submitter, time ms. */
  pastEvalRuns?: ReadonlyArray<{ submitter: string; at: number }>;
}

export const DEFAULT_CLIENT_OPTION_KEYS = [
  'prompt',
  'seed',
  'judge',
  'episodeTtlMs',
  'start',
] as const;
export const DEFAULT_CLIENT_JUDGES = ['exact', 'contains'] as const;

/** A live env and what the host knows about it. */
export interface HostedEnv {
  readonly handle: string;
  readonly envId: string;
  readonly env: LocalEnv;
}

export class Host {
  readonly registry: EnvRegistry;
  readonly limits: Readonly<Limits>;
  readonly tokens: readonly TokenEntry[] | null;
  readonly evalRuns: EvalRunLog;
  readonly clientOptionKeys: readonly string[];
  readonly clientJudges: readonly string[];
  readonly makeDefaults: Record<string, unknown>;
  readonly serverName: string;
  readonly valRewards: ValRewards;
  readonly evalQuotas: EvalQuotaBook;
  readonly evalSubset: SubsetIds | undefined;
  readonly instance = randomBytes(4).toString('hex');

  connections = 0;
  inFlight = 0;
  /** Requests read from a socket and waiting in a connection's intake (intake.ts). */
  waiting = 0;
  draining = false;
  readonly requests = new Map<string, number>();
  readonly errors = new Map<string, number>();
  /** Every open env on the server, by handle. */
  readonly envs = new Map<string, HostedEnv>();
  /** Counts of envs already closed, per split. */
  private readonly retired = new Map<SplitName, EpisodeCounts>();
  private readonly idle = new Set<() => void>();
  private readonly expireTimer: NodeJS.Timeout;
  private nextSession = 0;

  constructor(opts: HostOptions) {
    this.registry = opts.registry;
    this.limits = opts.limits;
    this.tokens = opts.tokens;
    this.evalRuns = opts.evalRuns;
    this.clientOptionKeys = opts.clientOptionKeys ?? DEFAULT_CLIENT_OPTION_KEYS;
    this.clientJudges = opts.clientJudges ?? DEFAULT_CLIENT_JUDGES;
    this.makeDefaults = opts.makeDefaults ?? {};
    this.serverName = opts.serverName ?? 'factrecall';
    this.valRewards = opts.valRewards ?? 'episode';
    this.evalSubset = opts.evalSubset;
    const serverQuota = opts.evalQuota ?? DEFAULT_EVAL_QUOTA;
    this.evalQuotas = new EvalQuotaBook(
      (name) => this.tokens?.find((t) => t.name === name && t.evalQuota)?.evalQuota ?? serverQuota,
      opts.pastEvalRuns,
    );
    this.expireTimer = setInterval(() => this.expireAll(), opts.expireEveryMs ?? 1000);
    this.expireTimer.unref();
  }

  newSessionId(): string {
    return `${this.instance}-s${this.nextSession++}`;
  }

  /** Admit a request into flight, or the retryable overload error. */
  admit(): FactRecallError | null {
    if (this.draining) return protoError('FR_ERR_PROTO_SHUTTING_DOWN');
    if (this.inFlight >= this.limits.maxInFlightTotal) {
      return protoError('FR_ERR_PROTO_OVERLOADED', `server holds ${this.inFlight} requests`, {
        retryAfterMs: this.limits.retryAfterMs,
      });
    }
    this.inFlight += 1;
    return null;
  }

  release(): void {
    this.inFlight -= 1;
    this.checkIdle();
  }

  /** A waiting request left an intake (started, or its connection ended). */
  unqueue(): void {
    this.waiting -= 1;
    this.checkIdle();
  }

  private checkIdle(): void {
    // After a turn of the event loop, so the last response is on its way before anyone
    // waiting for the drain starts closing connections.
    if (this.inFlight + this.waiting === 0) {
      setImmediate(() => {
        if (this.inFlight + this.waiting === 0) for (const resolve of this.idle) resolve();
      });
    }
  }

  count(verb: string, error?: ErrorBody): void {
    this.requests.set(verb, (this.requests.get(verb) ?? 0) + 1);
    if (error) this.errors.set(error.code, (this.errors.get(error.code) ?? 0) + 1);
  }

  /** Forget a closed env, keeping its counts in the server totals. */
  retire(hosted: HostedEnv): void {
    if (!this.envs.delete(hosted.handle)) return;
    for (const [split, c] of Object.entries(hosted.env.stats().perSplit)) {
      const into = this.retired.get(split as SplitName) ?? zeroCounts();
      this.retired.set(split as SplitName, addCounts(into, c));
    }
  }

  /**
   * Totals and per-split counts over every env the server ever hosted. Scores of the hidden
   * splits (test; val when valRewards is 'aggregate') are never shown here, open or closed:
   * polling stats between steps would reveal each eval episode's reward, and the test totals
   * after a close would show other submitters' results. Those live in the eval-runs file.
   */
  episodeCounts(): { totals: EpisodeCounts; bySplit: Partial<Record<SplitName, EpisodeCounts>> } {
    const bySplit: Partial<Record<SplitName, EpisodeCounts>> = {};
    const add = (split: SplitName, c: EpisodeCounts) => {
      const hidden = split === 'test' || (split === 'val' && this.valRewards === 'aggregate');
      bySplit[split] = addCounts(bySplit[split] ?? zeroCounts(), hidden ? hideScores(c) : c);
    };
    for (const [split, c] of this.retired) add(split, c);
    for (const hosted of this.envs.values()) {
      for (const [split, c] of Object.entries(hosted.env.stats().perSplit)) {
        add(split as SplitName, c);
      }
    }
    const totals = zeroCounts();
    for (const c of Object.values(bySplit)) addCounts(totals, c);
    return { totals, bySplit };
  }

  /** Resolves when no request is in flight or waiting, or after `timeoutMs`; true when drained. */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.inFlight + this.waiting === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.idle.delete(onIdle);
        resolve(ok);
      };
      const onIdle = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.idle.add(onIdle);
    });
  }

  stop(): void {
    clearInterval(this.expireTimer);
  }

  private expireAll(): void {
    const now = Date.now();
    for (const hosted of this.envs.values()) {
      try {
        hosted.env.expire(now);
      } catch {
        // A closed env has nothing to expire.
      }
    }
  }
}
