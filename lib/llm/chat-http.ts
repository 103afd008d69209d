/**
 * One Chat Completions POST over node:http keep-alive sockets, without the openai client: the
 * `http` transport of StructuredClient.
 *
 * Why: on the judge benchmark (benchmarks/judge.ts: concurrency 64, 50 ms a reply) the client's
 * CPU per verdict was the openai client's per-request work (options, a Headers object of a dozen
 * platform headers, a debug log line formatted whether or not anything logs, an AbortController
 * and a timer, a WHATWG Response) plus the fetch glue between it and node:http, about as much as
 * the HTTP exchange itself. This sends the body it is given with the four headers a Chat
 * Completions server reads and hands back status, headers and the body's text. Everything the
 * client decides (retries, breaker, classification) stays in StructuredClient.
 *
 * Failures reject with a ChatHttpFailure: `timeout` (no complete reply within timeoutMs),
 * `aborted` (the caller's signal), `connection` (refused, reset, or the body cut short).
 */
import http from 'node:http';
import https from 'node:https';

export interface ChatHttpReply {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: { get(name: string): string | null };
  text: string;
}

export class ChatHttpFailure extends Error {
  constructor(
    readonly kind: 'timeout' | 'aborted' | 'connection',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ChatHttpFailure';
  }
}

export interface ChatHttpOptions {
  /** Base URL ending in /v1 (or any prefix of /chat/completions). */
  baseURL: string;
  apiKey: string;
  /** Sockets kept alive (the client's concurrency). */
  maxSockets: number;
}

export class ChatHttp {
  private readonly transport: typeof http | typeof https;
  private readonly agent: http.Agent;
  private readonly target: { hostname: string; port: string; path: string };
  private readonly auth: string;

  constructor(opts: ChatHttpOptions) {
    const url = new URL(`${opts.baseURL.replace(/\/+$/, '')}/chat/completions`);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TypeError(`unsupported protocol ${url.protocol}`);
    }
    this.transport = url.protocol === 'https:' ? https : http;
    this.agent = new this.transport.Agent({ keepAlive: true, maxSockets: opts.maxSockets });
    this.target = {
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port,
      path: `${url.pathname}${url.search}`,
    };
    this.auth = `Bearer ${opts.apiKey}`;
  }

  /** POST one JSON body; resolves with any status, rejects only when no full reply came. */
  post(body: string, timeoutMs: number, signal?: AbortSignal): Promise<ChatHttpReply> {
    return new Promise<ChatHttpReply>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new ChatHttpFailure('aborted', 'cancelled'));
        return;
      }
      let settled = false;
      const fail = (f: ChatHttpFailure) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        req.destroy();
        reject(f);
      };
      const onAbort = () => fail(new ChatHttpFailure('aborted', 'cancelled'));
      const req = this.transport.request(
        {
          ...this.target,
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            accept: 'application/json',
            authorization: this.auth,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => fail(new ChatHttpFailure('connection', e.message, { cause: e })));
          res.on('aborted', () =>
            fail(new ChatHttpFailure('connection', 'connection closed before the reply ended')),
          );
          res.on('end', () => {
            if (!res.complete) {
              fail(new ChatHttpFailure('connection', 'connection closed before the reply ended'));
              return;
            }
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
            const raw = res.headers;
            resolve({
              status: res.statusCode ?? 0,
              headers: {
                get: (name) => {
                  const v = raw[name.toLowerCase()];
                  return v === undefined ? null : Array.isArray(v) ? v.join(', ') : String(v);
                },
              },
              text: Buffer.concat(chunks).toString('utf8'),
            });
          });
        },
      );
      const timer = setTimeout(
        () => fail(new ChatHttpFailure('timeout', `no reply within ${timeoutMs} ms`)),
        timeoutMs,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (e) => fail(new ChatHttpFailure('connection', e.message, { cause: e })));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
