/**
 * The `hf` serving backend: a transformers model in the Python policy worker behind the
 * OpenAI-compatible server (`models/server.ts`), so that any model the GRPO agent trains can be
 * evaluated by `factrecall eval` like any endpoint.
 *
 * The worker decodes a batch of rows in one forward pass per token, which on a CPU is several
 * times faster than one row at a time (measured in docs/baselines/smollm2.md). So requests are
 * queued and, whenever the worker is free, every queued request that can share a `generate`
 * call with the oldest one is sent in it, up to `maxBatchRows` rows (prompts x n):
 * - greedy requests with the same max_tokens share a call (the seed cannot change them);
 * - sampled requests without a seed share a call when n, temperature, top_p and max_tokens
 *   agree (they draw from the worker's generator);
 * - a sampled request with a seed runs alone with that seed, so it is reproducible.
 * A batch the worker refuses as a whole (a prompt too long for the context) is retried request
 * by request, so one bad request never fails the others. Stop strings cut the decoded text.
 */

import type { FactRecallError } from '../../../lib/errors.ts';
import type {
  ChatMessage,
  ChoiceParams,
  Generation,
  PreparedPrompt,
  ServingBackend,
} from '../../../models/backend.ts';
import { firstStop } from '../../../models/local-model.ts';
import { ApiError, badRequest } from '../../../models/openai-wire.ts';
import { QueueFullError } from '../../../models/queue.ts';
import { usableCpus } from '../../../models/threads.ts';
import { WorkerClient } from '../worker-client.ts';
import type { GeneratedSample, InitParams, Prompt } from '../worker-types.ts';

export interface WorkerPrompt extends PreparedPrompt {
  readonly prompt: Prompt;
}

export interface WorkerBackendOptions {
  /** What `init.model.path` gets: a model directory, a GGUF file or a hub id. */
  modelPath: string;
  /** Tokens a request may hold, prompt + completion (default 2048). */
  contextSize?: number;
  /** torch CPU threads (default: the CPUs this process may use). */
  threads?: number;
  device?: 'auto' | 'cpu' | 'cuda';
  /** `auto` (default): bfloat16 on CUDA, float32 on CPU. */
  dtype?: 'auto' | 'float32' | 'bfloat16' | 'float16';
  /** Rows (prompts x n) per `generate` call (default 256). */
  maxBatchRows?: number;
  /** Rows allowed to wait before a request is refused with 429 (default 4096). */
  maxQueueRows?: number;
  /** Seed of the worker's own generator (unseeded requests). */
  seed?: number;
  python?: string;
  /** Deadline of one `generate` call (default 10 minutes). */
  callTimeoutMs?: number;
}

interface Job {
  prompt: Prompt;
  n: number;
  params: ChoiceParams;
  signal: AbortSignal;
  key: string;
  resolve: (r: { promptTokens: number; generations: Generation[] }) => void;
  reject: (e: unknown) => void;
  onAbort: () => void;
}

let soloKeys = 0;

/** Requests with the same key may share a `generate` call (see the module comment). */
function batchKey(n: number, p: ChoiceParams): string {
  if (p.temperature === 0) return `greedy|${n}|${p.maxTokens}`;
  if (p.seeded) return `solo|${soloKeys++}`;
  return `sampled|${n}|${p.temperature}|${p.topP}|${p.maxTokens}`;
}

export class WorkerBackend implements ServingBackend<WorkerPrompt> {
  readonly engine = 'hf';
  readonly features = { logprobs: false, topLogprobs: 0, jsonSchema: false };
  private readonly queue: Job[] = [];
  private busy = false;
  private batches = 0;
  private rowsDone = 0;

  private constructor(
    readonly worker: WorkerClient,
    readonly contextSize: number,
    readonly threads: number,
    readonly device: string,
    private readonly opts: WorkerBackendOptions,
  ) {}

  /** Start a worker and load the model. @throws FR_ERR_WORKER_* (no Python, model not found, ...) */
  static async start(opts: WorkerBackendOptions): Promise<WorkerBackend> {
    const threads = opts.threads ?? usableCpus();
    const contextSize = opts.contextSize ?? 2048;
    const worker = await WorkerClient.start({
      ...(opts.python ? { python: opts.python } : {}),
      defaultTimeoutMs: opts.callTimeoutMs ?? 600_000,
    });
    const init: InitParams = {
      engine: 'hf',
      seed: opts.seed ?? 0,
      device: opts.device ?? 'auto',
      threads,
      model: { path: opts.modelPath, dtype: opts.dtype ?? 'auto', max_length: contextSize },
    };
    try {
      const r = await worker.init(init);
      return new WorkerBackend(worker, contextSize, threads, r.device, opts);
    } catch (e) {
      await worker.shutdown().catch(() => worker.kill());
      throw e;
    }
  }

  get fingerprint(): string {
    return `factrecall-hf-${this.device}-${this.threads}t`;
  }

  private get queuedRows(): number {
    return this.queue.reduce((a, j) => a + j.n, 0);
  }

  health() {
    return {
      ok: !this.worker.exited,
      contextSize: this.contextSize,
      threads: this.threads,
      device: this.device,
      maxBatchRows: this.maxBatchRows,
      running: this.busy ? 1 : 0,
      queued: this.queue.length,
      queuedRows: this.queuedRows,
      batches: this.batches,
      rows: this.rowsDone,
    };
  }

  private get maxBatchRows(): number {
    return this.opts.maxBatchRows ?? 256;
  }

  async chatPrompt(messages: readonly ChatMessage[]): Promise<WorkerPrompt> {
    // The worker renders the model's own chat template (developer = system for templates).
    return {
      prompt: {
        messages: messages.map((m) => ({
          role: m.role === 'developer' ? 'system' : m.role,
          content: m.content,
        })),
      },
    };
  }

  async textPrompt(text: string): Promise<WorkerPrompt> {
    return { prompt: text };
  }

  generate(prompt: WorkerPrompt, n: number, params: ChoiceParams, signal: AbortSignal) {
    signal.throwIfAborted();
    if (this.worker.exited)
      return Promise.reject(
        new ApiError(
          503,
          // Why, every time: a client that retried the request that saw the crash gets this.
          `The model worker has stopped (${this.worker.failureReason ?? 'no reason recorded'}).`,
          'server_error',
          null,
          'worker_down',
        ),
      );
    const maxQueue = this.opts.maxQueueRows ?? 4096;
    if (this.queuedRows + n > maxQueue)
      return Promise.reject(
        new QueueFullError(`${this.queuedRows} rows queued, at most ${maxQueue}`),
      );
    return new Promise<{ promptTokens: number; generations: Generation[] }>((resolve, reject) => {
      const job: Job = {
        prompt: prompt.prompt,
        n,
        params,
        signal,
        key: batchKey(n, params),
        resolve,
        reject,
        onAbort: () => {
          const i = this.queue.indexOf(job);
          if (i >= 0) {
            this.queue.splice(i, 1);
            reject(signal.reason);
          }
        },
      };
      signal.addEventListener('abort', job.onAbort, { once: true });
      this.queue.push(job);
      this.pump();
    });
  }

  /** Send the next batch when the worker is free. */
  private pump(): void {
    if (this.busy || this.queue.length === 0) return;
    const first = this.queue[0]!;
    const batch: Job[] = [];
    let rows = 0;
    for (const j of [...this.queue]) {
      if (j.key !== first.key) continue;
      if (batch.length > 0 && rows + j.n > this.maxBatchRows) break;
      batch.push(j);
      rows += j.n;
    }
    for (const j of batch) {
      this.queue.splice(this.queue.indexOf(j), 1);
      j.signal.removeEventListener('abort', j.onAbort);
    }
    this.busy = true;
    this.run(batch)
      .catch(() => undefined) // each job was settled by run
      .finally(() => {
        this.busy = false;
        this.pump();
      });
  }

  private async run(batch: Job[]): Promise<void> {
    try {
      await this.call(batch);
    } catch (e) {
      const code = (e as FactRecallError).code;
      const perRequest = code === 'FR_ERR_WORKER_TOO_LONG' || code === 'FR_ERR_WORKER_BAD_PARAMS';
      if (batch.length > 1 && perRequest) {
        for (const j of batch) await this.call([j]).catch((err) => j.reject(apiError(err)));
      } else {
        for (const j of batch) j.reject(apiError(e));
      }
    }
  }

  /** One `generate` call for jobs of one key; settles them on success, throws otherwise. */
  private async call(batch: Job[]): Promise<void> {
    const { n, params } = batch[0]!;
    const greedy = params.temperature === 0;
    const r = await this.worker.generate({
      prompts: batch.map((j) => j.prompt),
      n,
      max_new_tokens: params.maxTokens,
      temperature: greedy ? 1 : params.temperature,
      top_p: params.topP,
      greedy,
      ...(params.seeded && !greedy ? { seed: params.seed } : {}),
    });
    this.batches++;
    this.rowsDone += batch.length * n;
    batch.forEach((j, i) => {
      const res = r.results[i]!;
      j.resolve({
        promptTokens: res.prompt_ids.length,
        generations: res.samples.map((s) => toGeneration(s, j.params.stop)),
      });
    });
  }

  async close(): Promise<void> {
    for (const j of this.queue.splice(0)) {
      j.signal.removeEventListener('abort', j.onAbort);
      j.reject(new ApiError(503, 'The server is shutting down.', 'server_error', null, 'shutdown'));
    }
    await this.worker.shutdown();
  }
}

/** A worker sample as an OpenAI choice: stop strings cut the text; the stop token is not counted. */
function toGeneration(s: GeneratedSample, stops: readonly string[]): Generation {
  const cut = firstStop(s.text, stops);
  const ended = s.finish_reason === 'stop';
  return {
    text: cut === undefined ? s.text : s.text.slice(0, cut),
    completionTokens: s.token_ids.length - (ended ? 1 : 0),
    finishReason: cut !== undefined || ended ? 'stop' : 'length',
  };
}

/** A worker error as the HTTP error the client should see. */
function apiError(e: unknown): unknown {
  if (e instanceof ApiError) return e;
  const err = e as FactRecallError;
  if (err.code === 'FR_ERR_WORKER_TOO_LONG')
    return badRequest(
      `The prompt and max_tokens exceed the model's context: ${err.message}`,
      'messages',
      'context_length_exceeded',
    );
  if (err.code === 'FR_ERR_WORKER_BAD_PARAMS')
    return badRequest(
      `The model worker refused the request: ${err.message}`,
      null,
      'invalid_value',
    );
  return new ApiError(
    500,
    `The model worker failed: ${err.message ?? String(e)}`,
    'server_error',
    null,
    err.code ?? null,
  );
}
