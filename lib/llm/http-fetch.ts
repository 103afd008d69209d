/**
 * A `fetch` for the openai client over node:http keep-alive sockets, the default transport of
 * StructuredClient.
 *
 * Why: profiling the judge benchmark (benchmarks/judge.ts, concurrency 64, 50 ms latency) put a
 * quarter of the process's CPU in the global fetch (undici's WHATWG fetch: request and response
 * web streams, header guards, the wasm HTTP parser) for a request that is one JSON body out and
 * one JSON body back, more than the openai client itself. This sends the body with
 * `http.request` on a keep-alive agent (at most `maxSockets` sockets, the client's concurrency,
 * so no request waits for a socket and none is opened per request), reads the whole reply into
 * one buffer and hands the SDK a standard `Response` made from it.
 *
 * It speaks only what the SDK sends: a string or byte body, headers as a record, array or
 * Headers, and an AbortSignal (timeouts and cancellation). A reply cut short rejects like a
 * dropped connection, which the client retries.
 */
import http from 'node:http';
import https from 'node:https';

export interface KeepAliveFetchOptions {
  /** Sockets per origin (default 64). */
  maxSockets?: number;
  /**
   * How the reply is handed over: 'buffered' (default), a Response whose body methods read the
   * bytes already received, or 'stream', a standard Response over a web stream of them (as first
   * written; kept so the benchmark can show the difference).
   */
  response?: 'buffered' | 'stream';
}

/**
 * A Response over bytes already in memory. A standard `new Response(bytes)` wraps them in a web
 * ReadableStream (stream controller, transferable setup, a reader and a copy to read them back):
 * on the judge benchmark that was about a tenth of the client's CPU for a reply of 300 bytes.
 * This one is constructed without a body and answers `json`, `text`, `arrayBuffer`, `bytes` and
 * `blob` from the buffer, once each like any Response (a second read rejects); `body` builds
 * the stream only when someone asks for it.
 */
// Typed as the fields it inherits: lib.dom declares the body methods as properties, which a
// subclass may not redefine as methods; at run time this is a real Response subclass.
const ResponseBase: new (
  body: null,
  init: ResponseInit,
) => Pick<Response, 'status' | 'statusText' | 'headers' | 'ok' | 'url' | 'type' | 'redirected'> =
  Response;

export class BufferedResponse extends ResponseBase {
  readonly #bytes: Buffer | null;
  #used = false;
  #stream: ReadableStream<Uint8Array> | null | undefined;

  constructor(bytes: Buffer | null, init: ResponseInit) {
    super(null, init);
    this.#bytes = bytes;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#stream === undefined) {
      const bytes = this.#bytes;
      this.#stream =
        bytes === null
          ? null
          : new ReadableStream<Uint8Array>({
              start: (c) => {
                this.#used = true;
                c.enqueue(new Uint8Array(bytes));
                c.close();
              },
            });
    }
    return this.#stream;
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  #take(): Buffer {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    return this.#bytes ?? Buffer.alloc(0);
  }

  async text(): Promise<string> {
    return this.#take().toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.#take().toString('utf8'));
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const b = this.#take();
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  }

  async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await this.arrayBuffer());
  }

  async blob(): Promise<Blob> {
    return new Blob([await this.arrayBuffer()], {
      type: this.headers.get('content-type') ?? '',
    });
  }

  clone(): Response {
    if (this.#used) throw new TypeError('Response.clone: Body has already been consumed.');
    return new BufferedResponse(this.#bytes, {
      status: this.status,
      statusText: this.statusText,
      headers: this.headers,
    }).asResponse();
  }

  /** This object as the platform type (it is a Response subclass with every body method). */
  asResponse(): Response {
    return this as unknown as Response;
  }
}

/** Statuses whose Response must have no body. */
const NULL_BODY = new Set([101, 204, 205, 304]);

function headerRecord(h: RequestInit['headers']): Record<string, string> {
  if (!h) return {};
  if (h instanceof Headers) return Object.fromEntries(h.entries());
  if (Array.isArray(h)) return Object.fromEntries(h.map(([k, v]) => [k, v] as [string, string]));
  return { ...(h as Record<string, string>) };
}

function responseHeaders(raw: http.IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) out.append(k, one);
  }
  return out;
}

export function keepAliveFetch(opts: KeepAliveFetchOptions = {}): typeof fetch {
  const maxSockets = opts.maxSockets ?? 64;
  const buffered = (opts.response ?? 'buffered') === 'buffered';
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets }),
    'https:': new https.Agent({ keepAlive: true, maxSockets }),
  };
  const f = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const transport = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : null;
    const body = init.body;
    if (
      transport === null ||
      input instanceof Request ||
      (body !== undefined &&
        body !== null &&
        typeof body !== 'string' &&
        !(body instanceof Uint8Array))
    ) {
      return fetch(input, init); // anything else (streams, forms): the global fetch
    }
    const agent = agents[url.protocol as 'http:' | 'https:'];
    return new Promise<Response>((resolve, reject) => {
      const req = transport.request(
        url,
        {
          method: init.method ?? 'GET',
          headers: headerRecord(init.headers),
          agent,
          ...(init.signal ? { signal: init.signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('aborted', () => reject(new Error('connection closed before the reply ended')));
          res.on('end', () => {
            if (!res.complete) {
              reject(new Error('connection closed before the reply ended'));
              return;
            }
            const status = res.statusCode ?? 0;
            const bytes = NULL_BODY.has(status) ? null : Buffer.concat(chunks);
            const init = {
              status,
              statusText: res.statusMessage ?? '',
              headers: responseHeaders(res.headers),
            };
            resolve(
              buffered ? new BufferedResponse(bytes, init).asResponse() : new Response(bytes, init),
            );
          });
        },
      );
      req.on('error', reject);
      req.end(body ?? undefined);
    });
  };
  return f as typeof fetch;
}
