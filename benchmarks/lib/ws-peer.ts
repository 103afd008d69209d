/**
 * A bare msgpack WebSocket client for the load benchmarks: requests matched by id, a reply is
 * the message or a failure reason (never a throw), so thousands of them cost little.
 */
import { unpack } from 'msgpackr';
import WebSocket from 'ws';
import { encodeFrame } from '../../protocol/codec.ts';

export type Msg = { id: string; type: string; body: Record<string, unknown> };

/** One bare client: requests matched by id; a reply is the message or a failure reason. */
export class Peer {
  private readonly waiting = new Map<string, (m: Msg) => void>();
  private next = 0;
  readonly ws: WebSocket;
  closedWith: string | null = null;
  constructor(
    url: string,
    private readonly timeoutMs = 60_000,
  ) {
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.ws.on('message', (d) => {
      const m = unpack(d as Buffer) as Msg;
      const w = this.waiting.get(m.id);
      if (w) {
        this.waiting.delete(m.id);
        w(m);
      } else if (m.id === '' && m.type === 'error') {
        // A server-initiated coded error (e.g. too many connections): fail everything waiting.
        this.closedWith = String(m.body.code);
        for (const [id, fn] of this.waiting) fn({ id, type: 'error', body: m.body });
        this.waiting.clear();
      }
    });
    const fail = (why: string) => {
      this.closedWith ??= why;
      for (const [id, fn] of this.waiting)
        fn({ id, type: 'error', body: { code: this.closedWith } });
      this.waiting.clear();
    };
    this.ws.on('close', (code) => fail(`closed ${code} without a code`));
    this.ws.on('error', (e) => fail(`socket error ${(e as NodeJS.ErrnoException).code ?? e}`));
  }
  opened(): Promise<boolean> {
    if (this.ws.readyState === WebSocket.OPEN) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.ws.once('open', () => resolve(true));
      this.ws.once('close', () => resolve(false));
      this.ws.once('error', () => resolve(false));
    });
  }
  call(type: string, body: unknown): Promise<Msg> {
    const id = `r${this.next++}`;
    return new Promise((resolve) => {
      if (this.closedWith) {
        resolve({ id, type: 'error', body: { code: this.closedWith } });
        return;
      }
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve({ id, type: 'error', body: { code: 'client timeout' } });
      }, this.timeoutMs);
      this.waiting.set(id, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      this.ws.send(encodeFrame({ id, type, body }));
    });
  }
}
