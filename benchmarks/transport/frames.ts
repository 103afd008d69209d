/**
 * The exact frames a reset + step exchange puts on each wire, built from a real in-process
 * exchange: msgpack envelopes for WebSocket, protobuf Envelopes for the gRPC stream and the
 * unary request/response messages. The echo ceiling sends and answers these bytes.
 */
import type * as grpc from '@grpc/grpc-js';
import { encodeFrame } from '../../protocol/codec.ts';
import {
  requestEnvelopeToProto,
  requestToProto,
  responseEnvelopeToProto,
  responseToProto,
  serviceDefinition,
} from '../../protocol/proto-codec.ts';
import type { Envelope } from '../../protocol/schema.ts';
import type { Stepper } from './drive.ts';

export interface Exchange {
  resetReq: Buffer;
  resetRes: Buffer;
  stepReq: Buffer;
  stepRes: Buffer;
}

export interface Frames {
  ws: Exchange;
  grpcStream: Exchange;
  grpcUnary: Exchange;
}

type Method = grpc.MethodDefinition<unknown, unknown>;

/** One real reset + step on `env` (batch x group), encoded for every binding. */
export async function captureFrames(env: Stepper, batch: number, group: number): Promise<Frames> {
  const handle = 'env-0';
  const resetBody = { handle, split: 'train', batchSize: batch, groupSize: group };
  const reset = await env.reset({ split: 'train', batchSize: batch, groupSize: group });
  const stepBody = {
    handle,
    actions: reset.observations.map((o) => ({ episodeId: o.episodeId, answer: 'Paris' })),
  };
  const step = await env.step(stepBody.actions);
  const req = (type: string, body: unknown) => ({ id: 'r-1', type, body }) as Envelope;
  const def = serviceDefinition() as unknown as Record<string, Method>;
  const session = def.Session!;
  const ser = (m: Method, side: 'request' | 'response', v: unknown) =>
    side === 'request' ? m.requestSerialize(v) : m.responseSerialize(v);
  return {
    ws: {
      resetReq: encodeFrame(req('reset', resetBody)),
      resetRes: encodeFrame({ id: 'r-1', type: 'reset', body: reset }),
      stepReq: encodeFrame(req('step', stepBody)),
      stepRes: encodeFrame({ id: 'r-1', type: 'step', body: step }),
    },
    grpcStream: {
      resetReq: ser(session, 'request', requestEnvelopeToProto(req('reset', resetBody))),
      resetRes: ser(session, 'response', responseEnvelopeToProto('r-1', 'reset', reset)),
      stepReq: ser(session, 'request', requestEnvelopeToProto(req('step', stepBody))),
      stepRes: ser(session, 'response', responseEnvelopeToProto('r-1', 'step', step)),
    },
    grpcUnary: {
      resetReq: ser(def.Reset!, 'request', requestToProto('reset', resetBody)),
      resetRes: ser(def.Reset!, 'response', responseToProto('reset', reset)),
      stepReq: ser(def.Step!, 'request', requestToProto('step', stepBody)),
      stepRes: ser(def.Step!, 'response', responseToProto('step', step)),
    },
  };
}

/** Bytes on the wire per round (requests + responses), for the table. */
export const exchangeBytes = (e: Exchange) =>
  e.resetReq.length + e.resetRes.length + e.stepReq.length + e.stepRes.length;
