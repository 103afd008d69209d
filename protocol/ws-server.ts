/**
 * The WebSocket binding: one msgpack envelope per binary frame, many requests in flight per
 * connection, responses matched by id (so they may come back in any order). Connection-level
 * errors (too many connections, idle timeout, frames too large to read an id from) are sent
 * with id "" before the server closes or carries on.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { decodeFrame, encodeFrame } from './codec.ts';
import { protoError, toErrorBody } from './errors.ts';
import type { Host } from './host.ts';
import { Intake } from './intake.ts';
import { Liveness } from './liveness.ts';
import { Session } from './session.ts';

export const WS_PATH = '/v1/ws';
const FRAGMENT_BYTES = 64 * 1024;

export interface WsBindingOptions {
  /** Ping period; a connection that misses a pong for a whole period is dropped (half-open). */
  heartbeatMs?: number;
}

/** Close codes: 1008 policy (bad token), 1009 too big, 1013 try later, 1001 going away. */
const CLOSE = { policy: 1008, tooBig: 1009, tryLater: 1013, goingAway: 1001 } as const;

interface Conn {
  session: Session;
  intake: Intake;
  live: Liveness;
}

/** Resolves once nothing is owed to the connection, or after `ms`. */
async function flushed(intake: Intake, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (intake.bytesOwed > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
}

export class WsBinding {
  readonly wss: WebSocketServer;
  private readonly sessions = new Map<WebSocket, Conn>();
  private readonly timer: NodeJS.Timeout;
  private readonly periodMs: number;

  constructor(
    private readonly host: Host,
    opts: WsBindingOptions = {},
  ) {
    // Frames up to twice the limit are read and answered FR_ERR_PROTO_FRAME_TOO_LARGE; beyond
    // that ws closes the connection with 1009 before buffering them. noServer: the HTTP
    // server routes upgrades by path (server.ts), as the OpenEnv endpoint shares the port.
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: host.limits.maxFrameBytes * 2,
      perMessageDeflate: false,
    });
    this.wss.on('connection', (ws) => this.accept(ws));
    const heartbeatMs = opts.heartbeatMs ?? 15_000;
    this.periodMs = Math.min(heartbeatMs, host.limits.idleTimeoutMs);
    this.timer = setInterval(() => this.sweep(), this.periodMs);
    this.timer.unref();
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  get connectionCount(): number {
    return this.sessions.size;
  }

  private accept(ws: WebSocket): void {
    const { host } = this;
    if (host.draining || host.connections >= host.limits.maxConnections) {
      const e = host.draining
        ? protoError('FR_ERR_PROTO_SHUTTING_DOWN')
        : protoError('FR_ERR_PROTO_TOO_MANY_CONNECTIONS', `${host.connections} open`, {
            retryAfterMs: host.limits.retryAfterMs,
          });
      const body = toErrorBody(e);
      host.count('connect', body);
      ws.send(encodeFrame({ id: '', type: 'error', body }), () => ws.close(CLOSE.tryLater, e.code));
      return;
    }
    host.connections += 1;
    const session = new Session(host, { transport: 'ws' });
    const live = new Liveness();
    const intake = new Intake(host, session, {
      send: (response, then) => {
        if (ws.readyState !== ws.OPEN) {
          queueMicrotask(then);
          return 0;
        }
        const frame = encodeFrame(response);
        // Large responses go as fragments of one message: each flushed fragment shows the
        // peer is reading, however long the whole takes.
        for (let at = 0; at < frame.byteLength; at += FRAGMENT_BYTES) {
          const last = at + FRAGMENT_BYTES >= frame.byteLength;
          ws.send(frame.subarray(at, at + FRAGMENT_BYTES), { binary: true, fin: last }, () => {
            live.flushed();
            if (last) then();
          });
        }
        live.wrote(frame.byteLength);
        return frame.byteLength;
      },
      pauseReading: () => ws.pause(),
      resumeReading: () => ws.resume(),
      closeAfter: () => ws.close(CLOSE.policy, 'FR_ERR_PROTO_UNAUTHENTICATED'),
    });
    const conn: Conn = { session, intake, live };
    this.sessions.set(ws, conn);
    ws.on('pong', () => live.pong());
    ws.on('message', (data: RawData, isBinary: boolean) => {
      live.heard();
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (!isBinary) {
        const e = protoError(
          'FR_ERR_PROTO_BAD_FRAME',
          'text frames are not accepted; send binary msgpack',
        );
        intake.answer(session.rejectFrame(null, e));
        return;
      }
      const decoded = decodeFrame(bytes, host.limits.maxFrameBytes);
      if (!decoded.ok) {
        intake.answer(session.rejectFrame(decoded.id, decoded.error));
        return;
      }
      intake.accept(decoded.envelope);
    });
    ws.on('error', () => {
      // A protocol violation (e.g. frame beyond maxPayload); ws closes the socket itself.
    });
    ws.on('close', () => {
      intake.drop();
      if (!this.sessions.delete(ws)) return;
      host.connections -= 1;
      void session.close();
    });
  }

  /** The host started draining: answer what waits (FR_ERR_PROTO_SHUTTING_DOWN) and read the rest. */
  startDrain(): void {
    for (const { intake } of this.sessions.values()) intake.pump();
  }

  /** Drop half-open connections (no pong for a whole period) and idle ones. */
  private sweep(): void {
    const now = Date.now();
    for (const [ws, { session, intake, live }] of this.sessions) {
      if (live.gone(this.periodMs)) {
        ws.terminate();
        continue;
      }
      if (
        session.inFlightCount === 0 &&
        intake.waiting === 0 &&
        now - session.lastActivity > this.host.limits.idleTimeoutMs
      ) {
        const body = toErrorBody(protoError('FR_ERR_PROTO_IDLE_TIMEOUT'));
        ws.send(encodeFrame({ id: '', type: 'error', body }), () =>
          ws.close(CLOSE.goingAway, body.code),
        );
        continue;
      }
      ws.ping();
      live.pinged();
    }
  }

  /** Close every connection (after the host drained) and wait for their sessions to end. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const closing: Promise<void>[] = [];
    for (const [ws, { session, intake }] of this.sessions) {
      this.sessions.delete(ws);
      this.host.connections -= 1;
      closing.push(session.close());
      // The answers already written go out before the close frame (same socket, in order);
      // wait a little for them to leave our buffers so a slow reader still gets them.
      closing.push(
        flushed(intake, 2000).then(() => ws.close(CLOSE.goingAway, 'FR_ERR_PROTO_SHUTTING_DOWN')),
      );
    }
    await Promise.all(closing);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
