/**
 * The ceiling: the same frames over the same transports with no env, no session and no codec.
 * A server that answers a reset-sized request with the reset response's bytes and a step-sized
 * one with the step response's bytes; a client that sends reset, waits, sends step, waits, the
 * order a real client keeps. What is left of a round is the transport's own cost.
 */
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import WebSocket, { WebSocketServer } from 'ws';
import type { Exchange } from './frames.ts';

export interface Echo {
  /** One reset + step exchange. */
  round(): Promise<void>;
  close(): Promise<void>;
}

const answer = (e: Exchange, req: Buffer) =>
  req.length === e.stepReq.length ? e.stepRes : e.resetRes;

/** A WebSocket echo (binary frames, no compression, as the protocol's binding). */
export async function wsEcho(e: Exchange): Promise<Echo> {
  if (e.stepReq.length === e.resetReq.length) throw new Error('reset and step frames of one size');
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  wss.on('connection', (s) => s.on('message', (d) => s.send(answer(e, d as Buffer))));
  const port = (wss.address() as AddressInfo).port;
  const ws = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
  await new Promise<void>((r, j) => ws.once('open', () => r()).once('error', j));
  let waiting: (() => void) | undefined;
  ws.on('message', () => waiting?.());
  const send = (b: Buffer) =>
    new Promise<void>((r) => {
      waiting = r;
      ws.send(b);
    });
  return {
    round: async () => {
      await send(e.resetReq);
      await send(e.stepReq);
    },
    close: async () => {
      ws.close();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}

const raw = { requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b };
const rawRes = { responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b };
const SERVICE = {
  Stream: {
    path: '/bench.Echo/Stream',
    requestStream: true,
    responseStream: true,
    ...raw,
    ...rawRes,
  },
  Unary: {
    path: '/bench.Echo/Unary',
    requestStream: false,
    responseStream: false,
    ...raw,
    ...rawRes,
  },
} as unknown as grpc.ServiceDefinition;

type EchoClient = grpc.Client & {
  Stream(): grpc.ClientDuplexStream<Buffer, Buffer>;
  Unary(req: Buffer, cb: (err: grpc.ServiceError | null, res?: Buffer) => void): void;
};

async function grpcEchoServer(stream: Exchange, unary: Exchange) {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': -1 });
  server.addService(SERVICE, {
    Stream: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
      call.on('data', (d: Buffer) => call.write(answer(stream, d)));
      call.on('end', () => call.end());
    },
    Unary: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) =>
      cb(null, answer(unary, call.request)),
  });
  const port = await new Promise<number>((r, j) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? j(err) : r(p),
    ),
  );
  const Ctor = grpc.makeGenericClientConstructor(SERVICE, 'Echo') as unknown as new (
    a: string,
    c: grpc.ChannelCredentials,
    o: object,
  ) => EchoClient;
  const client = new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': -1,
  });
  await new Promise<void>((r, j) =>
    client.waitForReady(Date.now() + 10_000, (err) => (err ? j(err) : r())),
  );
  const close = async () => {
    client.close();
    await new Promise<void>((r) => server.tryShutdown(() => r()));
  };
  return { client, close };
}

/** A gRPC bidirectional-stream echo (one stream, messages in order, as the Session stream). */
export async function grpcStreamEcho(stream: Exchange, unary: Exchange): Promise<Echo> {
  const { client, close } = await grpcEchoServer(stream, unary);
  const call = client.Stream();
  let waiting: (() => void) | undefined;
  call.on('data', () => waiting?.());
  call.on('error', () => undefined);
  const send = (b: Buffer) =>
    new Promise<void>((r) => {
      waiting = r;
      call.write(b);
    });
  return {
    round: async () => {
      await send(stream.resetReq);
      await send(stream.stepReq);
    },
    close: async () => {
      call.end();
      await close();
    },
  };
}

/** A gRPC unary echo: one call per verb, as the unary Reset and Step. */
export async function grpcUnaryEcho(stream: Exchange, unary: Exchange): Promise<Echo> {
  const { client, close } = await grpcEchoServer(stream, unary);
  const call = (b: Buffer) =>
    new Promise<void>((r, j) => client.Unary(b, (err) => (err ? j(err) : r())));
  return {
    round: async () => {
      await call(unary.resetReq);
      await call(unary.stepReq);
    },
    close,
  };
}
