/**
 * The TypeScript client: one API over both bindings (`ws://host:port/v1/ws` or
 * `grpc://host:port`). Many requests in flight on one connection (pipelining), a deadline per
 * request, automatic retry of errors the server marks retryable where nothing was applied
 * (overload, shutdown at admission, too many connections; honouring retryAfterMs, else capped
 * exponential backoff with jitter), and reconnect on the next request after the connection
 * drops. Envs of a dropped connection are closed by the server; {@link RemoteEnv} makes a
 * fresh one on its next reset, and a step for episodes of the dropped connection fails with
 * FR_ERR_PROTO_ENV_LOST (the server closed them) instead of going out on the new one.
 * While it holds open envs, a client sends a `stats` request whenever a third of the server's
 * `idleTimeoutMs` passes without a request, so a slow policy (a CPU model generating for
 * longer than the timeout between a reset and its step) does not lose its episodes to the
 * idle timeout; a connection without envs is left to it.
 *
 * ```ts
 * const client = await FactRecallClient.connect('ws://127.0.0.1:8700/v1/ws', { role: 'trainer' });
 * const env = await client.make('FactRecall-v0');
 * const { observations } = await env.reset({ split: 'train', batchSize: 128, groupSize: 5 });
 * ```
 */
import { backoffMs } from '../../lib/backoff.ts';
import { GRPC_STATUS } from '../../lib/errors.ts';
import { protoError, toErrorBody } from '../errors.ts';
import {
  type ErrorBody,
  PROTOCOL_VERSION,
  type RequestBody,
  type ResponseBody,
  type Role,
  type Verb,
} from '../schema.ts';
import { type EnvConnection, RemoteEnv, type RequestOptions } from './remote-env.ts';
import { type InboundEnvelope, openWire, type Wire, type WireFactory } from './wire.ts';

/** An error answered by the server (or raised by the client for deadlines and lost connections). */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly grpcStatus: number;
  readonly details: Record<string, unknown> | undefined;
  constructor(body: ErrorBody) {
    super(body.message);
    this.code = body.code;
    this.retryable = body.retryable;
    this.retryAfterMs = body.retryAfterMs;
    this.grpcStatus = body.grpcStatus;
    this.details = body.details;
  }
}

/** Longest wait between two retries unless `maxBackoffMs` says otherwise. */
export const DEFAULT_MAX_BACKOFF_MS = 5_000;

/** Codes that guarantee the server applied nothing: safe to resend any verb. */
const SAFE_TO_RESEND = new Set([
  'FR_ERR_PROTO_OVERLOADED',
  'FR_ERR_PROTO_TOO_MANY_CONNECTIONS',
  'FR_ERR_PROTO_SHUTTING_DOWN',
]);
/** Verbs that change nothing on the server, resent even after a lost connection or deadline. */
const IDEMPOTENT = new Set<Verb>(['hello', 'list_envs', 'stats']);

export interface ClientOptions {
  token?: string;
  /** Role asked for in hello (servers with tokens take it from the token). */
  role?: Role;
  /** Free text naming this client in server logs. */
  clientName?: string;
  /** Default deadline per request, ms (default 120 000). */
  deadlineMs?: number;
  /** Retries of a retryable error (default 5). */
  maxRetries?: number;
  /** Backoff base and cap, ms (defaults 100 and {@link DEFAULT_MAX_BACKOFF_MS}). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Reconnect when the connection dropped (default true). */
  reconnect?: boolean;
  /** Keep a connection with open envs from the idle timeout (default true; see the module comment). */
  keepAlive?: boolean;
  /** Transport factory (tests inject one); default picks by URL scheme. */
  openWire?: WireFactory;
}

export type { RequestOptions };

interface Pending {
  resolve(body: unknown): void;
  reject(e: ProtocolError): void;
  timer: NodeJS.Timeout;
}

export class FactRecallClient implements EnvConnection {
  /** Incremented on every (re)connection; envs made on an older one are gone. */
  generation = 0;
  hello: ResponseBody<'hello'> | undefined;
  /** Last server-initiated error (id ""), e.g. idle timeout or overload at connect. */
  lastServerError: ProtocolError | undefined;
  /** Why the last connection ended (with the server's code when it sent one). */
  lostBecause: string | undefined;
  /** Envs made on this client and not closed: while there are any, keep-alive runs. */
  private readonly openEnvs = new Set<RemoteEnv>();
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private lastSentAt = 0;
  private wire: Wire | undefined;
  private connecting: Promise<void> | undefined;
  private readonly pending = new Map<string, Pending>();
  private nextId = 0;
  private closedByUser = false;

  private constructor(
    readonly url: string,
    readonly opts: ClientOptions,
  ) {}

  /** Connect and say hello; rejects with the server's error (e.g. FR_ERR_PROTO_UNAUTHENTICATED). */
  static async connect(url: string, opts: ClientOptions = {}): Promise<FactRecallClient> {
    const c = new FactRecallClient(url, opts);
    const maxRetries = opts.maxRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      try {
        await c.ensureConnected();
        return c;
      } catch (e) {
        const retry = e instanceof ProtocolError && SAFE_TO_RESEND.has(e.code);
        if (!retry || attempt >= maxRetries) throw e;
        await sleep(c.backoff(attempt, e.retryAfterMs));
      }
    }
  }

  get role(): Role | undefined {
    return this.hello?.role;
  }

  /** Requests waiting for their response. */
  get inFlight(): number {
    return this.pending.size;
  }

  private async ensureConnected(): Promise<void> {
    if (this.wire) return;
    if (this.closedByUser)
      throw new ProtocolError(
        toErrorBody(protoError('FR_ERR_PROTO_CONNECTION_LOST', 'client closed')),
      );
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<void> {
    // Server-initiated errors describe the connection they came on, not the next one.
    this.lastServerError = undefined;
    let wire: Wire;
    try {
      wire = await (this.opts.openWire ?? openWire)(this.url);
    } catch (e) {
      throw new ProtocolError(
        toErrorBody(
          protoError(
            'FR_ERR_PROTO_CONNECTION_LOST',
            `connect ${this.url}: ${(e as Error).message}`,
          ),
        ),
      );
    }
    // The wire first: a connection that already ended clears it in lost(), so the hello
    // below fails at once instead of waiting for its deadline.
    this.wire = wire;
    this.generation += 1;
    wire.onMessage = (m) => this.receive(m);
    wire.onClose = (reason) => this.lost(wire, reason);
    try {
      this.hello = await this.send('hello', {
        version: PROTOCOL_VERSION,
        ...(this.opts.token !== undefined ? { token: this.opts.token } : {}),
        ...(this.opts.role !== undefined ? { role: this.opts.role } : {}),
        ...(this.opts.clientName !== undefined ? { client: this.opts.clientName } : {}),
      });
      this.startKeepAlive(wire, this.hello.limits.idleTimeoutMs);
    } catch (e) {
      this.wire = undefined;
      wire.close();
      // Refused at connect (too many connections, shutting down): the server sent why with
      // id "" and closed without reading the hello, so that refusal is the answer, and it is
      // safe to retry.
      // (set by receive() meanwhile; TS still narrows it to the undefined assigned above)
      const refused = this.lastServerError as ProtocolError | undefined;
      if (
        e instanceof ProtocolError &&
        e.code === 'FR_ERR_PROTO_CONNECTION_LOST' &&
        refused &&
        SAFE_TO_RESEND.has(refused.code)
      ) {
        throw refused;
      }
      throw e;
    }
  }

  private receive(m: InboundEnvelope): void {
    if (m.id === '' && m.type === 'error') {
      this.lastServerError = new ProtocolError(m.body as ErrorBody);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.type === 'error') p.reject(new ProtocolError(m.body as ErrorBody));
    else p.resolve(m.body);
  }

  private lost(wire: Wire, reason: string): void {
    if (this.wire === wire) this.wire = undefined;
    const why = this.lastServerError ? `${reason}; ${this.lastServerError.code}` : reason;
    this.lostBecause = why;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.reject(new ProtocolError(toErrorBody(protoError('FR_ERR_PROTO_CONNECTION_LOST', why))));
    }
  }

  /** One attempt: send and wait for the matching response or the deadline. */
  private send<V extends Verb>(
    verb: V,
    body: RequestBody<V>,
    opts: RequestOptions = {},
  ): Promise<ResponseBody<V>> {
    const wire = this.wire;
    if (!wire)
      return Promise.reject(
        new ProtocolError(toErrorBody(protoError('FR_ERR_PROTO_CONNECTION_LOST'))),
      );
    const aborted = () =>
      new ProtocolError({
        code: 'FR_ERR_PROTO_DEADLINE',
        message: 'aborted by the caller',
        retryable: false,
        grpcStatus: GRPC_STATUS.CANCELLED,
      });
    // Already aborted: nothing is sent.
    if (opts.signal?.aborted) return Promise.reject(aborted());
    const id = String(this.nextId++);
    const deadlineMs = opts.deadlineMs ?? this.opts.deadlineMs ?? 120_000;
    return new Promise<ResponseBody<V>>((resolve, reject) => {
      const { signal } = opts;
      const onAbort = () => {
        if (!this.pending.delete(id)) return;
        clearTimeout(timer);
        reject(aborted());
      };
      // However the request ends, its listener goes: one signal for a whole training run
      // would otherwise hold a closure per request ever sent.
      const settled =
        <T>(f: (v: T) => void) =>
        (v: T) => {
          signal?.removeEventListener('abort', onAbort);
          f(v);
        };
      const fail = settled(reject);
      const timer = setTimeout(() => {
        this.pending.delete(id);
        fail(
          new ProtocolError(
            toErrorBody(protoError('FR_ERR_PROTO_DEADLINE', `${verb} after ${deadlineMs} ms`)),
          ),
        );
      }, deadlineMs);
      this.pending.set(id, {
        resolve: settled(resolve as (b: unknown) => void),
        reject: fail,
        timer,
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        this.lastSentAt = Date.now();
        wire.send({ id, type: verb, body });
      } catch (e) {
        this.pending.delete(id);
        clearTimeout(timer);
        fail(
          new ProtocolError(
            toErrorBody(protoError('FR_ERR_PROTO_CONNECTION_LOST', (e as Error).message)),
          ),
        );
      }
    });
  }

  /**
   * Send a request and return its response body; retries what is safe to retry, reconnecting
   * first when the connection dropped. Errors are {@link ProtocolError}s with the server's code.
   */
  async request<V extends Verb>(
    verb: V,
    body: RequestBody<V>,
    opts: RequestOptions = {},
  ): Promise<ResponseBody<V>> {
    const maxRetries = this.opts.maxRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      try {
        // A request about an env goes out only on the connection that made it: on a new one
        // its handle names nothing (or another env).
        if (opts.onConnection !== undefined && !this.isCurrent(opts.onConnection))
          throw new ProtocolError(
            toErrorBody(
              protoError(
                'FR_ERR_PROTO_ENV_LOST',
                `${verb}: the connection that made this env ended (${this.lostBecause ?? 'closed'})`,
              ),
            ),
          );
        if (this.opts.reconnect !== false || this.generation === 0) await this.ensureConnected();
        return await this.send(verb, body, opts);
      } catch (e) {
        const err = e instanceof ProtocolError ? e : new ProtocolError(toErrorBody(e));
        const resendable = SAFE_TO_RESEND.has(err.code) || (err.retryable && IDEMPOTENT.has(verb));
        if (!resendable || attempt >= maxRetries || opts.signal?.aborted) throw err;
        await sleep(this.backoff(attempt, err.retryAfterMs));
      }
    }
  }

  /** True while the connection of `generation` is open (its envs and episodes live). */
  isCurrent(generation: number): boolean {
    return this.wire !== undefined && generation === this.generation;
  }

  /** RemoteEnv reports its open and close here (keep-alive runs while any is open). */
  envOpened(env: RemoteEnv): void {
    this.openEnvs.add(env);
  }
  envClosed(env: RemoteEnv): void {
    this.openEnvs.delete(env);
  }

  /**
   * Every third of the server's idle timeout, while this connection is the client's and holds
   * envs: a `stats` request if nothing was sent for that long (the server counts any request
   * as activity). Its failure is the connection's business (lost() reports it), not ours.
   */
  private startKeepAlive(wire: Wire, idleTimeoutMs: number): void {
    if (this.opts.keepAlive === false) return;
    clearInterval(this.keepAliveTimer);
    const periodMs = Math.max(50, Math.floor(idleTimeoutMs / 3));
    this.keepAliveTimer = setInterval(() => {
      if (this.wire !== wire) return clearInterval(this.keepAliveTimer);
      if (Date.now() - this.lastSentAt < periodMs) return;
      // Only envs of this connection count: one left open on an ended connection is gone.
      if (![...this.openEnvs].some((e) => e.live)) return;
      this.send('stats', {}).catch(() => undefined);
    }, periodMs);
    this.keepAliveTimer.unref();
  }

  private backoff(attempt: number, retryAfterMs: number | undefined): number {
    if (retryAfterMs !== undefined) return retryAfterMs * (1 + Math.random() * 0.2);
    // Full jitter: spreads retries of many clients hit by the same overload.
    return backoffMs(attempt, {
      baseMs: this.opts.backoffMs ?? 100,
      capMs: this.opts.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS,
      jitter: 1,
    });
  }

  listEnvs(): Promise<ResponseBody<'list_envs'>> {
    return this.request('list_envs', {});
  }

  stats(): Promise<ResponseBody<'stats'>> {
    return this.request('stats', {});
  }

  /** Make an env on the server; the result implements EnvApi. */
  async make(envId = 'FactRecall-v0', options?: Record<string, unknown>): Promise<RemoteEnv> {
    const env = new RemoteEnv(this, envId, options);
    await env.open();
    return env;
  }

  /** Close the connection (the server closes its envs). Pending requests fail. */
  close(): void {
    this.closedByUser = true;
    clearInterval(this.keepAliveTimer);
    this.wire?.close();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
