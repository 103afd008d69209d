/**
 * The OpenEnv-compatible binding: JSON over WebSocket at `/ws`, one connection = one session
 * and one env, one episode per `reset` (docs/protocol.md, "OpenEnv endpoint"). Every message
 * becomes the protocol's own verbs on a {@link Session} (hello and make on the first reset,
 * then reset and step with batch 1), so roles, tokens, limits, in-flight accounting, episode
 * counts and error counts are exactly those of the WebSocket+msgpack and gRPC bindings.
 * OpenEnv messages carry no ids, so a connection's messages are answered one at a time, in order.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type { FactRecallError } from '../../lib/errors.ts';
import { protoError, toErrorBody } from '../errors.ts';
import type { Host } from '../host.ts';
import {
  type ErrorBody,
  PROTOCOL_VERSION,
  type ResponseBody,
  type Role,
  type Verb,
} from '../schema.ts';
import { Session } from '../session.ts';
import {
  ActionData,
  type ObservationData,
  type OpenEnvErrorCode,
  OpenEnvMessage,
  ResetData,
  type StateData,
} from './messages.ts';

export const OPENENV_PATH = '/ws';

const CLOSE = { normal: 1000, policy: 1008, tryLater: 1013, goingAway: 1001 } as const;

/** Which OpenEnv error category a FactRecall code falls in (the FR code travels too). */
function categoryOf(code: string): OpenEnvErrorCode {
  if (code === 'FR_ERR_PROTO_BAD_REQUEST' || code === 'FR_ERR_PROTO_FRAME_TOO_LARGE')
    return 'VALIDATION_ERROR';
  if (code === 'FR_ERR_PROTO_BAD_FRAME') return 'INVALID_JSON';
  if (code === 'FR_ERR_PROTO_UNKNOWN_VERB') return 'UNKNOWN_TYPE';
  if (code === 'FR_ERR_PROTO_TOO_MANY_CONNECTIONS') return 'CAPACITY_REACHED';
  if (/^FR_ERR_PROTO_(UNAUTHENTICATED|IDLE_TIMEOUT|SHUTTING_DOWN)$/.test(code))
    return 'SESSION_ERROR';
  return 'EXECUTION_ERROR';
}

/** An OpenEnv error message carrying the protocol's error body. */
export function openEnvError(body: ErrorBody) {
  return {
    type: 'error',
    data: { message: `${body.code}: ${body.message}`, code: categoryOf(body.code), error: body },
  };
}

class Failure extends Error {
  constructor(
    readonly body: ErrorBody,
    readonly closeAfter = false,
  ) {
    super(body.message);
  }
}

interface Episode {
  episodeId: string;
  observation: ObservationData;
  stepped: boolean;
}

/** One OpenEnv connection: its session, its env, its current episode. */
class Connection {
  private nextId = 0;
  private handle: string | null = null;
  private makeKey = '';
  private spec: ResponseBody<'make'>['spec'] | null = null;
  private episode: Episode | null = null;
  private steps = 0;
  private issued = 0;
  private answered = 0;

  constructor(readonly session: Session) {}

  /** Run a verb through the session; a coded error becomes a Failure. */
  private async call<V extends Verb>(type: V, body: unknown): Promise<ResponseBody<V>> {
    const reply = await this.session.handle({ id: `oe${this.nextId++}`, type, body });
    const { response } = reply;
    if (response.type === 'error') throw new Failure(response.body, reply.closeAfter === true);
    return response.body as ResponseBody<V>;
  }

  async answer(text: string): Promise<{ out: unknown; close?: number }> {
    this.session.lastActivity = Date.now();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      const err = protoError('FR_ERR_PROTO_BAD_FRAME', `invalid JSON: ${(e as Error).message}`);
      return { out: openEnvError(this.session.rejectFrame(null, err).response.body as ErrorBody) };
    }
    const msg = OpenEnvMessage.safeParse(parsed);
    if (!msg.success) {
      const err = protoError('FR_ERR_PROTO_BAD_REQUEST', 'expected {type: string, data?: object}');
      return { out: openEnvError(this.session.rejectFrame(null, err).response.body as ErrorBody) };
    }
    const data = msg.data.data ?? {};
    try {
      switch (msg.data.type) {
        case 'reset':
          return { out: { type: 'observation', data: await this.reset(data) } };
        case 'step':
          return { out: { type: 'observation', data: await this.step(data) } };
        case 'state':
          return { out: { type: 'state', data: this.state() } };
        case 'close':
          return { out: null, close: CLOSE.normal };
        default: {
          const body = toErrorBody(
            protoError('FR_ERR_PROTO_UNKNOWN_VERB', JSON.stringify(msg.data.type).slice(0, 64)),
          );
          this.session.host.count('invalid', body);
          return { out: openEnvError(body) };
        }
      }
    } catch (e) {
      if (e instanceof Failure) {
        return { out: openEnvError(e.body), ...(e.closeAfter ? { close: CLOSE.policy } : {}) };
      }
      const body = toErrorBody(e);
      this.session.host.count('invalid', body);
      return { out: openEnvError(body) };
    }
  }

  private bad(what: string, issues: { path: PropertyKey[]; message: string }[]): never {
    const detail = issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; ');
    const body = toErrorBody(protoError('FR_ERR_PROTO_BAD_REQUEST', `${what}: ${detail}`));
    this.session.host.count('invalid', body);
    throw new Failure(body);
  }

  private async reset(raw: unknown) {
    const parsed = ResetData.safeParse(raw);
    if (!parsed.success) this.bad('reset', parsed.error.issues);
    const d = parsed.data;
    if (this.session.role === null) {
      await this.call('hello', {
        version: PROTOCOL_VERSION,
        client: 'openenv',
        ...(d.token !== undefined ? { token: d.token } : {}),
        ...(d.role !== undefined ? { role: d.role } : {}),
      });
    }
    const envId = d.envId ?? 'FactRecall-v0';
    const options = {
      ...(d.seed !== undefined ? { seed: d.seed } : {}),
      ...(d.prompt !== undefined ? { prompt: d.prompt } : {}),
      ...(d.judge !== undefined ? { judge: d.judge } : {}),
    };
    const key = JSON.stringify([envId, options]);
    if (this.handle !== null && key !== this.makeKey) {
      await this.call('close', { handle: this.handle });
      this.handle = null;
      this.episode = null;
    }
    if (this.handle === null) {
      const made = await this.call('make', { envId, options });
      this.handle = made.handle;
      this.spec = made.spec;
      this.makeKey = key;
    }
    // One episode per reset: an unanswered one before it ends closed (and is counted so).
    if (this.episode && !this.episode.stepped) {
      this.session.envs.get(this.handle)?.env.closeEpisodes([this.episode.episodeId]);
    }
    this.episode = null;
    const role = this.session.role as Role;
    const split = d.split ?? (role === 'eval' ? 'test' : 'train');
    const r = await this.call('reset', {
      handle: this.handle,
      split,
      batchSize: 1,
      groupSize: 1,
      ...(d.question_id !== undefined ? { questionIds: [d.question_id] } : {}),
    });
    const o = r.observations[0]!;
    const observation: ObservationData = {
      episode_id: o.episodeId,
      question_id: o.questionId,
      split: o.split,
      dataset: o.dataset,
      question: o.question,
      messages: o.messages,
      prompt: o.prompt,
      fingerprint: this.spec!.fingerprint,
    };
    this.episode = { episodeId: o.episodeId, observation, stepped: false };
    this.steps = 0;
    this.issued += 1;
    return { observation, reward: null, done: false };
  }

  private async step(raw: unknown) {
    const parsed = ActionData.safeParse(raw);
    if (!parsed.success) this.bad('step', parsed.error.issues);
    if (!this.episode || this.handle === null) {
      const body = toErrorBody(protoError('FR_ERR_PROTO_BAD_REQUEST', 'step before reset'));
      this.session.host.count('step', body);
      throw new Failure(body);
    }
    const r = await this.call('step', {
      handle: this.handle,
      actions: [{ episodeId: this.episode.episodeId, answer: parsed.data.answer }],
    });
    const x = r.results[0]!;
    this.episode.stepped = true;
    this.steps += 1;
    this.answered += 1;
    const observation: ObservationData = {
      ...this.episode.observation,
      verdict: x.verdict,
      status: x.status,
      extracted: x.info.extracted,
      judge_id: x.info.judgeId,
      cached: x.info.cached,
      truncated: x.truncated,
      ...(x.info.error ? { error: x.info.error } : {}),
    };
    // reward null: no verdict (judge failed, or withheld for eval). Never 0.
    return { observation, reward: x.reward, done: true };
  }

  private state(): StateData {
    return {
      episode_id: this.episode?.episodeId ?? null,
      step_count: this.steps,
      question_id: this.episode?.observation.question_id ?? null,
      split: this.episode?.observation.split ?? null,
      role: this.session.role,
      env_id: this.spec?.id ?? null,
      fingerprint: this.spec?.fingerprint ?? null,
      episodes: { issued: this.issued, answered: this.answered },
    };
  }
}

export interface OpenEnvBindingOptions {
  heartbeatMs?: number;
}

export class OpenEnvBinding {
  readonly wss: WebSocketServer;
  private readonly sessions = new Map<WebSocket, Session>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly host: Host,
    opts: OpenEnvBindingOptions = {},
  ) {
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

  private refuse(ws: WebSocket, e: FactRecallError): void {
    const body = toErrorBody(e);
    this.host.count('connect', body);
    ws.send(JSON.stringify(openEnvError(body)), () => ws.close(CLOSE.tryLater, e.code));
  }

  private accept(ws: WebSocket): void {
    const { host } = this;
    if (host.draining) {
      this.refuse(ws, protoError('FR_ERR_PROTO_SHUTTING_DOWN'));
      return;
    }
    if (host.connections >= host.limits.maxConnections) {
      const e = protoError('FR_ERR_PROTO_TOO_MANY_CONNECTIONS', `${host.connections} open`, {
        retryAfterMs: host.limits.retryAfterMs,
      });
      this.refuse(ws, e);
      return;
    }
    host.connections += 1;
    const session = new Session(host, { transport: 'openenv' });
    const conn = new Connection(session);
    this.sessions.set(ws, session);
    let alive = true;
    let chain = Promise.resolve();
    (ws as WebSocket & { factrecallAlive?: () => boolean }).factrecallAlive = () => {
      const was = alive;
      alive = false;
      return was;
    };
    ws.on('pong', () => {
      alive = true;
    });
    ws.on('message', (data: RawData) => {
      alive = true;
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (bytes.byteLength > host.limits.maxFrameBytes) {
        const e = protoError('FR_ERR_PROTO_FRAME_TOO_LARGE', `${bytes.byteLength} bytes`);
        ws.send(
          JSON.stringify(openEnvError(session.rejectFrame(null, e).response.body as ErrorBody)),
        );
        return;
      }
      const text = bytes.toString('utf8');
      chain = chain.then(async () => {
        const { out, close } = await conn.answer(text);
        if (ws.readyState !== ws.OPEN) return;
        const done = close === undefined ? undefined : () => ws.close(close);
        if (out === null) done?.();
        else ws.send(JSON.stringify(out), done);
      });
    });
    ws.on('error', () => {
      // A protocol violation (e.g. a frame beyond maxPayload); ws closes the socket itself.
    });
    ws.on('close', () => {
      if (!this.sessions.delete(ws)) return;
      host.connections -= 1;
      void chain.then(() => session.close());
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
        ws.send(JSON.stringify(openEnvError(body)), () => ws.close(CLOSE.goingAway, body.code));
        continue;
      }
      ws.ping();
    }
  }

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
