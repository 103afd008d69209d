/**
 * The gRPC binding (@grpc/grpc-js): the bidirectional `Session` stream carries the same
 * envelopes as the WebSocket binding, and unary calls serve simple clients. Unary calls carry
 * their token in `x-factrecall-token` metadata; their envs live in one session per token (per
 * channel and role on a server without tokens), closed when idle. Unary errors use the code's gRPC status, with the ErrorBody as UTF-8 JSON
 * in the `x-factrecall-error-bin` trailer.
 */
import type { Http2Session } from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { protoError, toErrorBody } from './errors.ts';
import type { Host } from './host.ts';
import { estimateSentBytes, Intake } from './intake.ts';
import { Liveness } from './liveness.ts';
import {
  isUndecodable,
  requestEnvelopeFromProto,
  requestFromProto,
  responseEnvelopeToProto,
  responseToProto,
  serverServiceDefinition,
  UNARY_METHODS,
} from './proto-codec.ts';
import { type ErrorBody, ROLES, type Role, VERBS } from './schema.ts';
import { Session } from './session.ts';
import { findToken } from './tokens.ts';

export const TOKEN_METADATA = 'x-factrecall-token';
export const ROLE_METADATA = 'x-factrecall-role';
export const ERROR_METADATA = 'x-factrecall-error-bin';

export interface GrpcBindingOptions {
  /** HTTP/2 ping period; a connection with no sign of life for a period is dropped (half-open). */
  heartbeatMs?: number;
}

/**
 * The HTTP/2 connection under a grpc-js server call. grpc-js keeps it in private fields
 * (1.14: call.call[.nextCall]*.stream.session); the gRPC keepalive tests fail if they move.
 */
function http2SessionOf(call: unknown): Http2Session | undefined {
  let c = (call as { call?: unknown }).call as Record<string, unknown> | undefined;
  for (let depth = 0; c && depth < 8; depth++) {
    const session = (c.stream as { session?: Http2Session } | undefined)?.session;
    if (session) return session;
    c = c.nextCall as Record<string, unknown> | undefined;
  }
  return undefined;
}

type Stream = grpc.ServerDuplexStream<Record<string, unknown>, Record<string, unknown>>;

/**
 * One HTTP/2 connection's liveness, read from its socket's byte counts at each sweep. Any
 * bytes from the peer (requests, pongs, the WINDOW_UPDATEs a reader sends as it consumes our
 * data) are a sign of life. Our PING can overtake DATA still queued in HTTP/2 (flow control),
 * but not bytes already written to the socket: so "written" is the socket's count, and a pong
 * confirms what the socket held when its ping went.
 */
interface Link {
  live: Liveness;
  read: number;
  written: number;
}

export class GrpcBinding {
  readonly server: grpc.Server;
  private readonly streams = new Map<Stream, { session: Session; intake: Intake }>();
  private readonly unary = new Map<string, Session>();
  /** The HTTP/2 connections under the calls (one carries many calls), with their liveness. */
  private readonly links = new Map<Http2Session, Link>();
  private readonly periodMs: number;
  private readonly timer: NodeJS.Timeout;
  /** Unary calls of one owner share a session, so each needs its own request id. */
  private nextUnaryId = 0;

  constructor(
    private readonly host: Host,
    opts: GrpcBindingOptions = {},
  ) {
    const heartbeatMs = opts.heartbeatMs ?? 15_000;
    this.server = new grpc.Server({
      'grpc.max_receive_message_length': host.limits.maxFrameBytes,
      'grpc.max_send_message_length': -1,
      // No grpc-js keepalive: its ping must be answered within a fixed timeout, and behind
      // megabytes a slow but live reader has not read yet it cannot be. The sweep pings each
      // connection itself and counts any bytes from the peer as life (Link, liveness.ts).
    });
    const handlers: grpc.UntypedServiceImplementation = {
      Session: (call: Stream) => this.session(call),
    };
    for (const verb of VERBS) {
      handlers[UNARY_METHODS[verb]] = (
        call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>,
        callback: grpc.sendUnaryData<unknown>,
      ) => void this.unaryCall(verb, call, callback);
    }
    this.server.addService(serverServiceDefinition(), handlers);
    this.periodMs = Math.min(heartbeatMs, host.limits.idleTimeoutMs);
    this.timer = setInterval(() => this.sweep(), this.periodMs);
    this.timer.unref();
  }

  /** Bind `address` (host:port; port 0 picks one) and resolve the port bound. */
  listen(address: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(err) : resolve(port),
      );
    });
  }

  /** Track the HTTP/2 connection under `call` (from its first call on). */
  private track(call: unknown): void {
    const h2 = http2SessionOf(call);
    if (!h2 || h2.destroyed || this.links.has(h2)) return;
    this.links.set(h2, { live: new Liveness(), read: 0, written: 0 });
    h2.once('close', () => this.links.delete(h2));
  }

  private session(call: Stream): void {
    const { host } = this;
    this.track(call);
    const writeError = (e: ReturnType<typeof protoError>) => {
      const body = toErrorBody(e);
      host.count('connect', body);
      call.write(responseEnvelopeToProto('', 'error', body));
      call.end();
    };
    if (host.draining) {
      writeError(protoError('FR_ERR_PROTO_SHUTTING_DOWN'));
      return;
    }
    if (host.connections >= host.limits.maxConnections) {
      writeError(
        protoError('FR_ERR_PROTO_TOO_MANY_CONNECTIONS', `${host.connections} open`, {
          retryAfterMs: host.limits.retryAfterMs,
        }),
      );
      return;
    }
    host.connections += 1;
    const session = new Session(host, { transport: 'grpc' });
    let ended = false;
    const finish = () => {
      intake.drop();
      if (!this.streams.delete(call)) return;
      host.connections -= 1;
      void session.close().then(() => {
        if (!ended && !call.cancelled) {
          ended = true;
          call.end();
        }
      });
    };
    const intake = new Intake(host, session, {
      // grpc-js serialises later: the bytes are an estimate (estimateSentBytes).
      send: (response, then) => {
        if (ended || call.cancelled) {
          queueMicrotask(then);
          return 0;
        }
        const r = response;
        call.write(responseEnvelopeToProto(r.id, r.type, r.body), () => then());
        return estimateSentBytes(r);
      },
      pauseReading: () => call.pause(),
      resumeReading: () => call.resume(),
      closeAfter: finish,
    });
    this.streams.set(call, { session, intake });
    call.on('data', (msg: Record<string, unknown>) => {
      if (isUndecodable(msg)) {
        intake.answer(session.rejectFrame(null, msg.error));
        return;
      }
      const decoded = requestEnvelopeFromProto(msg);
      if (!decoded.ok) {
        intake.answer(session.rejectFrame(decoded.id, decoded.error));
        return;
      }
      intake.accept(decoded.envelope);
    });
    call.on('end', finish);
    call.on('cancelled', finish);
    call.on('error', finish);
  }

  /** The host started draining: answer what waits (FR_ERR_PROTO_SHUTTING_DOWN) and read the rest. */
  startDrain(): void {
    for (const { intake } of this.streams.values()) intake.pump();
  }

  /**
   * The session a unary call belongs to, or the error to answer with. With tokens: one per
   * token, from any channel. Without tokens (loopback only): one per channel (the caller's
   * HTTP/2 connection, by peer address) and role, so callers sending the same role metadata
   * share neither a role nor envs.
   */
  private unarySession(md: grpc.Metadata, peer: string): Session | ErrorBody {
    const token = md.get(TOKEN_METADATA)[0]?.toString();
    const askedRole = md.get(ROLE_METADATA)[0]?.toString();
    let auth: { role: Role; name: string };
    if (this.host.tokens === null) {
      if (askedRole !== undefined && !(ROLES as readonly string[]).includes(askedRole)) {
        return toErrorBody(protoError('FR_ERR_PROTO_BAD_REQUEST', `unknown role ${askedRole}`));
      }
      const role = (askedRole ?? 'policy') as Role;
      auth = { role, name: role };
    } else {
      const entry = token === undefined ? undefined : findToken(this.host.tokens, token);
      if (!entry) return toErrorBody(protoError('FR_ERR_PROTO_UNAUTHENTICATED'));
      auth = { role: entry.role, name: entry.name };
    }
    const key =
      this.host.tokens === null ? `peer\u0000${peer}\u0000${auth.role}` : `token\u0000${token}`;
    let s = this.unary.get(key);
    if (!s || s.closed) {
      s = new Session(this.host, { transport: 'grpc-unary', auth });
      this.unary.set(key, s);
    }
    return s;
  }

  private async unaryCall(
    verb: (typeof VERBS)[number],
    call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>,
    callback: grpc.sendUnaryData<unknown>,
  ): Promise<void> {
    const fail = (body: ErrorBody) => {
      const md = new grpc.Metadata();
      md.set(ERROR_METADATA, Buffer.from(JSON.stringify(body)));
      md.set('x-factrecall-error-code', body.code);
      callback({ code: body.grpcStatus, details: `${body.code}: ${body.message}`, metadata: md });
    };
    this.track(call);
    const s = this.unarySession(call.metadata, call.getPeer());
    if (!(s instanceof Session)) {
      this.host.count(verb, s);
      return fail(s);
    }
    if (isUndecodable(call.request)) {
      const b = toErrorBody(call.request.error);
      this.host.count(verb, b);
      return fail(b);
    }
    let body: unknown;
    try {
      body = requestFromProto(verb, call.request);
    } catch (e) {
      const b = toErrorBody(e);
      this.host.count(verb, b);
      return fail(b);
    }
    const reply = await s.handle({ id: `unary-${this.nextUnaryId++}`, type: verb, body });
    const r = reply.response;
    if (r.type === 'error') return fail(r.body);
    callback(null, responseToProto(verb, r.body));
  }

  private sweep(): void {
    // Half-open connections: nothing from the peer for a period, with more grace while bytes
    // it has not confirmed reading wait in the socket ahead of our ping.
    for (const [h2, link] of this.links) {
      const socket = h2.socket as unknown as
        | { bytesRead: number; bytesWritten: number }
        | undefined;
      // A session that is ending may have let go of its socket before its 'close' event
      // removes it here; nothing is left to watch (and a ping would throw).
      if (!socket || h2.destroyed || h2.closed) {
        this.links.delete(h2);
        continue;
      }
      if (socket.bytesRead > link.read) link.live.heard();
      link.live.wrote(socket.bytesWritten - link.written);
      link.read = socket.bytesRead;
      link.written = socket.bytesWritten;
      if (link.live.gone(this.periodMs)) {
        this.links.delete(h2);
        h2.destroy();
        continue;
      }
      // false: too many pings outstanding (the peer is not answering them yet).
      const { live } = link;
      if (h2.ping((err) => err || live.pong())) live.pinged();
    }
    const now = Date.now();
    const idle = this.host.limits.idleTimeoutMs;
    for (const [key, s] of this.unary) {
      if (s.inFlightCount === 0 && now - s.lastActivity > idle) {
        this.unary.delete(key);
        void s.close();
      }
    }
    for (const [call, { session: s, intake }] of this.streams) {
      if (s.inFlightCount === 0 && intake.waiting === 0 && now - s.lastActivity > idle) {
        call.write(
          responseEnvelopeToProto(
            '',
            'error',
            toErrorBody(protoError('FR_ERR_PROTO_IDLE_TIMEOUT')),
          ),
        );
        this.streams.delete(call);
        this.host.connections -= 1;
        void s.close().then(() => call.end());
      }
    }
  }

  /** End every stream and unary session (after the host drained), then stop the server. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const closing: Promise<void>[] = [];
    for (const [call, { session: s }] of this.streams) {
      this.streams.delete(call);
      this.host.connections -= 1;
      closing.push(
        s.close().then(() => {
          call.end();
        }),
      );
    }
    for (const s of this.unary.values()) closing.push(s.close());
    this.unary.clear();
    await Promise.all(closing);
    // A graceful shutdown waits for every HTTP/2 connection to close after its GOAWAY; one
    // whose peer is gone without a FIN (or never answers) would hold it forever: 2 s, then force.
    const graceful = new Promise<boolean>((resolve) =>
      this.server.tryShutdown(() => resolve(true)),
    );
    const late = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000).unref());
    if (!(await Promise.race([graceful, late]))) this.server.forceShutdown();
  }
}
