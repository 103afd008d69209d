/**
 * A policy behind any OpenAI-compatible endpoint (OpenAI, vLLM, llama.cpp, our
 * `factrecall model serve`): chat messages of an observation in, n answers out.
 *
 * - `api: 'chat'` sends the observation's messages to /v1/chat/completions; `'completions'`
 *   renders them as plain text ("System: ...\n\nUser: ...\n\nAnswer:") for base models.
 * - n samples: requests with `n` (at most `maxNPerRequest` each) where the server gives n choices; when it refuses `n`
 *   (400 naming n) or returns fewer, the policy falls back to single requests for good.
 * - Retries (408/409/429/5xx, connection errors; capped exponential backoff honouring
 *   retry-after) and the per-request deadline are the openai client's; a concurrency limit
 *   bounds requests in flight. A generation that still fails is returned as failed and is
 *   never turned into an empty answer.
 */
import { createHash } from 'node:crypto';
import OpenAI from 'openai';
import pLimit from 'p-limit';
import type { ChatMessage } from '../../env/types.ts';
import { agentError } from '../errors.ts';

export interface OpenAiPolicyOptions {
  baseURL: string;
  model: string;
  apiKey?: string;
  api?: 'chat' | 'completions';
  /** 0 = greedy. */
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  /**
   * Base seed. A request's seed is derived from it, the prompt and the sample's index
   * (`requestSeed`), so servers that honour seeds make runs reproducible while each question
   * draws from a stream of its own, and each sample of a question from its own seed.
   */
  seed?: number;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** Retries per request (default 3). */
  retries?: number;
  /** Deadline of one request attempt (ms, default 120 s). */
  timeoutMs?: number;
  /** `n` in one request: 'auto' (try, fall back), 'never' (n requests). */
  nPerRequest?: 'auto' | 'never';
  /**
   * Most samples per request (default 16): a larger n is sent as several requests, so that no
   * request outlives fetch's 300 s wait for response headers on a slow local model.
   */
  maxNPerRequest?: number;
  /** Injected fetch (tests). */
  fetch?: typeof fetch;
}

export type Sample =
  | { ok: true; text: string; finishReason: string }
  | { ok: false; error: string };

export class OpenAiPolicy {
  readonly name: string;
  private readonly client: OpenAI;
  private readonly limit;
  private useN: boolean;
  private readonly o: Required<
    Pick<OpenAiPolicyOptions, 'api' | 'temperature' | 'topP' | 'maxTokens'>
  > &
    OpenAiPolicyOptions;

  constructor(opts: OpenAiPolicyOptions) {
    if (!opts.baseURL)
      throw agentError('FR_ERR_AGENT_BAD_OPTION', 'a base URL is needed (--base-url)');
    if (!opts.model)
      throw agentError('FR_ERR_AGENT_BAD_OPTION', 'a model name is needed (--model)');
    this.o = { api: 'chat', temperature: 0, topP: 1, maxTokens: 32, ...opts };
    if (!(this.o.temperature >= 0 && this.o.temperature <= 2)) {
      throw agentError(
        'FR_ERR_AGENT_BAD_OPTION',
        `temperature must be in [0, 2], got ${this.o.temperature}`,
      );
    }
    this.name = `openai:${opts.model}`;
    this.client = new OpenAI({
      baseURL: opts.baseURL,
      apiKey: opts.apiKey ?? process.env.OPENAI_API_KEY ?? 'none',
      maxRetries: opts.retries ?? 3,
      timeout: opts.timeoutMs ?? 120_000,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
    this.limit = pLimit(opts.concurrency ?? 8);
    this.useN = (opts.nPerRequest ?? 'auto') === 'auto';
  }

  /** The sampling settings, for run records. */
  get settings() {
    const { fetch: _f, apiKey: _k, ...rest } = this.o;
    return rest;
  }

  /** n answers to one prompt; each either text or a failure, never an invented answer. */
  async sample(
    messages: readonly ChatMessage[],
    n: number,
    signal?: AbortSignal,
  ): Promise<Sample[]> {
    if (n > 1 && this.useN) {
      const chunk = Math.max(1, this.o.maxNPerRequest ?? 16);
      const parts = await Promise.all(
        Array.from({ length: Math.ceil(n / chunk) }, (_, c) => {
          const size = Math.min(chunk, n - c * chunk);
          return this.limit(() => this.request(messages, size, signal, c * chunk)).then((r) => ({
            r,
            size,
          }));
        }),
      );
      const refused = parts.some(({ r, size }) => (r.ok ? r.samples.length !== size : r.refusedN));
      if (!refused) {
        return parts.flatMap(({ r, size }) =>
          r.ok
            ? r.samples
            : Array.from({ length: size }, () => ({ ok: false, error: r.error }) as Sample),
        );
      }
      this.useN = false; // the server ignores or refuses n: one request per sample from now on
    }
    return Promise.all(
      Array.from({ length: n }, (_, i) =>
        this.limit(async () => {
          const r = await this.request(messages, 1, signal, i);
          return r.ok ? r.samples[0]! : ({ ok: false, error: r.error } as Sample);
        }),
      ),
    );
  }

  private async request(
    messages: readonly ChatMessage[],
    n: number,
    signal: AbortSignal | undefined,
    sampleIndex = 0,
  ): Promise<{ ok: true; samples: Sample[] } | { ok: false; error: string; refusedN: boolean }> {
    const common = {
      model: this.o.model,
      temperature: this.o.temperature,
      top_p: this.o.topP,
      max_tokens: this.o.maxTokens,
      ...(n > 1 ? { n } : {}),
      ...(this.o.seed !== undefined
        ? { seed: requestSeed(this.o.seed, messages, sampleIndex) }
        : {}),
    };
    try {
      if (this.o.api === 'chat') {
        const r = await this.client.chat.completions.create(
          {
            ...common,
            messages: messages.map((m) => ({ role: m.role, content: m.content })) as never,
          },
          { signal },
        );
        return {
          ok: true,
          samples: r.choices.map((c) => textSample(c.message?.content, c.finish_reason)),
        };
      }
      const r = await this.client.completions.create(
        { ...common, prompt: renderPlain(messages) },
        { signal },
      );
      return { ok: true, samples: r.choices.map((c) => textSample(c.text, c.finish_reason)) };
    } catch (e) {
      const status = (e as { status?: number }).status;
      const msg = e instanceof Error ? e.message : String(e);
      return {
        ok: false,
        error: `${status ?? 'no status'}: ${msg}`.slice(0, 500),
        refusedN: n > 1 && status === 400 && /\bn\b/.test(msg),
      };
    }
  }
}

/**
 * The seed of one request: the base seed, plus a 30-bit hash of the prompt (so questions do
 * not share one random stream: with a fixed seed, sample j of every question would draw the
 * same uniforms), plus the index of the request's first sample (so n single-sample requests
 * are n different samples), modulo 2^31 (llama.cpp takes a uint32, OpenAI an int).
 */
export function requestSeed(
  base: number,
  messages: readonly ChatMessage[],
  sampleIndex: number,
): number {
  const digest = createHash('sha256')
    .update(JSON.stringify(messages.map((m) => [m.role, m.content])))
    .digest();
  const promptOffset = digest.readUInt32BE(0) >>> 2; // [0, 2^30)
  return (base + promptOffset + sampleIndex) % 2 ** 31;
}

function textSample(text: string | null | undefined, finish: string | null | undefined): Sample {
  if (typeof text !== 'string')
    return { ok: false, error: 'the server returned no text for this choice' };
  return { ok: true, text, finishReason: finish ?? 'unknown' };
}

/** Chat messages as one plain prompt for a completions endpoint. */
export function renderPlain(messages: readonly ChatMessage[]): string {
  const role = { system: 'System', user: 'User', assistant: 'Assistant' } as Record<string, string>;
  return `${messages.map((m) => `${role[m.role] ?? m.role}: ${m.content}`).join('\n\n')}\n\nAnswer:`;
}
