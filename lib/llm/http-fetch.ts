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
            resolve(
              new Response(NULL_BODY.has(status) ? null : Buffer.concat(chunks), {
                status,
                statusText: res.statusMessage ?? '',
                headers: responseHeaders(res.headers),
              }),
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
