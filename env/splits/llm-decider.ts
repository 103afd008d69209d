/**
 * The LLM containment decider: one structured request per (test, train) pair through the
 * shared LLM client (lib/llm) (retries with backoff, circuit breaker, concurrency limit,
 * timeouts, schema-checked replies, coalescing) and a persistent SQLite cache namespaced by
 * this decider's fingerprint, so a decision is paid for once per model and prompt version.
 * A pair the client cannot decide rejects with the client's coded error; dedup reports it and
 * never reads it as "not contained".
 */
import { fingerprintOf } from '../../lib/hash.ts';
import type { RetryPolicy } from '../../lib/llm/retry-policy.ts';
import { SqliteCache } from '../../lib/llm/sqlite-cache.ts';
import { type ResponseFormatMode, StructuredClient } from '../../lib/llm/structured-client.ts';
import { cacheDir } from '../../lib/paths.ts';
import {
  CONTAINMENT_PROMPT_VERSION,
  containmentMessages,
  containmentSchema,
} from './containment-prompt.ts';
import type {
  ContainmentDecider,
  ContainmentDecision,
  ContainmentPair,
  DeciderInfo,
} from './decider.ts';
import { pairContentKey } from './decision-log.ts';
import { splitsError } from './errors.ts';

export interface LlmDeciderOptions {
  /** OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1. Default OPENAI_BASE_URL. */
  baseURL?: string;
  /** Default OPENAI_API_KEY. Never part of the fingerprint. */
  apiKey?: string;
  /** Default FACTRECALL_DEDUP_MODEL, then FACTRECALL_JUDGE_MODEL. */
  model?: string;
  timeoutMs?: number;
  /** HTTP requests in flight at once. Default 16. */
  concurrency?: number;
  /** Retry policy overrides (default: the LLM client's, 4 retries from 250 ms). */
  retry?: Partial<RetryPolicy>;
  responseFormat?: ResponseFormatMode;
  maxTokens?: number;
  /** SQLite cache file; null turns the cache off. Default <cache>/splits/containment.sqlite. */
  cachePath?: string | null;
  /** Custom fetch for the openai client (tests). */
  fetch?: typeof fetch;
}

/** Bump when the request or the reading of the reply changes (with the prompt version). */
const LLM_DECIDER_VERSION = 1;

/** The endpoint and model an LLM decider would use, or undefined when none is configured. */
export function configuredLlm(
  opts: Pick<LlmDeciderOptions, 'baseURL' | 'model'> = {},
): { baseURL: string; model: string } | undefined {
  const baseURL = opts.baseURL ?? process.env.OPENAI_BASE_URL;
  const model =
    opts.model ?? process.env.FACTRECALL_DEDUP_MODEL ?? process.env.FACTRECALL_JUDGE_MODEL;
  return baseURL && model ? { baseURL, model } : undefined;
}

export class LlmDecider implements ContainmentDecider {
  readonly info: DeciderInfo;
  private readonly client: StructuredClient;
  private readonly cache: SqliteCache | undefined;

  constructor(opts: LlmDeciderOptions = {}) {
    const llm = configuredLlm(opts);
    if (!llm) {
      throw splitsError(
        'FR_ERR_SPLITS_LLM_NOT_CONFIGURED',
        'set --llm-base-url/OPENAI_BASE_URL and --llm-model/FACTRECALL_DEDUP_MODEL',
      );
    }
    const maxTokens = opts.maxTokens ?? 256;
    const responseFormat = opts.responseFormat ?? 'auto';
    const settings = {
      version: LLM_DECIDER_VERSION,
      prompt: CONTAINMENT_PROMPT_VERSION,
      model: llm.model,
      temperature: 0,
      maxTokens,
      responseFormat,
    };
    this.info = { kind: 'llm', fingerprint: fingerprintOf({ kind: 'llm', ...settings }), settings };
    this.cache =
      opts.cachePath === null
        ? undefined
        : new SqliteCache(opts.cachePath ?? cacheDir('splits', 'containment.sqlite'));
    this.client = new StructuredClient({
      baseURL: llm.baseURL,
      model: llm.model,
      ...(opts.apiKey !== undefined ? { apiKey: opts.apiKey } : {}),
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
      ...(opts.retry ? { retry: opts.retry } : {}),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
      responseFormat,
      temperature: 0,
      maxTokens,
      ...(this.cache ? { cache: this.cache.namespace(this.info.fingerprint) } : {}),
    });
  }

  get stats() {
    return this.client.stats;
  }

  async decide(
    pair: ContainmentPair,
    opts: { signal?: AbortSignal } = {},
  ): Promise<ContainmentDecision> {
    const { value, cached } = await this.client.request({
      messages: containmentMessages(pair.test, pair.train),
      schema: containmentSchema,
      schemaName: 'containment',
      cacheKey: pairContentKey(this.info.fingerprint, pair.test, pair.train),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return { isContained: value.is_contained, reasoning: value.reasoning, cached };
  }

  async close(): Promise<void> {
    this.cache?.close();
  }
}
