/**
 * The client's transports behind one small interface: send a request envelope, receive
 * response envelopes (in any order), learn when the connection ends. `ws://` and `wss://`
 * URLs use WebSocket + msgpack; `grpc://host:port` uses the gRPC Session stream.
 */
import * as grpc from '@grpc/grpc-js';
import { unpack } from 'msgpackr';
import WebSocket from 'ws';
import { encodeFrame } from '../codec.ts';
import { loadPackage, requestEnvelopeToProto, responseEnvelopeFromProto } from '../proto-codec.ts';
import type { Envelope } from '../schema.ts';

export interface InboundEnvelope {
  id: string;
  type: string;
  body: unknown;
}

export interface Wire {
  send(envelope: Envelope): void;
  close(): void;
  /** Called for every response (and server-initiated error, id ""). */
  onMessage: (m: InboundEnvelope) => void;
  /** Called once when the connection ends, for whatever reason. */
  onClose: (reason: string) => void;
}

export type WireFactory = (url: string) => Promise<Wire>;

/**
 * A Wire whose events wait for the client's handlers: a server that refuses a connection
 * sends its error (id "") and hangs up at once, often in the very tick the connection opens,
 * before the opener's caller could set `onMessage` and `onClose`. Early messages are
 * delivered when `onMessage` is set, an early end when `onClose` is set.
 */
function bufferedWire(send: Wire['send'], close: Wire['close']) {
  const early: InboundEnvelope[] = [];
  let endedWith: string | undefined;
  let onMessage: ((m: InboundEnvelope) => void) | undefined;
  let onClose: ((reason: string) => void) | undefined;
  const wire: Wire = {
    send,
    close,
    get onMessage() {
      return onMessage ?? (() => {});
    },
    set onMessage(fn) {
      onMessage = fn;
      for (const m of early.splice(0)) fn(m);
    },
    get onClose() {
      return onClose ?? (() => {});
    },
    set onClose(fn) {
      onClose = fn;
      if (endedWith !== undefined) fn(endedWith);
    },
  };
  return {
    wire,
    message(m: InboundEnvelope): void {
      if (onMessage) onMessage(m);
      else early.push(m);
    },
    /** The connection ended; only the first call counts. */
    ended(reason: string): void {
      if (endedWith !== undefined) return;
      endedWith = reason;
      onClose?.(reason);
    },
  };
}

/** Open a WebSocket wire; resolves once the socket is open. */
export function openWsWire(url: string, opts: { maxPayload?: number } = {}): Promise<Wire> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, {
      perMessageDeflate: false,
      maxPayload: opts.maxPayload ?? 256 * 1024 * 1024,
    });
    const { wire, message, ended } = bufferedWire(
      (e) => ws.send(encodeFrame(e)),
      () => ws.close(1000),
    );
    let open = false;
    ws.on('open', () => {
      open = true;
      resolve(wire);
    });
    ws.on('message', (data) => {
      let m: unknown;
      try {
        m = unpack(data as Buffer);
      } catch {
        ws.terminate();
        return;
      }
      message(m as InboundEnvelope);
    });
    ws.on('error', (err) => {
      if (!open) reject(err);
    });
    ws.on('close', (code, reason) => {
      if (!open) reject(new Error(`WebSocket closed before opening (${code})`));
      ended(`${code} ${reason.toString()}`.trim());
    });
  });
}

type ClientCtor = new (
  address: string,
  creds: grpc.ChannelCredentials,
  options?: object,
) => grpc.Client & {
  Session(): grpc.ClientDuplexStream<Record<string, unknown>, Record<string, unknown>>;
};

/** Open a gRPC Session stream to `host:port` (a `grpc://` prefix is allowed). */
export async function openGrpcWire(url: string): Promise<Wire> {
  const address = url.replace(/^grpc:\/\//, '');
  const v1 = (loadPackage().factrecall as grpc.GrpcObject).v1 as grpc.GrpcObject;
  const Ctor = v1.FactRecall as unknown as ClientCtor;
  const client = new Ctor(address, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': -1,
    'grpc.keepalive_time_ms': 15_000,
  });
  await new Promise<void>((resolve, reject) =>
    client.waitForReady(Date.now() + 10_000, (err) => {
      if (!err) return resolve();
      // Not ready: close the channel, or it keeps reconnecting in the background.
      grpc.Client.prototype.close.call(client);
      reject(err);
    }),
  );
  const call = client.Session();
  let closed = false;
  const { wire, message, ended } = bufferedWire(
    (e) => {
      call.write(requestEnvelopeToProto(e));
    },
    () => {
      call.end();
    },
  );
  const end = (reason: string) => {
    if (closed) return;
    closed = true;
    ended(reason);
    // The generated `close` is the Close rpc; the channel's close is Client.prototype.close.
    grpc.Client.prototype.close.call(client);
  };
  call.on('data', (msg: Record<string, unknown>) => {
    try {
      message(responseEnvelopeFromProto(msg));
    } catch {
      call.cancel();
    }
  });
  call.on('error', (err: grpc.ServiceError) => end(`${err.code} ${err.details}`));
  call.on('end', () => end('stream ended'));
  return wire;
}

/** The wire for a URL: ws:// / wss:// or grpc://. */
export function openWire(url: string): Promise<Wire> {
  if (url.startsWith('grpc://')) return openGrpcWire(url);
  return openWsWire(url);
}
