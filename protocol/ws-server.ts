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
import { Session } from './session.ts';

export const WS_PATH = '/v1/ws';

export interface WsBindingOptions {
  /** Ping period; a connection that misses a pong for a whole period is dropped (half-open). */
  heartbeatMs?: number;
}

/** Close codes: 1008 policy (bad token), 1009 too big, 1013 try later, 1001 going away. */
const CLOSE = { policy: 1008, tooBig: 1009, tryLater: 1013, goingAway: 1001 } as const;

export class WsBinding {
  readonly wss: WebSocketServer;
  private readonly sessions = new Map<WebSocket, Session>();
  private readonly timer: NodeJS.Timeout;

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
    this.timer = setInterval(() => this.sweep(), Math.min(heartbeatMs, host.limits.idleTimeoutMs));
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
    this.sessions.set(ws, session);
    let alive = true;
    let queued = 0;
    const send = (value: unknown, then?: () => void) => {
      if (ws.readyState !== ws.OPEN) return;
      const frame = encodeFrame(value);
      queued += frame.byteLength;
      // A slow reader: stop reading its requests until what we owe it drains.
      if (queued > host.limits.maxBufferedBytes && !ws.isPaused) ws.pause();
      ws.send(frame, (err) => {
        queued -= frame.byteLength;
        if (ws.isPaused && queued <= host.limits.maxBufferedBytes / 2 && !err) ws.resume();
        then?.();
      });
    };
    (ws as WebSocket & { factrecallAlive?: () => boolean }).factrecallAlive = () => {
      const was = alive;
      alive = false;
      return was;
    };
    ws.on('pong', () => {
      alive = true;
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      alive = true;
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (!isBinary) {
        const e = protoError(
          'FR_ERR_PROTO_BAD_FRAME',
          'text frames are not accepted; send binary msgpack',
        );
        send(session.rejectFrame(null, e).response);
        return;
      }
      const decoded = decodeFrame(bytes, host.limits.maxFrameBytes);
      if (!decoded.ok) {
        send(session.rejectFrame(decoded.id, decoded.error).response);
        return;
      }
      void session.handle(decoded.envelope).then((reply) => {
        send(
          reply.response,
          reply.closeAfter
            ? () => ws.close(CLOSE.policy, 'FR_ERR_PROTO_UNAUTHENTICATED')
            : undefined,
        );
      });
    });
    ws.on('error', () => {
      // A protocol violation (e.g. frame beyond maxPayload); ws closes the socket itself.
    });
    ws.on('close', () => {
      if (!this.sessions.delete(ws)) return;
      host.connections -= 1;
      void session.close();
    });
  }

  /** Drop half-open connections (no pong for a whole period) and idle ones. */
  private sweep(): void {
    const now = Date.now();
    for (const [ws, session] of this.sessions) {
      const probe = (ws as WebSocket & { factrecallAlive?: () => boolean }).factrecallAlive;
      if (probe && !probe()) {
        ws.terminate();
        continue;
      }
      if (
        session.inFlightCount === 0 &&
        now - session.lastActivity > this.host.limits.idleTimeoutMs
      ) {
        const body = toErrorBody(protoError('FR_ERR_PROTO_IDLE_TIMEOUT'));
        ws.send(encodeFrame({ id: '', type: 'error', body }), () =>
          ws.close(CLOSE.goingAway, body.code),
        );
        continue;
      }
      ws.ping();
    }
  }

  /** Close every connection (after the host drained) and wait for their sessions to end. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const closing: Promise<void>[] = [];
    for (const [ws, session] of this.sessions) {
      this.sessions.delete(ws);
      this.host.connections -= 1;
      closing.push(session.close());
      ws.close(CLOSE.goingAway, 'FR_ERR_PROTO_SHUTTING_DOWN');
    }
    await Promise.all(closing);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
