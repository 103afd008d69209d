/**
 * A GGUF model on the CPU through node-llama-cpp: one context with several sequences (one per
 * request in flight), a chat template from the model file, and a token loop that gives the
 * OpenAI parameters their meaning (max_tokens, stop, seed, temperature, top_p, logprobs, a
 * grammar for JSON schemas).
 *
 * The prebuilt linux-x64 CPU binary is loaded with `build: "never"` (no compiler, no network)
 * and threads sized by `usableCpus()` (llama.cpp's default oversubscribes a shared machine).
 */
import {
  type ChatHistoryItem,
  getLlama,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaGrammar,
  LlamaGrammarEvaluationState,
  LlamaLogLevel,
  type LlamaModel,
  resolveChatWrapper,
  type Token,
} from 'node-llama-cpp';
import { modelError } from './errors.ts';
import { usableCpus } from './threads.ts';

export interface LocalModelOptions {
  /** Path of the GGUF file. */
  modelPath: string;
  /** Context sequences = requests generated at once (default 4). */
  sequences?: number;
  /** Tokens per sequence: prompt + completion (default 2048). */
  contextSize?: number;
  /** CPU threads (default: the CPUs this process may use). */
  threads?: number;
}

/** One chat message as the OpenAI API carries it (content already flattened to text). */
export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant';
  content: string;
}

export interface GenerateParams {
  maxTokens: number;
  /** 0 = greedy. */
  temperature: number;
  topP: number;
  seed: number;
  /** Stop strings: generation ends before the first one, which is not returned. */
  stop: readonly string[];
  grammar?: LlamaGrammar;
  /** Return the log-probability of each chosen token, with this many alternatives (0-20). */
  logprobs?: { top: number };
  signal?: AbortSignal;
}

export interface TokenLogprob {
  token: string;
  logprob: number;
  bytes: number[];
  top: Array<{ token: string; logprob: number; bytes: number[] }>;
}

export interface Generation {
  text: string;
  completionTokens: number;
  finishReason: 'stop' | 'length';
  logprobs?: TokenLogprob[];
}

export class LocalModel {
  private readonly free: LlamaContextSequence[];
  private readonly chatWrapper;

  private constructor(
    readonly llama: Llama,
    readonly model: LlamaModel,
    private readonly context: LlamaContext,
    readonly threads: number,
  ) {
    this.free = [];
    for (let i = 0; i < context.totalSequences; i++) this.free.push(context.getSequence());
    // The model's own Jinja chat template, as transformers applies it for the GRPO worker.
    this.chatWrapper = resolveChatWrapper(model, { type: 'jinjaTemplate' });
  }

  static async load(opts: LocalModelOptions): Promise<LocalModel> {
    const threads = opts.threads ?? usableCpus();
    const sequences = opts.sequences ?? 4;
    let llama: Llama;
    try {
      llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    } catch (e) {
      throw modelError(
        'FR_ERR_MODEL_LOAD_FAILED',
        `no prebuilt llama.cpp binary: ${(e as Error).message}`,
        { cause: e },
      );
    }
    try {
      const model = await llama.loadModel({ modelPath: opts.modelPath });
      // The context holds every sequence's tokens (llama.cpp splits n_ctx among them).
      const context = await model.createContext({
        sequences,
        contextSize: (opts.contextSize ?? 2048) * sequences,
        threads,
      });
      return new LocalModel(llama, model, context, threads);
    } catch (e) {
      await llama.dispose();
      throw modelError('FR_ERR_MODEL_LOAD_FAILED', `${opts.modelPath}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }

  /** Sequences in the context (= generations that can run at once). */
  get sequences(): number {
    return this.context.totalSequences;
  }

  /** Tokens one sequence holds (prompt + completion). */
  get contextSize(): number {
    return Math.floor(this.context.contextSize / this.context.totalSequences);
  }

  get chatWrapperName(): string {
    return this.chatWrapper.wrapperName;
  }

  tokenize(text: string): Token[] {
    return this.model.tokenize(text, false);
  }

  /** The prompt tokens of a chat, rendered with the model's chat template, ending where the assistant's turn begins. */
  chatPrompt(messages: readonly ChatMessage[]): { tokens: Token[]; stops: Token[][] } {
    const history: ChatHistoryItem[] = [];
    for (const m of messages) {
      if (m.role === 'system' || m.role === 'developer')
        history.push({ type: 'system', text: m.content });
      else if (m.role === 'user') history.push({ type: 'user', text: m.content });
      else history.push({ type: 'model', response: [m.content] });
    }
    history.push({ type: 'model', response: [] });
    const state = this.chatWrapper.generateContextState({ chatHistory: history });
    const tokens = state.contextText.tokenize(this.model.tokenizer);
    const stops = state.stopGenerationTriggers
      .map((t) => t.tokenize(this.model.tokenizer))
      .filter((t) => t.length > 0);
    return { tokens, stops };
  }

  /**
   * Generate one completion of `prompt` on a free sequence. The caller keeps at most
   * `sequences` generations in flight (the server's semaphore does).
   */
  async generate(
    prompt: Token[],
    params: GenerateParams,
    stopTokens: Token[][] = [],
  ): Promise<Generation> {
    const seq = this.free.pop();
    if (!seq)
      throw new Error('no free context sequence (more generations in flight than sequences)');
    try {
      // Keep the longest prefix of the prompt the sequence already holds (the n choices of a
      // request, and prompts sharing a chat preamble, skip re-evaluating it); at least the
      // last prompt token is evaluated again, to get the logits of the first new token.
      const held = seq.contextTokens;
      let keep = 0;
      const max = Math.min(held.length, prompt.length - 1);
      while (keep < max && held[keep] === prompt[keep]) keep++;
      if (keep === 0) await seq.clearHistory();
      else if (keep < held.length)
        await seq.eraseContextTokenRanges([{ start: keep, end: seq.nextTokenIndex }]);
      return await this.run(seq, prompt.slice(keep), params, stopTokens);
    } finally {
      this.free.push(seq);
    }
  }

  private async run(
    seq: LlamaContextSequence,
    prompt: Token[],
    p: GenerateParams,
    stopTokens: Token[][],
  ): Promise<Generation> {
    const grammarState = p.grammar
      ? new LlamaGrammarEvaluationState({ model: this.model, grammar: p.grammar })
      : undefined;
    const grammarStops = (p.grammar?.stopGenerationTriggers ?? []).map((t) =>
      typeof t === 'string' ? t : Array.isArray(t) ? '' : String(t),
    );
    const stops = [...p.stop, ...grammarStops.filter((s) => s.length > 0)];
    const want = p.logprobs;
    const tokens: Token[] = [];
    const logprobs: TokenLogprob[] = [];
    let text = '';
    // The iterator ends by itself on an end-of-generation token: that is a stop.
    let finishReason: Generation['finishReason'] = 'stop';
    const iter = seq.evaluateWithMetadata(
      prompt,
      { confidence: true, probabilities: (want?.top ?? 0) > 0 },
      {
        temperature: p.temperature,
        topP: p.topP,
        seed: p.seed,
        ...(grammarState ? { grammarEvaluationState: grammarState } : {}),
      },
    );
    for await (const out of iter) {
      p.signal?.throwIfAborted();
      const token = out.token;
      if (this.model.isEogToken(token)) break;
      tokens.push(token);
      if (stopTokens.some((s) => endsWith(tokens, s))) {
        const hit = stopTokens.find((s) => endsWith(tokens, s))!;
        tokens.length -= hit.length;
        text = this.model.detokenize(tokens);
        break;
      }
      if (want) logprobs.push(this.tokenLogprob(token, out, want.top));
      text = this.model.detokenize(tokens);
      const cut = firstStop(text, stops);
      if (cut !== undefined) {
        text = text.slice(0, cut);
        break;
      }
      if (tokens.length >= p.maxTokens) {
        finishReason = 'length';
        break;
      }
    }
    if (p.grammar?.trimWhitespaceSuffix) text = text.trimEnd();
    return {
      text,
      completionTokens: tokens.length,
      finishReason,
      ...(want ? { logprobs } : {}),
    };
  }

  private tokenLogprob(
    token: Token,
    out: { confidence?: number; probabilities?: Map<Token, number> },
    top: number,
  ): TokenLogprob {
    const entry = (t: Token, prob: number) => {
      const s = this.model.detokenize([t], true);
      return {
        token: s,
        logprob: prob > 0 ? Math.log(prob) : -9999,
        bytes: [...Buffer.from(s, 'utf8')],
      };
    };
    const own = entry(token, out.confidence ?? 0);
    const alts: TokenLogprob['top'] = [];
    if (top > 0 && out.probabilities) {
      const sorted = [...out.probabilities.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
      for (const [t, prob] of sorted) alts.push(entry(t, prob));
    }
    return { ...own, top: alts };
  }

  async close(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
    await this.llama.dispose();
  }
}

function endsWith(tokens: readonly Token[], suffix: readonly Token[]): boolean {
  if (suffix.length === 0 || suffix.length > tokens.length) return false;
  const off = tokens.length - suffix.length;
  return suffix.every((t, i) => tokens[off + i] === t);
}

/** Index of the earliest stop string in `text`, if any. */
export function firstStop(text: string, stops: readonly string[]): number | undefined {
  let best: number | undefined;
  for (const s of stops) {
    if (!s) continue;
    const i = text.indexOf(s);
    if (i >= 0 && (best === undefined || i < best)) best = i;
  }
  return best;
}
