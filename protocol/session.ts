/**
 * One connection's protocol state, the same for every binding: hello first, then any verb;
 * many requests in flight, each answered once with its id. A session never throws to its
 * transport: every failure becomes an error envelope. Closing a session (the client left, went
 * idle, or the server stops) waits for its requests in flight, then closes its envs so every
 * episode they issued ends closed and is counted.
 */
import type { FactRecallError } from '../lib/errors.ts';
import { formatIssues } from './codec.ts';
import { protoError, toErrorBody } from './errors.ts';
import type { Host } from './host.ts';
import {
  type Envelope,
  type ErrorBody,
  isVerb,
  REQUEST_BODIES,
  type ResponseEnvelope,
  type Role,
  type Verb,
} from './schema.ts';
import {
  closeSessionEnv,
  releaseQuota,
  type SessionEnv,
  VERB_HANDLERS,
  type Session as VerbSession,
} from './verbs.ts';

export interface SessionOptions {
  /** Binding name, for logs and metrics: ws, grpc, grpc-unary. */
  transport: string;
  /** Pre-authenticated (gRPC unary calls authenticate per call from metadata). */
  auth?: { role: Role; name: string };
}

export interface Reply {
  response: ResponseEnvelope;
  /** The transport should close the connection after sending (bad token). */
  closeAfter?: boolean;
}

export class Session implements VerbSession {
  readonly id: string;
  readonly transport: string;
  role: Role | null = null;
  name = '';
  readonly envs = new Map<string, SessionEnv>();
  lastActivity = Date.now();
  closed = false;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private nextEnv = 0;

  constructor(
    readonly host: Host,
    opts: SessionOptions,
  ) {
    this.id = host.newSessionId();
    this.transport = opts.transport;
    if (opts.auth) {
      this.role = opts.auth.role;
      this.name = opts.auth.name;
    }
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  isInFlight(id: string): boolean {
    return this.inFlight.has(id);
  }

  newHandle(): string {
    return `${this.id}.e${this.nextEnv++}`;
  }

  /** Answer a request that could not be decoded. */
  rejectFrame(id: string | null, error: FactRecallError): Reply {
    return this.errorReply(id ?? '', 'frame', toErrorBody(error));
  }

  /** Answer one request envelope. Never throws. */
  async handle(envelope: Envelope): Promise<Reply> {
    this.lastActivity = Date.now();
    const { id, type } = envelope;
    if (this.closed)
      return this.errorReply(id, type, toErrorBody(protoError('FR_ERR_PROTO_SHUTTING_DOWN')));
    if (this.inFlight.has(id)) {
      return this.errorReply(id, type, toErrorBody(protoError('FR_ERR_PROTO_DUPLICATE_ID', id)));
    }
    if (this.inFlight.size >= this.host.limits.maxInFlightPerConnection) {
      const e = protoError(
        'FR_ERR_PROTO_OVERLOADED',
        `${this.inFlight.size} requests in flight on this connection`,
        {
          retryAfterMs: this.host.limits.retryAfterMs,
        },
      );
      return this.errorReply(id, type, toErrorBody(e));
    }
    const refused = this.host.admit();
    if (refused) return this.errorReply(id, type, toErrorBody(refused));
    const work = this.dispatch(envelope);
    this.inFlight.set(id, work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(id);
      this.host.release();
      this.lastActivity = Date.now();
    }
  }

  private async dispatch({ id, type, body }: Envelope): Promise<Reply> {
    if (!isVerb(type)) {
      return this.errorReply(
        id,
        type,
        toErrorBody(protoError('FR_ERR_PROTO_UNKNOWN_VERB', JSON.stringify(type).slice(0, 64))),
      );
    }
    if (type !== 'hello' && this.role === null) {
      return this.errorReply(id, type, toErrorBody(protoError('FR_ERR_PROTO_HELLO_REQUIRED')));
    }
    const parsed = REQUEST_BODIES[type].safeParse(body ?? {});
    if (!parsed.success) {
      const e = protoError(
        'FR_ERR_PROTO_BAD_REQUEST',
        `${type}: ${formatIssues(parsed.error.issues)}`,
      );
      return this.errorReply(id, type, toErrorBody(e));
    }
    try {
      const result = await (VERB_HANDLERS[type] as (s: Session, b: unknown) => Promise<unknown>)(
        this,
        parsed.data,
      );
      this.host.count(type);
      return { response: { id, type, body: result } };
    } catch (e) {
      const reply = this.errorReply(id, type, toErrorBody(e));
      if (
        type === 'hello' &&
        reply.response.body &&
        (reply.response.body as ErrorBody).code === 'FR_ERR_PROTO_UNAUTHENTICATED'
      ) {
        reply.closeAfter = true;
      }
      return reply;
    }
  }

  private errorReply(id: string, verb: Verb | string, body: ErrorBody): Reply {
    this.host.count(isVerb(verb) ? verb : 'invalid', body);
    return { response: { id, type: 'error', body } };
  }

  /** The env behind a handle, or FR_ERR_PROTO_UNKNOWN_HANDLE. */
  env(handle: string): SessionEnv {
    const e = this.envs.get(handle);
    if (!e) throw protoError('FR_ERR_PROTO_UNKNOWN_HANDLE', handle);
    return e;
  }

  /**
   * End the session: no new requests; wait for the ones in flight (up to `drainMs`), then
   * close every env it opened (their open episodes end closed; eval runs are recorded as
   * abandoned).
   */
  async close(drainMs = 30_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.inFlight.size > 0) {
      await Promise.race([
        Promise.allSettled([...this.inFlight.values()]),
        new Promise((r) => setTimeout(r, drainMs).unref()),
      ]);
    }
    for (const hosted of [...this.envs.values()]) {
      await closeSessionEnv(this, hosted, 'abandoned').catch((e: unknown) => {
        // No client is left to retry this close: retire the env anyway (it is closed and its
        // episodes are counted) and make the lost eval record visible in stats and metrics.
        const body = toErrorBody(e);
        this.host.count('close', body);
        this.envs.delete(hosted.handle);
        // Nobody saw this run's scores: its quota slot goes back.
        releaseQuota(this, hosted, false);
        this.host.retire(hosted);
        process.stderr.write(
          `factrecall: ${body.code}: closing ${hosted.handle} (${hosted.submitter}) after its connection ended: ${body.message}\n`,
        );
      });
    }
  }
}
