/**
 * The llama.cpp backend of the OpenAI-compatible server: a GGUF model through node-llama-cpp
 * (`LocalModel`). Each choice of a request takes one context sequence; at most `sequences` run
 * at once and up to `maxQueue` wait in FIFO order (beyond that: `QueueFullError`, a 429).
 * JSON schemas become a llama.cpp grammar; what the grammar compiler cannot take (e.g.
 * `maxLength`) is checked on the finished answer, which is generated again up to
 * `schemaRetries` times when it breaks the schema.
 */
import type { LlamaGrammar, Token } from 'node-llama-cpp';
import type { ChoiceParams, PreparedPrompt, ServingBackend } from './backend.ts';
import { compileChecker, grammarSchema, type SchemaCheck } from './json-schema.ts';
import type { ChatMessage, Generation, LocalModel } from './local-model.ts';
import { ApiError, badRequest } from './openai-wire.ts';
import { Semaphore } from './queue.ts';

export interface LlamaPrompt extends PreparedPrompt {
  readonly tokens: number;
  readonly ids: Token[];
  /** The chat template's own end-of-turn token sequences. */
  readonly stops: Token[][];
}

export interface LlamaBackendOptions {
  /** Choices allowed to wait for a sequence (default 256). */
  maxQueue?: number;
  /** Extra generations when a finished JSON-schema answer breaks a constraint the grammar could not carry (default 2). */
  schemaRetries?: number;
}

export class LlamaBackend implements ServingBackend<LlamaPrompt> {
  readonly engine = 'llama';
  readonly features = { logprobs: true, topLogprobs: 20, jsonSchema: true };
  private readonly slots: Semaphore;
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();
  private readonly schemaRetries: number;

  constructor(
    readonly model: LocalModel,
    opts: LlamaBackendOptions = {},
  ) {
    this.slots = new Semaphore(model.sequences, opts.maxQueue ?? 256);
    this.schemaRetries = opts.schemaRetries ?? 2;
  }

  get contextSize(): number {
    return this.model.contextSize;
  }

  get fingerprint(): string {
    return `factrecall-llama-${this.model.threads}t`;
  }

  health() {
    return {
      ok: true,
      sequences: this.model.sequences,
      contextSize: this.model.contextSize,
      threads: this.model.threads,
      running: this.slots.running,
      queued: this.slots.queued,
    };
  }

  async chatPrompt(messages: readonly ChatMessage[]): Promise<LlamaPrompt> {
    const { tokens, stops } = this.model.chatPrompt(messages);
    return { tokens: tokens.length, ids: tokens, stops };
  }

  async textPrompt(text: string): Promise<LlamaPrompt> {
    const ids = this.model.tokenize(text);
    return { tokens: ids.length, ids, stops: [] };
  }

  async generate(prompt: LlamaPrompt, n: number, params: ChoiceParams, signal: AbortSignal) {
    let check: ((text: string) => SchemaCheck) | undefined;
    let grammar: LlamaGrammar | undefined;
    if (params.jsonSchema !== undefined) {
      try {
        check = compileChecker(params.jsonSchema);
        grammar = await this.schemaGrammar(params.jsonSchema);
      } catch (e) {
        throw badRequest(
          `response_format schema cannot be used: ${(e as Error).message}`,
          'response_format',
          'invalid_json_schema',
        );
      }
    }
    const generations = await Promise.all(
      Array.from({ length: n }, (_, i) => this.choice(prompt, i, params, signal, grammar, check)),
    );
    return { promptTokens: prompt.tokens, generations };
  }

  /** One choice: a slot, a generation, and for JSON schemas a check with retries. */
  private async choice(
    prompt: LlamaPrompt,
    i: number,
    p: ChoiceParams,
    signal: AbortSignal,
    grammar: LlamaGrammar | undefined,
    check: ((text: string) => SchemaCheck) | undefined,
  ): Promise<Generation> {
    let last: Generation | undefined;
    let why = '';
    for (let attempt = 0; attempt <= (check ? this.schemaRetries : 0); attempt++) {
      const release = await this.slots.acquire(signal);
      try {
        const seed = (p.seed + i + attempt * 1_000_003) % 2 ** 31;
        last = await this.model.generate(
          prompt.ids,
          {
            maxTokens: p.maxTokens,
            temperature: p.temperature,
            topP: p.topP,
            stop: p.stop,
            seed,
            signal,
            ...(grammar ? { grammar } : {}),
            ...(p.logprobs ? { logprobs: p.logprobs } : {}),
          },
          prompt.stops,
        );
      } finally {
        release();
      }
      if (!check || last.finishReason === 'length') return last;
      const r = check(last.text);
      if (r.ok) return last;
      why = r.error;
    }
    throw new ApiError(
      500,
      `The model's JSON broke the schema on ${this.schemaRetries + 1} attempts: ${why}`,
      'server_error',
      'response_format',
      'schema_violation',
    );
  }

  private schemaGrammar(schema: unknown): Promise<LlamaGrammar> {
    const g = grammarSchema(schema);
    const key = JSON.stringify(g);
    let p = this.grammars.get(key);
    if (!p) {
      // biome-ignore lint/suspicious/noExplicitAny: the translated schema is checked at run time by the compiler
      p = this.model.llama.createGrammarForJsonSchema(g as any);
      this.grammars.set(key, p);
      p.catch(() => this.grammars.delete(key));
    }
    return p;
  }

  close(): Promise<void> {
    return this.model.close();
  }
}
