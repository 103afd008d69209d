/**
 * Bare peers for promise tests over both bindings: a Session-level peer that sends any
 * envelope (empty or long ids included) over WebSocket or the gRPC Session stream, and a gRPC
 * unary caller with its own channel and metadata.
 */
import * as grpc from '@grpc/grpc-js';
import { type InboundEnvelope, openWire } from '../../protocol/client/wire.ts';
import {
  loadPackage,
  requestToProto,
  responseFromProto,
  UNARY_METHODS,
} from '../../protocol/proto-codec.ts';
import type { Verb } from '../../protocol/schema.ts';

export type Binding = 'ws' | 'grpc';

export interface EnvelopePeer {
  send(id: string, type: string, body: unknown): void;
  /** Next reply, in arrival order. */
  next(): Promise<InboundEnvelope & { body: Record<string, unknown> }>;
  close(): void;
}

export async function envelopePeer(url: string): Promise<EnvelopePeer> {
  const wire = await openWire(url);
  const inbox: InboundEnvelope[] = [];
  const waiters: Array<() => void> = [];
  wire.onMessage = (m) => {
    inbox.push(m);
    for (const w of waiters.splice(0)) w();
  };
  wire.onClose = () => {};
  return {
    send: (id, type, body) => wire.send({ id, type, body }),
    async next() {
      while (inbox.length === 0) await new Promise<void>((r) => waiters.push(r));
      return inbox.shift() as InboundEnvelope & { body: Record<string, unknown> };
    },
    close: () => wire.close(),
  };
}

export interface UnaryResult {
  /** The error body from the `x-factrecall-error-bin` trailer, when the call failed. */
  error?: { code: string; message: string };
  body?: Record<string, unknown>;
}

/** A gRPC unary caller on its own channel (its own HTTP/2 connection), with fixed metadata. */
export function unaryCaller(address: string, metadata: Record<string, string>) {
  const v1 = (loadPackage().factrecall as grpc.GrpcObject).v1 as grpc.GrpcObject;
  const Ctor = v1.FactRecall as grpc.ServiceClientConstructor;
  // A local subchannel pool keeps grpc-js from sharing one connection between callers.
  const client = new Ctor(address, grpc.credentials.createInsecure(), {
    'grpc.use_local_subchannel_pool': 1,
  }) as unknown as grpc.Client & Record<string, (...a: unknown[]) => void>;
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(metadata)) md.set(k, v);
  return {
    call(verb: Verb, body: unknown): Promise<UnaryResult> {
      return new Promise((resolve) =>
        client[UNARY_METHODS[verb]]!(
          requestToProto(verb, body),
          md,
          (err: grpc.ServiceError | null, res: Record<string, unknown>) => {
            if (!err) {
              resolve({ body: responseFromProto(verb, res) as Record<string, unknown> });
              return;
            }
            const bin = err.metadata?.get('x-factrecall-error-bin')[0];
            resolve({
              error: bin
                ? JSON.parse(bin.toString())
                : { code: `grpc ${err.code}`, message: err.details },
            });
          },
        ),
      );
    },
    close: () => grpc.Client.prototype.close.call(client),
  };
}
