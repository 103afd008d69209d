/** A bare WebSocket peer for fault tests: sends raw frames, collects decoded replies and the close. */
import { unpack } from 'msgpackr';
import WebSocket from 'ws';
import { encodeFrame } from '../../protocol/codec.ts';

export interface RawPeer {
  ws: WebSocket;
  send(value: unknown): void;
  sendBytes(bytes: Uint8Array | string, binary?: boolean): void;
  /** Next reply (in arrival order). */
  next(): Promise<{ id: string; type: string; body: Record<string, unknown> }>;
  /** Send a request and wait for the reply with its id. */
  call(
    id: string,
    type: string,
    body: unknown,
  ): Promise<{ id: string; type: string; body: Record<string, unknown> }>;
  closed: Promise<{ code: number; reason: string }>;
}

export async function rawPeer(url: string, opts: WebSocket.ClientOptions = {}): Promise<RawPeer> {
  const ws = new WebSocket(url, { perMessageDeflate: false, ...opts });
  const inbox: Array<{ id: string; type: string; body: Record<string, unknown> }> = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (d) => {
    inbox.push(unpack(d as Buffer));
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const take = async (pred: (m: { id: string }) => boolean) => {
    for (;;) {
      const i = inbox.findIndex(pred);
      if (i >= 0) return inbox.splice(i, 1)[0]!;
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  return {
    ws,
    send: (v) => ws.send(encodeFrame(v)),
    sendBytes: (b, binary = true) => ws.send(b, { binary }),
    next: () => take(() => true),
    call: (id, type, body) => {
      ws.send(encodeFrame({ id, type, body }));
      return take((m) => m.id === id);
    },
    closed,
  };
}
