/**
 * One connection's intake: the requests it has sent and the server has read, and what the
 * server owes it. Both bindings put every decoded request through one, so that:
 *
 * - memory per connection is bounded in bytes: a request starts only while the bytes owed to
 *   the client (responses written but not yet flushed to the socket, plus an estimate of each
 *   response still being computed) leave room for it under `maxBufferedBytes` (one request
 *   always may when nothing is owed); while requests wait, the binding stops reading the
 *   socket, so a client that never reads pins at most about maxBufferedBytes plus one response;
 * - requests waiting here count against `maxInFlightPerConnection` and `maxInFlightTotal`
 *   (FR_ERR_PROTO_OVERLOADED past either), not only those being handled;
 * - on shutdown every request read gets an answer: its response, or FR_ERR_PROTO_SHUTTING_DOWN
 *   (the session refuses new work once the host drains, and waiting requests skip the byte
 *   gate since those refusals are small).
 */
import type { FactRecallError } from '../lib/errors.ts';
import { protoError, toErrorBody } from './errors.ts';
import type { Host } from './host.ts';
import { type Envelope, isVerb, type ResponseEnvelope } from './schema.ts';
import type { Reply, Session } from './session.ts';

export interface IntakeTransport {
  /** Write one response; `then` runs once it is flushed (or failed). Returns bytes written. */
  send(response: ResponseEnvelope, then: () => void): number;
  pauseReading(): void;
  resumeReading(): void;
  /** After sending a reply that asks for it (bad token). */
  closeAfter(): void;
}

/** Bytes a response is expected to take, from its request (wire sizes of FactWorld + margin). */
export function estimateResponseBytes(e: Envelope): number {
  const b = (e.body ?? {}) as Record<string, unknown>;
  if (e.type === 'reset') {
    const n = Number(b.batchSize) * Number(b.groupSize);
    return Number.isFinite(n) && n > 0 ? 1024 + n * 640 : 1024;
  }
  if (e.type === 'step' && Array.isArray(b.actions)) return 1024 + b.actions.length * 512;
  return 4096;
}

/**
 * Bytes a response written to a gRPC stream takes, estimated (grpc-js serialises it later):
 * protobuf is smaller than the msgpack sizes these come from, so the bound holds.
 */
export function estimateSentBytes(r: ResponseEnvelope): number {
  const b = r.body as unknown as Record<string, unknown>;
  if (r.type === 'reset' && Array.isArray(b.observations)) return 256 + b.observations.length * 480;
  if (r.type === 'step' && Array.isArray(b.results)) return 256 + b.results.length * 400;
  return 1024;
}

export class Intake {
  private readonly queue: Envelope[] = [];
  private running = 0;
  /** Bytes owed: written and unflushed, plus estimates of responses being computed. */
  private owed = 0;
  private paused = false;

  constructor(
    private readonly host: Host,
    private readonly session: Session,
    private readonly transport: IntakeTransport,
  ) {}

  get waiting(): number {
    return this.queue.length;
  }

  get bytesOwed(): number {
    return this.owed;
  }

  /** A decoded request: answered now when over a limit, else queued and started when it fits. */
  accept(envelope: Envelope): void {
    const { limits } = this.host;
    if (this.session.isInFlight(envelope.id) || this.queue.some((e) => e.id === envelope.id)) {
      this.refuse(envelope, protoError('FR_ERR_PROTO_DUPLICATE_ID', envelope.id));
      return;
    }
    const mine = this.running + this.queue.length;
    if (mine >= limits.maxInFlightPerConnection) {
      this.refuse(envelope, this.overloaded(`${mine} requests in flight on this connection`));
      return;
    }
    const total = this.host.inFlight + this.host.waiting;
    if (total >= limits.maxInFlightTotal) {
      this.refuse(envelope, this.overloaded(`server holds ${total} requests in flight or waiting`));
      return;
    }
    this.queue.push(envelope);
    this.host.waiting += 1;
    this.pump();
  }

  /** Send a reply that needs no work (a frame that could not be decoded). */
  answer(reply: Reply): void {
    this.write(reply);
  }

  /** Start waiting requests while they fit; stop reading the socket while any must wait. */
  pump(): void {
    const max = this.host.limits.maxBufferedBytes;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      const estimate = estimateResponseBytes(next);
      const fits = this.owed === 0 || this.owed + estimate <= max;
      if (!fits && !this.host.draining && !this.session.closed) break;
      this.queue.shift();
      this.host.unqueue();
      this.start(next, estimate);
    }
    if (this.queue.length > 0 || this.owed > max) this.pause();
    else if (this.owed <= max / 2 || this.host.draining) this.resume();
  }

  /** The connection ended: requests still waiting are dropped from the host's count. */
  drop(): void {
    for (let i = 0; i < this.queue.length; i++) this.host.unqueue();
    this.queue.length = 0;
  }

  private start(envelope: Envelope, estimate: number): void {
    this.running += 1;
    this.owed += estimate;
    void this.session.handle(envelope).then((reply) => {
      this.running -= 1;
      this.owed -= estimate;
      this.write(reply);
    });
  }

  private write(reply: Reply): void {
    let bytes = 0;
    bytes = this.transport.send(reply.response, () => {
      this.owed -= bytes;
      this.pump();
      if (reply.closeAfter) this.transport.closeAfter();
    });
    this.owed += bytes;
    this.pump();
  }

  private overloaded(why: string): FactRecallError {
    return this.host.draining
      ? protoError('FR_ERR_PROTO_SHUTTING_DOWN')
      : protoError('FR_ERR_PROTO_OVERLOADED', why, { retryAfterMs: this.host.limits.retryAfterMs });
  }

  private refuse(envelope: Envelope, e: FactRecallError): void {
    const body = toErrorBody(e);
    this.host.count(isVerb(envelope.type) ? envelope.type : 'invalid', body);
    this.write({ response: { id: envelope.id, type: 'error', body } });
  }

  private pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.transport.pauseReading();
  }

  private resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.transport.resumeReading();
  }
}
