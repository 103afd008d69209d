/**
 * `StructuredClient`: one chat request in, one zod-validated JSON object out, from any
 * OpenAI-compatible endpoint (vLLM, SGLang, Ollama, OpenAI): by default one Chat Completions POST
 * over node:http keep-alive sockets (chat-http.ts), or through the `openai` package's client
 * (`transport: 'openai'`, or any custom `fetch`). Both are classified alike (the tests run every
 * fault through both); the default exists because the openai client's per-request work cost as
 * much CPU as the HTTP exchange on the judge benchmark (benchmarks/judge.ts).
 *
 * It is the LLM plumbing shared by the `llm` judge and the dataset dedup question
 * (`{is_contained, reasoning}`); each wraps its errors in its own codes:
 *
 * ```ts
 * const client = new StructuredClient({ model: 'qwen2.5-72b', baseURL: 'http://gpu:8000/v1' });
 * const Contained = z.object({ is_contained: z.boolean(), reasoning: z.string() });
 * const { value } = await client.request({
 *   messages: [{ role: 'user', content: prompt }],
 *   schema: Contained,
 *   schemaName: 'containment',
 *   cacheKey: `${promptVersion}:${testId}:${trainId}`,
 * });
 * value.is_contained; // boolean, checked
 * ```
 *
 * What it does for every request, in order:
 * - **cache**: with `cache` and a `cacheKey`, a stored value (re-validated by the schema) is
 *   returned without a call, and every new value is stored.
 * - **coalescing**: requests with the same key (cacheKey, else the request itself) in flight
 *   at once share one call.
 * - **circuit breaker**: after consecutive endpoint failures it fails fast with the retryable
 *   `FR_ERR_LLM_UNAVAILABLE` (with `retryAfterMs`) until a probe succeeds.
 * - **concurrency limit** (p-limit) on HTTP attempts, not on backoff sleeps.
 * - **timeout** per attempt; **retries** on 408/409/429/5xx, timeouts and connection errors with
 *   capped exponential backoff and jitter, honouring `retry-after-ms` / `retry-after`.
 * - **structured output**: `response_format: json_schema` (strict, schema from zod) where the
 *   server supports it; in `auto` mode a 400 about the response format switches this client to
 *   text mode, where the request's `text` fallback (an instruction and a parser) is used.
 *   A reply that fails validation is retried (`parseRetries`) and then reported as
 *   `FR_ERR_LLM_UNPARSEABLE`: never guessed.
 *
 * Errors are FactRecallErrors with codes from lib/llm/errors.ts (FR_ERR_LLM_*).
 */
import OpenAI from 'openai';
import pLimit, { type LimitFunction } from 'p-limit';
import { z } from 'zod';
import { type FactRecallError, isFactRecallError } from '../errors.ts';
import { canonicalJson, sha256 } from '../hash.ts';
import type { ChatMessage } from './chat.ts';
import { ChatHttp, ChatHttpFailure, type ChatHttpReply } from './chat-http.ts';
import { CircuitBreaker, type CircuitBreakerOptions, DEFAULT_BREAKER } from './circuit-breaker.ts';
import { InFlight } from './coalesce.ts';
import { llmError } from './errors.ts';
import { keepAliveFetch } from './http-fetch.ts';
import {
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  type RetryPolicy,
  retryAfterMs,
  retryDelayMs,
  sleep,
} from './retry-policy.ts';

/** A key-value store for validated values (the SQLite cache implements it). */
export interface StructuredCache {
  get(key: string): unknown | undefined;
  set(key: string, value: unknown): void;
}

export type ResponseFormatMode = 'auto' | 'json_schema' | 'text';

export interface StructuredClientOptions {
  /** Endpoint base URL, e.g. http://127.0.0.1:8000/v1. Default: OPENAI_BASE_URL. */
  baseURL?: string;
  /** API key. Default: OPENAI_API_KEY, else a placeholder (local servers need none). */
  apiKey?: string;
  /** Model name. Required. */
  model: string;
  /** Per-attempt timeout (ms). Default 30 s. */
  timeoutMs?: number;
  /** Most HTTP attempts in flight at once. Default 16. */
  concurrency?: number;
  retry?: Partial<RetryPolicy>;
  /** Extra attempts after a reply that fails validation. Default 2. */
  parseRetries?: number;
  breaker?: Partial<Omit<CircuitBreakerOptions, 'now'>>;
  /** Default 'auto' (json_schema, falling back to text when the server refuses it). */
  responseFormat?: ResponseFormatMode;
  /** Sampling temperature. Default 0. */
  temperature?: number;
  /** Reply length cap (tokens). Default 256. */
  maxTokens?: number;
  cache?: StructuredCache;
  /**
   * 'http' (default): each request is one POST over node:http keep-alive sockets
   * (chat-http.ts), without the openai client, whose per-request work cost as much CPU as the
   * HTTP exchange on the judge benchmark. 'openai': through the `openai` package's client
   * (its own fetch below); chosen whenever `fetch` is given.
   */
  transport?: 'http' | 'openai';
  /**
   * Custom fetch (passed to the openai client; implies transport 'openai'). Default: keepAliveFetch (http-fetch.ts), a
   * keep-alive node:http transport with one socket per concurrent request; `globalThis.fetch`
   * for the platform's.
   */
  fetch?: typeof fetch;
}

export interface StructuredRequest<T> {
  messages: readonly ChatMessage[];
  schema: z.ZodType<T>;
  /** Name of the JSON schema sent to the server (letters, digits, _ and -). */
  schemaName: string;
  /**
   * Text mode: an instruction appended as a last system message, and a parser from the raw
   * reply to the schema's input (throw or return anything invalid to reject the reply).
   * Default: ask for a bare JSON object and parse it.
   */
  text?: { instruction: string; parse(text: string): unknown };
  /** Cache and coalescing key; must cover everything that changes the answer. */
  cacheKey?: string;
  signal?: AbortSignal;
}

export interface StructuredResult<T> {
  value: T;
  /** Came from the cache, without a call. */
  cached: boolean;
  /** Joined an identical request already in flight. */
  coalesced: boolean;
  /** HTTP attempts made (0 when cached or coalesced). */
  attempts: number;
  latencyMs: number;
}

/** Counters since the client was made. */
export interface StructuredClientStats {
  requests: number;
  cacheHits: number;
  coalesced: number;
  httpAttempts: number;
  retries: number;
  parseFailures: number;
  failures: number;
  breakerOpened: number;
  /** The response format in use now ('text' after an auto fallback). */
  responseFormat: ResponseFormatMode;
}

/**
 * The message of an error reply, as the openai client words it ("400 <error.message>"), so both
 * transports classify alike.
 */
function statusMessage(reply: ChatHttpReply): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(reply.text);
  } catch {
    parsed = undefined;
  }
  const error = (parsed as { error?: unknown } | undefined)?.error ?? parsed;
  const m = (error as { message?: unknown } | undefined)?.message;
  const text =
    typeof m === 'string'
      ? m
      : m !== undefined
        ? JSON.stringify(m)
        : error !== undefined
          ? JSON.stringify(error)
          : reply.text || '(no body)';
  return `${reply.status} ${text}`;
}

/** Strip ``` fences and parse the first JSON object in a reply. */
export function parseJsonReply(text: string): unknown {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text);
  const body = (fenced ? fenced[1]! : text).trim();
  return JSON.parse(body);
}

/** The JSON schema of a zod schema, without the `$schema` key some servers refuse. */
function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  let known = jsonSchemas.get(schema);
  if (!known) {
    const { $schema: _ignored, ...rest } = z.toJSONSchema(schema) as Record<string, unknown>;
    known = rest;
    jsonSchemas.set(schema, known);
  }
  return known;
}
/** Converting a schema costs more than a local request; do it once per schema. */
const jsonSchemas = new WeakMap<z.ZodType, Record<string, unknown>>();

type AttemptOutcome = { value: unknown } | (AttemptFailure & { switchedToText?: boolean });

interface AttemptFailure {
  error: FactRecallError;
  /** Counts against the circuit breaker (endpoint down), not just this request. */
  endpointFault: boolean;
  retryable: boolean;
  hintMs?: number;
}

export class StructuredClient {
  readonly model: string;
  private readonly client: OpenAI;
  /** The http transport, or null when requests go through the openai client. */
  private readonly http: ChatHttp | null;
  private readonly limit: LimitFunction;
  private readonly breaker: CircuitBreaker;
  private readonly inflight = new InFlight<StructuredResult<unknown>>();
  private readonly retry: RetryPolicy;
  private readonly parseRetries: number;
  private readonly timeoutMs: number;
  private readonly temperature: number;
  private readonly maxTokens: number;
  private readonly cache: StructuredCache | undefined;
  private mode: ResponseFormatMode;
  private readonly configuredMode: ResponseFormatMode;
  private readonly counters = {
    requests: 0,
    cacheHits: 0,
    httpAttempts: 0,
    retries: 0,
    parseFailures: 0,
    failures: 0,
  };

  constructor(opts: StructuredClientOptions) {
    const baseURL = opts.baseURL ?? process.env.OPENAI_BASE_URL;
    if (!baseURL) throw llmError('FR_ERR_LLM_CONFIG', 'no base URL');
    if (!opts.model) throw llmError('FR_ERR_LLM_CONFIG', 'no model');
    this.model = opts.model;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.retry = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
    this.parseRetries = opts.parseRetries ?? 2;
    this.temperature = opts.temperature ?? 0;
    this.maxTokens = opts.maxTokens ?? 256;
    this.mode = opts.responseFormat ?? 'auto';
    this.configuredMode = this.mode;
    this.cache = opts.cache;
    this.limit = pLimit(opts.concurrency ?? 16);
    this.breaker = new CircuitBreaker({ ...DEFAULT_BREAKER, ...opts.breaker });
    const apiKey = opts.apiKey ?? process.env.OPENAI_API_KEY ?? 'no-key';
    const transport = opts.fetch ? 'openai' : (opts.transport ?? 'http');
    this.http =
      transport === 'http'
        ? new ChatHttp({ baseURL, apiKey, maxSockets: opts.concurrency ?? 16 })
        : null;
    this.client = new OpenAI({
      baseURL,
      apiKey,
      // Retries are ours: the breaker must see every failure, and parse failures retry too.
      maxRetries: 0,
      timeout: this.timeoutMs,
      fetch: opts.fetch ?? keepAliveFetch({ maxSockets: opts.concurrency ?? 16 }),
    });
  }

  /** Everything about this client that can change a reply (for fingerprints). */
  get settings(): Record<string, unknown> {
    return { model: this.model, temperature: this.temperature, maxTokens: this.maxTokens };
  }

  get stats(): StructuredClientStats {
    return {
      ...this.counters,
      coalesced: this.inflight.joined,
      breakerOpened: this.breaker.timesOpened,
      responseFormat: this.mode,
    };
  }

  /** Send one structured request (see the module comment for everything it does). */
  async request<T>(req: StructuredRequest<T>): Promise<StructuredResult<T>> {
    const start = performance.now();
    this.counters.requests++;
    if (req.signal?.aborted) throw llmError('FR_ERR_LLM_CANCELLED');
    if (this.cache && req.cacheKey !== undefined) {
      const stored = req.schema.safeParse(this.cache.get(req.cacheKey));
      if (stored.success) {
        this.counters.cacheHits++;
        return {
          value: stored.data,
          cached: true,
          coalesced: false,
          attempts: 0,
          latencyMs: performance.now() - start,
        };
      }
    }
    const key = req.cacheKey ?? sha256(canonicalJson([this.model, req.schemaName, req.messages]));
    try {
      const { value, shared } = await this.inflight.run(
        key,
        (signal) => this.callWithRetries(req as StructuredRequest<unknown>, signal),
        req.signal,
      );
      const result = value as StructuredResult<T>;
      return shared
        ? { ...result, coalesced: true, attempts: 0, latencyMs: performance.now() - start }
        : { ...result, latencyMs: performance.now() - start };
    } catch (e) {
      if (req.signal?.aborted) throw llmError('FR_ERR_LLM_CANCELLED', undefined, { cause: e });
      throw e;
    }
  }

  private async callWithRetries(
    req: StructuredRequest<unknown>,
    signal: AbortSignal,
  ): Promise<StructuredResult<unknown>> {
    let retries = 0;
    let parseFailures = 0;
    let attempts = 0;
    for (;;) {
      // The breaker is asked inside the limit, so queued requests see a circuit opened by
      // the requests ahead of them instead of all passing the check at once.
      const outcome = await this.limit(
        async (): Promise<AttemptOutcome | { circuitOpenMs: number }> => {
          const waitMs = this.breaker.acquire();
          if (waitMs > 0) return { circuitOpenMs: waitMs };
          attempts++;
          return this.attempt(req, signal).then((o) => {
            this.recordOnBreaker(o);
            return o;
          });
        },
      );
      if ('circuitOpenMs' in outcome) {
        this.counters.failures++;
        const waitMs = outcome.circuitOpenMs;
        throw llmError('FR_ERR_LLM_UNAVAILABLE', `circuit open for ${Math.ceil(waitMs)} ms more`, {
          retryAfterMs: waitMs,
        });
      }
      if ('value' in outcome) {
        if (this.cache && req.cacheKey !== undefined) this.cache.set(req.cacheKey, outcome.value);
        return { value: outcome.value, cached: false, coalesced: false, attempts, latencyMs: 0 };
      }
      if (outcome.error.code === 'FR_ERR_LLM_UNPARSEABLE') {
        this.counters.parseFailures++;
        if (parseFailures++ < this.parseRetries) continue;
        this.counters.failures++;
        throw outcome.error;
      }
      if (outcome.error.code === 'FR_ERR_LLM_CANCELLED') throw outcome.error;
      if (outcome.switchedToText) continue;
      const hint = outcome.hintMs;
      const hintTooLong = hint !== undefined && hint > this.retry.maxRetryAfterMs;
      if (!outcome.retryable || retries >= this.retry.maxRetries || hintTooLong) {
        this.counters.failures++;
        throw outcome.error;
      }
      const delay = hint ?? retryDelayMs(retries, this.retry);
      retries++;
      this.counters.retries++;
      try {
        await sleep(delay, signal);
      } catch {
        throw llmError('FR_ERR_LLM_CANCELLED');
      }
    }
  }

  /** Tell the breaker how the endpoint did, before the next queued attempt asks it. */
  private recordOnBreaker(o: { value: unknown } | AttemptFailure): void {
    if ('value' in o) this.breaker.onSuccess();
    else if (o.endpointFault) this.breaker.onFailure();
    else if (o.error.code === 'FR_ERR_LLM_CANCELLED') this.breaker.release();
    else this.breaker.onSuccess();
  }

  /** One HTTP attempt: a validated value, or a classified failure. */
  private async attempt(
    req: StructuredRequest<unknown>,
    signal: AbortSignal,
  ): Promise<{ value: unknown } | (AttemptFailure & { switchedToText?: boolean })> {
    if (signal.aborted) return this.cancelled();
    this.counters.httpAttempts++;
    const textMode = this.mode === 'text';
    const messages: ChatMessage[] = [...req.messages];
    if (textMode) {
      messages.push({
        role: 'system',
        content:
          req.text?.instruction ?? 'Reply with one JSON object only, no prose and no code fences.',
      });
    }
    const params = {
      model: this.model,
      messages,
      temperature: this.temperature,
      max_tokens: this.maxTokens,
      ...(textMode
        ? {}
        : {
            response_format: {
              type: 'json_schema' as const,
              json_schema: {
                name: req.schemaName,
                strict: true,
                schema: jsonSchemaOf(req.schema),
              },
            },
          }),
    };
    let content: string;
    if (this.http) {
      const got = await this.httpAttempt(JSON.stringify(params), signal, textMode);
      if ('error' in got) return got;
      content = got.content;
    } else {
      try {
        const completion = await this.client.chat.completions.create(params, {
          signal,
          timeout: this.timeoutMs,
        });
        content = completion.choices?.[0]?.message?.content ?? '';
      } catch (e) {
        return this.classify(e, signal, textMode);
      }
    }
    try {
      const raw = textMode ? (req.text?.parse ?? parseJsonReply)(content) : parseJsonReply(content);
      const parsed = req.schema.safeParse(raw);
      if (parsed.success) return { value: parsed.data };
      return this.unparseable(
        `${parsed.error.issues[0]?.message ?? 'invalid'}: ${content.slice(0, 200)}`,
      );
    } catch (e) {
      return this.unparseable(`${(e as Error).message}: ${content.slice(0, 200)}`);
    }
  }

  /** One POST over the http transport: the reply's content, or a classified failure. */
  private async httpAttempt(
    body: string,
    signal: AbortSignal,
    sentAsText: boolean,
  ): Promise<{ content: string } | (AttemptFailure & { switchedToText?: boolean })> {
    let reply: ChatHttpReply;
    try {
      reply = await this.http!.post(body, this.timeoutMs, signal);
    } catch (e) {
      if (signal.aborted || (e instanceof ChatHttpFailure && e.kind === 'aborted')) {
        return this.cancelled();
      }
      if (e instanceof ChatHttpFailure && e.kind === 'timeout') return this.timedOut();
      return this.connectionFailure(e);
    }
    if (reply.status < 200 || reply.status >= 300) {
      return this.classifyStatus(reply.status, statusMessage(reply), reply.headers, sentAsText);
    }
    try {
      const completion = JSON.parse(reply.text) as {
        choices?: Array<{ message?: { content?: string | null } }>;
      };
      return { content: completion.choices?.[0]?.message?.content ?? '' };
    } catch (e) {
      // An unreadable 200 is the endpoint's fault, as with the openai client.
      return this.connectionFailure(e);
    }
  }

  private timedOut(): AttemptFailure {
    return {
      error: llmError('FR_ERR_LLM_TIMEOUT', `no reply within ${this.timeoutMs} ms`),
      endpointFault: true,
      retryable: true,
    };
  }

  /** Connection refused or reset, a body cut short, an unreadable response. */
  private connectionFailure(e: unknown): AttemptFailure {
    const message = e instanceof Error ? e.message : String(e);
    return {
      error: llmError('FR_ERR_LLM_UNAVAILABLE', message.slice(0, 300), { cause: e }),
      endpointFault: true,
      retryable: true,
    };
  }

  private unparseable(detail: string): AttemptFailure {
    return {
      error: llmError('FR_ERR_LLM_UNPARSEABLE', detail),
      endpointFault: false,
      retryable: true,
    };
  }

  private cancelled(): AttemptFailure {
    return { error: llmError('FR_ERR_LLM_CANCELLED'), endpointFault: false, retryable: false };
  }

  private classify(
    e: unknown,
    signal: AbortSignal,
    sentAsText: boolean,
  ): AttemptFailure & { switchedToText?: boolean } {
    if (signal.aborted || e instanceof OpenAI.APIUserAbortError) return this.cancelled();
    if (isFactRecallError(e)) return { error: e, endpointFault: false, retryable: e.retryable };
    if (e instanceof OpenAI.APIConnectionTimeoutError) return this.timedOut();
    if (e instanceof OpenAI.APIError && typeof e.status === 'number') {
      return this.classifyStatus(e.status, e.message, e.headers, sentAsText);
    }
    return this.connectionFailure(e);
  }

  /** A reply with an error status: refused format, rejected, rate limited or unavailable. */
  private classifyStatus(
    status: number,
    message: string,
    headers: { get(name: string): string | null } | undefined,
    sentAsText: boolean,
  ): AttemptFailure & { switchedToText?: boolean } {
    const hintMs = retryAfterMs(headers);
    const detail = `HTTP ${status}: ${message}`.slice(0, 300);
    const refusedFormat = status === 400 && /response_format|json_schema/i.test(message);
    if (refusedFormat && !sentAsText && this.configuredMode === 'auto') {
      this.mode = 'text';
      return {
        error: llmError('FR_ERR_LLM_REJECTED', detail),
        endpointFault: false,
        retryable: false,
        switchedToText: true,
      };
    }
    if (!isRetryableStatus(status)) {
      return {
        error: llmError('FR_ERR_LLM_REJECTED', detail),
        endpointFault: false,
        retryable: false,
      };
    }
    if (status === 429) {
      return {
        error: llmError(
          'FR_ERR_LLM_RATE_LIMITED',
          detail,
          hintMs !== undefined ? { retryAfterMs: hintMs } : {},
        ),
        // Rate limiting is back-pressure from a live endpoint, not an outage.
        endpointFault: false,
        retryable: true,
        ...(hintMs !== undefined ? { hintMs } : {}),
      };
    }
    return {
      error: llmError(
        'FR_ERR_LLM_UNAVAILABLE',
        detail,
        hintMs !== undefined ? { retryAfterMs: hintMs } : {},
      ),
      endpointFault: status >= 500 || status === 408,
      retryable: true,
      ...(hintMs !== undefined ? { hintMs } : {}),
    };
  }
}
