/**
 * The `llm` judge: asks a model behind any OpenAI-compatible endpoint for a structured verdict,
 * with our versioned grading prompt (grading-prompt.ts), through StructuredClient (retries,
 * breaker, concurrency limit, timeouts, coalescing) and the persistent SQLite verdict cache.
 *
 * Cheap paths first, both without a call: a prediction with no letter or digit is not attempted,
 * and a prediction that is literally a gold alias (case, surrounding space and a final full stop
 * aside) is correct. Nothing looser is decided without the model: a normalised exact match
 * would inherit every collision of normalize.ts ("-40" and "40" were one answer) and override
 * the grading prompt (an answer that only restates a question holding the gold is not
 * attempted). `shortCircuit: 'none'` sends every item to the model.
 *
 * Cached verdicts are keyed by the raw prediction (and the question and gold list), never a
 * normalised one: two answers that normalise alike may deserve different grades. A request that fails for good becomes a `judge_failed` verdict with reward
 * null and the error's code (retryable codes such as FR_ERR_JUDGE_UNAVAILABLE tell the caller
 * to try again later); it never becomes a guessed label.
 */
import { z } from 'zod';
import { isFactRecallError } from '../../lib/errors.ts';
import { canonicalJson, fingerprintOf, sha256 } from '../../lib/hash.ts';
import { SqliteCache } from '../../lib/llm/sqlite-cache.ts';
import { StructuredClient, type StructuredClientStats } from '../../lib/llm/structured-client.ts';
import { cacheDir } from '../../lib/paths.ts';
import { judgeError } from '../errors.ts';
import { normalizeAnswer } from '../normalize.ts';
import { payableAnswers } from '../restated.ts';
import type { Judge, JudgeItem, Verdict } from '../types.ts';
import { assertValidItems, failedVerdict, okVerdict, throwIfCancelled } from '../verdicts.ts';
import {
  GRADING_PROMPT_VERSION,
  gradedVerdictSchema,
  gradingMessages,
  labelOfGrade,
  ONE_WORD_INSTRUCTION,
  PROMPT_STYLES,
  type PromptStyle,
  parseOneWordVerdict,
} from './grading-prompt.ts';
import { asJudgeError } from './llm-errors.ts';

/**
 * Bump when the judge's own logic (not the prompt) changes in a way that can change verdicts.
 * 3: the golds shown and matched are the payable ones (judges/restated.ts), as exact v2 /
 * contains v4.
 */
export const LLM_JUDGE_VERSION = 3;

export const llmJudgeOptionsSchema = z
  .object({
    /** Default OPENAI_BASE_URL. */
    baseURL: z.string().url().optional(),
    /** Default OPENAI_API_KEY. Never part of the fingerprint. */
    apiKey: z.string().optional(),
    /** Default FACTRECALL_JUDGE_MODEL. */
    model: z.string().min(1).optional(),
    timeoutMs: z.number().int().positive().default(30_000),
    concurrency: z.number().int().positive().default(16),
    maxRetries: z.number().int().min(0).default(4),
    initialDelayMs: z.number().nonnegative().default(250),
    maxDelayMs: z.number().nonnegative().default(8_000),
    parseRetries: z.number().int().min(0).default(2),
    breakerFailures: z.number().int().positive().default(8),
    breakerCooldownMs: z.number().int().nonnegative().default(10_000),
    responseFormat: z.enum(['auto', 'json_schema', 'text']).default('auto'),
    /** The reply is {"grade": "A"}: a few tokens. */
    maxTokens: z.number().int().positive().default(16),
    /** 'literal': decide a prediction that is literally a gold alias without a call; 'none'. */
    shortCircuit: z.enum(['literal', 'none']).default('literal'),
    /** 'full' grading prompt, or 'short' for small local models (grading-prompt.ts). */
    promptStyle: z.enum(PROMPT_STYLES).default('full'),
    /** SQLite verdict cache file; null for none. Default: .cache/judges/verdicts.sqlite. */
    cachePath: z.string().nullable().optional(),
  })
  .strict();
export type LlmJudgeOptions = z.input<typeof llmJudgeOptionsSchema>;

/** Cache key of one item: question, gold list, and the prediction exactly as given. */
export function verdictCacheKey(item: JudgeItem): string {
  return sha256(canonicalJson({ q: item.question, gold: item.answers, p: item.prediction }));
}

/** Case, Unicode form, runs of space and a final full stop aside: nothing a grade depends on. */
function literal(s: string): string {
  return s.normalize('NFC').trim().replace(/\s+/g, ' ').replace(/\.$/, '').toLowerCase();
}

/** True when the prediction is literally one of the gold aliases. */
export function isLiteralMatch(item: JudgeItem): boolean {
  const p = literal(item.prediction);
  return p !== '' && item.answers.some((a) => literal(a) === p);
}

export interface LlmJudgeStats extends StructuredClientStats {
  shortCircuits: number;
  failedVerdicts: number;
}

export class LlmJudge implements Judge {
  readonly id = 'llm';
  readonly fingerprint: string;
  readonly model: string;
  private readonly client: StructuredClient;
  private readonly cache: SqliteCache | undefined;
  private readonly shortCircuit: 'literal' | 'none';
  private readonly promptStyle: PromptStyle;
  private shortCircuits = 0;
  private failedVerdicts = 0;
  /** Items in progress at once (see judge()). */
  private readonly window: number;

  /**
   * `deps.fetch` replaces the HTTP transport (tests, benchmarks); by default the client's
   * keep-alive transport (lib/llm/http-fetch.ts). It never changes a verdict, so it is not part
   * of the fingerprint.
   */
  constructor(options: LlmJudgeOptions = {}, deps: { fetch?: typeof fetch } = {}) {
    const parsed = llmJudgeOptionsSchema.safeParse(options);
    if (!parsed.success) {
      throw judgeError('FR_ERR_JUDGE_INVALID_SPEC', `llm options: ${parsed.error.message}`);
    }
    const o = parsed.data;
    const model = o.model ?? process.env.FACTRECALL_JUDGE_MODEL;
    if (!model)
      throw judgeError('FR_ERR_JUDGE_CONFIG', 'no model (option model or FACTRECALL_JUDGE_MODEL)');
    const baseURL = o.baseURL ?? process.env.OPENAI_BASE_URL;
    if (!baseURL)
      throw judgeError('FR_ERR_JUDGE_CONFIG', 'no base URL (option baseURL or OPENAI_BASE_URL)');
    this.model = model;
    this.fingerprint = fingerprintOf({
      id: 'llm',
      version: LLM_JUDGE_VERSION,
      prompt: GRADING_PROMPT_VERSION,
      model,
      temperature: 0,
      maxTokens: o.maxTokens,
      responseFormat: o.responseFormat,
      shortCircuit: o.shortCircuit,
      promptStyle: o.promptStyle,
    });
    this.promptStyle = o.promptStyle;
    this.shortCircuit = o.shortCircuit;
    this.window = 2 * o.concurrency;
    this.cache = o.cachePath === null ? undefined : openCache(o.cachePath);
    this.client = new StructuredClient({
      baseURL,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      ...(o.apiKey !== undefined ? { apiKey: o.apiKey } : {}),
      model,
      timeoutMs: o.timeoutMs,
      concurrency: o.concurrency,
      retry: {
        maxRetries: o.maxRetries,
        initialDelayMs: o.initialDelayMs,
        maxDelayMs: o.maxDelayMs,
      },
      parseRetries: o.parseRetries,
      breaker: { failureThreshold: o.breakerFailures, cooldownMs: o.breakerCooldownMs },
      responseFormat: o.responseFormat,
      temperature: 0,
      maxTokens: o.maxTokens,
      ...(this.cache ? { cache: this.cache.namespace(this.fingerprint) } : {}),
    });
  }

  get stats(): LlmJudgeStats {
    return {
      ...this.client.stats,
      shortCircuits: this.shortCircuits,
      failedVerdicts: this.failedVerdicts,
    };
  }

  async judge(
    items: readonly JudgeItem[],
    opts: { signal?: AbortSignal } = {},
  ): Promise<Verdict[]> {
    assertValidItems(items);
    throwIfCancelled(opts.signal);
    // At most `window` items in progress (twice the HTTP concurrency, so requests sleeping on a
    // retry backoff do not leave the HTTP slots idle), not every item of the batch at once:
    // starting them all built every item's prompt and request up front and kept them alive
    // until their turn, and on the judge benchmark (3,000 items, concurrency 64) the young
    // generation then held thousands of live requests, with a scavenge every few dozen
    // verdicts and a mark-compact of ~70 ms in a 3-second run. Verdicts keep the items' order.
    const out = new Array<Verdict>(items.length);
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const i = next++;
        try {
          out[i] = await this.judgeOne(items[i]!, opts.signal);
        } catch (e) {
          next = items.length; // cancelled: start nothing more
          throw e;
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(this.window, items.length) }, worker));
    } finally {
      // A batch's verdicts are in the cache file when judge() returns (another process, or
      // another judge on the same file, sees them), not one loop turn later.
      this.cache?.flush();
    }
    return out;
  }

  private async judgeOne(asked: JudgeItem, signal: AbortSignal | undefined): Promise<Verdict> {
    const start = performance.now();
    // An alias the question spells out is not shown as a gold nor matched literally (the rule
    // of exact and contains: judges/restated.ts), so restating the question is not paid here
    // either; the grader still sees every other alias.
    const item = { ...asked, answers: payableAnswers(asked.question, asked.answers) };
    // An ASCII letter or digit always survives normalisation, so only an answer without one
    // pays for the full normaliser (the same verdicts, without its regex passes on every item).
    if (!/[A-Za-z0-9]/.test(item.prediction) && normalizeAnswer(item.prediction) === '') {
      this.shortCircuits++;
      return okVerdict(this.id, 'not_attempted', performance.now() - start, {
        reasoning: 'blank answer',
      });
    }
    if (this.shortCircuit === 'literal' && isLiteralMatch(item)) {
      this.shortCircuits++;
      return okVerdict(this.id, 'correct', performance.now() - start, {
        reasoning: 'literally a gold alias',
      });
    }
    try {
      const r = await this.client.request({
        messages: gradingMessages(item, this.promptStyle),
        schema: gradedVerdictSchema,
        schemaName: 'factrecall_verdict',
        text: { instruction: ONE_WORD_INSTRUCTION, parse: parseOneWordVerdict },
        cacheKey: verdictCacheKey(item),
        ...(signal ? { signal } : {}),
      });
      return okVerdict(this.id, labelOfGrade(r.value.grade), performance.now() - start, {
        cached: r.cached,
        reasoning: `grade ${r.value.grade}`,
      });
    } catch (e) {
      const error = asJudgeError(e);
      if (isFactRecallError(error, 'FR_ERR_JUDGE_CANCELLED')) throw error;
      this.failedVerdicts++;
      return failedVerdict(this.id, error, performance.now() - start);
    }
  }

  async close(): Promise<void> {
    this.cache?.close();
  }
}

/** Where verdicts are cached unless told otherwise (FACTRECALL_CACHE or .cache/). */
export function defaultVerdictCachePath(): string {
  return cacheDir('judges', 'verdicts.sqlite');
}

function openCache(path: string | undefined): SqliteCache {
  try {
    return new SqliteCache(path ?? defaultVerdictCachePath());
  } catch (e) {
    throw asJudgeError(e);
  }
}
