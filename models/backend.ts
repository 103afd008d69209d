/**
 * What the OpenAI-compatible server (`server.ts`) needs of the model behind it. The server owns
 * HTTP, request validation and the response shapes; a backend owns prompts, generation and its
 * own concurrency. Two backends exist: llama.cpp over a GGUF file (`llama-backend.ts`, here)
 * and a transformers model in the Python policy worker (cuda-agent's `serving/worker-backend.ts`,
 * which batches requests into one forward pass). Both pass the same conformance suite
 * (test/conformance/serving-backend.ts).
 */
import type { ChatMessage, Generation } from './local-model.ts';

export type { ChatMessage, Generation, TokenLogprob } from './local-model.ts';

/** A prompt as a backend prepared it. `tokens` is its length where known before generation. */
export interface PreparedPrompt {
  readonly tokens?: number;
}

/** How to generate the choices of one request. */
export interface ChoiceParams {
  maxTokens: number;
  /** 0 = greedy. */
  temperature: number;
  topP: number;
  /** The request's seed (random when it sent none); choice i samples with seed + i. */
  seed: number;
  /** True when the request itself sent `seed` (the answer must then be reproducible). */
  seeded: boolean;
  /** Stop strings: a choice ends before the first one, which is not returned. */
  stop: readonly string[];
  /** Log-probability of each chosen token, with `top` alternatives. */
  logprobs?: { top: number };
  /** A JSON schema the answer must satisfy (backends with `features.jsonSchema`). */
  jsonSchema?: unknown;
}

export interface BackendFeatures {
  /** Per-token log-probabilities (`logprobs`). */
  logprobs: boolean;
  /** Most alternatives per token (`top_logprobs`); 0 = none. */
  topLogprobs: number;
  /** `response_format` JSON schemas enforced during generation. */
  jsonSchema: boolean;
}

export interface ServingBackend<P extends PreparedPrompt = PreparedPrompt> {
  /** `llama` or `hf`, for /healthz and `system_fingerprint`. */
  readonly engine: string;
  /** Tokens a request may hold, prompt + completion. */
  readonly contextSize: number;
  readonly features: BackendFeatures;
  /** `system_fingerprint` of responses. */
  readonly fingerprint: string;
  /** Backend-specific fields of /healthz (queue depth, threads, ...); `ok: false` makes it 503. */
  health(): Record<string, unknown> & { ok: boolean };
  /** A chat rendered with the model's own template, ending where the assistant's turn begins. */
  chatPrompt(messages: readonly ChatMessage[]): Promise<P>;
  /** A raw text prompt (the legacy completions API). */
  textPrompt(text: string): Promise<P>;
  /**
   * n choices of one prompt. Throws `ApiError` for what the request got wrong and
   * `QueueFullError` when the backend's queue is full; aborting `signal` stops the work.
   */
  generate(
    prompt: P,
    n: number,
    params: ChoiceParams,
    signal: AbortSignal,
  ): Promise<{ promptTokens: number; generations: Generation[] }>;
  close(): Promise<void>;
}
