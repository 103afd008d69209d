/**
 * The GRPO run config: one zod schema, every field documented, defaults from the method being
 * reproduced (GRPO on closed-book one-hop questions answered directly: lr 1e-6 for pretrained
 * LLMs, 128 questions per batch, 5 samples per question, 8 epochs, KL 0.001 with the k3
 * estimator against a frozen reference, PPO clip 0.2, T = 1.0, top-p 1.0, top-k off, greedy
 * evaluation). Validated once (unknown keys are errors), then deeply frozen.
 */

import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { fingerprintOf } from '../../../lib/hash.ts';
import { DEFAULT_MAX_BACKOFF_MS } from '../../../protocol/client/client.ts';
import { trainError } from './errors.ts';

const positiveInt = z.number().int().positive();

export const EnvConfigSchema = z.strictObject({
  id: z
    .string()
    .default('FactRecall-v0')
    .describe('Gymnasium-style env id served by the env server.'),
  dataset: z
    .enum(['nq_open', 'triviaqa', 'popqa', 'simpleqa', 'factworld'])
    .default('factworld')
    .describe('Question source. `factworld` is the embedded synthetic world (no files needed).'),
  splits: z
    .string()
    .optional()
    .describe(
      'Prepared splits the loopback server serves (`factrecall data prepare`): a dataset name (its cache folder) or a directory. Absent: the FactWorld world of the run.',
    ),
  judge: z.string().default('exact').describe("Judge spec: 'exact', 'contains', 'llm', 'panel'."),
  prompt: z
    .enum(['direct', 'cot'])
    .default('direct')
    .describe('Prompt template: `direct` (answer only, the paper setting) or `cot` (a baseline).'),
  transport: z
    .enum(['ws', 'grpc'])
    .default('ws')
    .describe('Protocol binding used to talk to the env server.'),
  url: z
    .string()
    .optional()
    .describe(
      'Address of a running env server (ws://host:port or host:port for gRPC). Absent: the coordinator starts one on 127.0.0.1 (random port) and stops it at the end.',
    ),
  urls: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe(
      "Several env servers hosting the same env (same data, judge, prompt): each training batch is cut into one shard per healthy server, and a failed server's shard is retried on another (cuda-agent/coordinator/training/env-pool.ts). Instead of `url`; not part of the learning hash, so a resume may use other servers.",
    ),
  token: z.string().optional().describe('Access token sent in hello (role trainer or policy).'),
  seed: z
    .number()
    .int()
    .default(0)
    .describe('Env seed: question order is a pure function of (seed, split, epoch).'),
});

export const GrpoConfigSchema = z.strictObject({
  lr: z
    .number()
    .positive()
    .default(1e-6)
    .describe(
      'AdamW learning rate. 1e-6 is the paper value for 7-8B LLMs; a tiny model needs far more (the FactWorld preset uses its own).',
    ),
  questionsPerBatch: positiveInt.default(128).describe('Questions per GRPO step (B).'),
  groupSize: z
    .number()
    .int()
    .min(2)
    .default(5)
    .describe('Sampled answers per question (n); advantages are relative within each group.'),
  epochs: positiveInt.default(8).describe('Passes over the RL training split.'),
  maxSteps: positiveInt
    .optional()
    .describe('Stop after this many steps even if epochs remain (absent: run all epochs).'),
  klCoef: z
    .number()
    .min(0)
    .default(0.001)
    .describe(
      'Weight of the KL penalty to the frozen reference model, inside the loss (k3 estimator: exp(r) - r - 1 with r = logp_ref - logp, unbiased and non-negative).',
    ),
  clipEps: z
    .number()
    .min(0)
    .max(1)
    .default(0.2)
    .describe('PPO ratio clip: the ratio is clipped to [1 - eps, 1 + eps].'),
  advantage: z
    .enum(['std', 'no_std'])
    .default('std')
    .describe(
      '`std`: (r - mean) / (std + eps) within each group (GRPO). `no_std`: r - mean (Dr. GRPO).',
    ),
  skipZeroVarianceGroups: z
    .boolean()
    .default(false)
    .describe(
      'Drop groups whose rewards are all equal from the update (their advantage is 0 anyway; skipping saves compute). Always counted in metrics.',
    ),
  innerEpochs: positiveInt
    .default(1)
    .describe(
      'Optimizer passes over each batch of samples (1 = on-policy; >1 makes the clip bite).',
    ),
  microBatchSize: positiveInt
    .default(64)
    .describe('Samples per forward/backward pass inside one train step (gradient accumulation).'),
  maxGradNorm: z.number().positive().default(1.0).describe('Global gradient-norm clip.'),
  weightDecay: z.number().min(0).default(0).describe('AdamW weight decay.'),
});

export const SamplingConfigSchema = z.strictObject({
  temperature: z
    .number()
    .positive()
    .default(1.0)
    .describe('Sampling temperature for training rollouts.'),
  topP: z.number().gt(0).max(1).default(1.0).describe('Nucleus sampling mass (1.0 = off).'),
  topK: z.number().int().min(0).default(0).describe('Top-k sampling (0 = off).'),
  maxNewTokens: positiveInt
    .default(16)
    .describe('Cap on generated tokens per answer (direct answers are short).'),
});

export const EvalConfigSchema = z.strictObject({
  everySteps: z
    .number()
    .int()
    .min(0)
    .default(50)
    .describe('Greedy evaluation every K steps (0 = only before and after training).'),
  splits: z
    .array(z.enum(['train', 'val', 'test']))
    .default(['val', 'test'])
    .describe('Splits evaluated with greedy decoding during training.'),
  maxQuestions: positiveInt
    .optional()
    .describe('Evaluate on the first N questions of each split (absent: all).'),
  passAtKSamples: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe(
      'Samples per question for pass@k before and after training (0 = skip; up to 128 as in the paper).',
    ),
  passAtKQuestions: positiveInt
    .default(200)
    .describe('Questions per split used for pass@k and accessibility buckets.'),
});

export const CheckpointConfigSchema = z.strictObject({
  everySteps: z
    .number()
    .int()
    .min(0)
    .default(50)
    .describe('Write a checkpoint every K steps (0 = only at the end and on SIGINT).'),
  keepLast: positiveInt
    .default(2)
    .describe('Checkpoints kept on disk (older ones are deleted after a newer one is complete).'),
});

export const CallsConfigSchema = z.strictObject({
  envDeadlineMs: positiveInt.default(60_000).describe('Deadline for one env call (reset or step).'),
  workerDeadlineMs: positiveInt
    .default(600_000)
    .describe('Deadline for one worker call (generate, train_step, save...).'),
  retries: z
    .number()
    .int()
    .min(0)
    .default(3)
    .describe('Retries of a retryable failure (capped exponential backoff with jitter).'),
  backoffMs: positiveInt
    .default(200)
    .describe(
      `First backoff of an env call (ms); doubles per retry, capped at ${DEFAULT_MAX_BACKOFF_MS / 1000} s (the protocol client's cap).`,
    ),
});

export const WorkerConfigSchema = z
  .strictObject({
    engine: z
      .enum(['tiny', 'hf', 'vllm'])
      .default('tiny')
      .describe(
        'Engine in the worker: `tiny` (our small GPT in plain torch, FactWorld), `hf` (any transformers causal LM) or `vllm` (the hf learner with generation on a colocated vLLM, where vLLM is installed; a model directory).',
      ),
    model: z
      .string()
      .optional()
      .describe(
        'The initial model. tiny: a worker checkpoint (absent with dataset factworld: the cached pretrained FactWorld model, made on first use). hf: a registry name (`smollm2`, fetched into the cache), a model directory, a .gguf file or a Hugging Face id.',
      ),
    dtype: z
      .enum(['auto', 'float32', 'bfloat16', 'float16'])
      .default('auto')
      .describe('hf: weight dtype (`auto`: bfloat16 on CUDA, float32 on CPU).'),
    gradientCheckpointing: z
      .boolean()
      .default(false)
      .describe('hf: recompute activations in the backward pass (less memory, more time).'),
    threads: positiveInt
      .default(1)
      .describe(
        'torch CPU threads in the worker. 1 by default: for the tiny model on a shared 2-core machine, 2 threads ran 5-20x slower than 1.',
      ),
    ranks: positiveInt
      .default(1)
      .describe(
        'Data-parallel worker ranks on this machine: more than 1 runs the worker under torchrun (DDP; NCCL on GPUs, one GPU per rank; gloo on CPU). Each rank generates for and trains on its shard of every batch; sampled answers depend on the rank count.',
      ),
    parallel: z
      .enum(['ddp', 'fsdp'])
      .default('ddp')
      .describe(
        'With ranks > 1: `ddp` (each rank holds the whole model and optimizer) or `fsdp` (torch FSDP2: parameters, gradients and optimizer state sharded over the ranks, for models whose training state does not fit one device; generation gathers the full weights). Engines tiny and hf.',
      ),
    python: z
      .string()
      .optional()
      .describe('Python interpreter with torch (else FACTRECALL_PYTHON, .venv, python3).'),
    device: z
      .enum(['auto', 'cpu', 'cuda'])
      .default('auto')
      .describe(
        "torch device for the worker, sent with `init`/`load` ('auto': cuda when torch sees one).",
      ),
  })
  .refine((w) => w.parallel === 'ddp' || (w.ranks > 1 && w.engine !== 'vllm'), {
    path: ['parallel'],
    message: 'fsdp shards over several ranks (set worker.ranks > 1) of the tiny or hf engine',
  });

export const TrainConfigSchema = z.strictObject({
  runId: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/)
    .optional()
    .describe('Run name; the run lives in <runsDir>/<runId>. Absent: a timestamp.'),
  runsDir: z.string().default('runs').describe('Folder holding run folders.'),
  seed: z
    .number()
    .int()
    .default(0)
    .describe('Seed for the worker (sampling, init) and the coordinator.'),
  env: EnvConfigSchema.prefault({}),
  grpo: GrpoConfigSchema.prefault({}),
  sampling: SamplingConfigSchema.prefault({}),
  eval: EvalConfigSchema.prefault({}),
  checkpoint: CheckpointConfigSchema.prefault({}),
  calls: CallsConfigSchema.prefault({}),
  worker: WorkerConfigSchema.prefault({}),
});

/** A validated, frozen run config. */
export type TrainConfig = DeepReadonly<z.output<typeof TrainConfigSchema>>;
/** What a user may write: every field optional. */
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;

type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Validate and freeze; every problem is listed with its path in one coded error. */
export function parseTrainConfig(input: unknown): TrainConfig {
  const parsed = TrainConfigSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw trainError('FR_ERR_TRAIN_CONFIG_INVALID', lines.join('; '), {
      details: { issues: lines },
    });
  }
  return deepFreeze(parsed.data) as TrainConfig;
}

/**
 * Apply `key.path=value` overrides (from `--set` flags) to a plain config object. Values are
 * read as JSON when they parse (numbers, booleans, arrays), else as strings. Unknown keys are
 * caught later by the strict schema.
 */
export function applyOverrides(
  base: Record<string, unknown>,
  overrides: readonly string[],
): Record<string, unknown> {
  const out = structuredClone(base);
  for (const o of overrides) {
    const eq = o.indexOf('=');
    if (eq <= 0)
      throw trainError('FR_ERR_TRAIN_CONFIG_INVALID', `override '${o}' is not key.path=value`);
    const path = o.slice(0, eq).split('.');
    const raw = o.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a bare string such as `ws` or a path
    }
    let node: Record<string, unknown> = out;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (next === undefined) node[key] = {};
      else if (typeof next !== 'object' || next === null || Array.isArray(next))
        throw trainError('FR_ERR_TRAIN_CONFIG_INVALID', `override '${o}': ${key} is not a section`);
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = value;
  }
  return out;
}

/** A JSON config file's top-level object; FR_ERR_TRAIN_CONFIG_UNREADABLE otherwise. */
export async function readConfigFile(file: string): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw trainError('FR_ERR_TRAIN_CONFIG_UNREADABLE', `${file}: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw trainError('FR_ERR_TRAIN_CONFIG_UNREADABLE', `${file}: the top level must be an object`);
  return parsed as Record<string, unknown>;
}

/** Read a JSON config file (or none), merge a preset under it and overrides over it, validate. */
export async function loadTrainConfig(opts: {
  file?: string;
  preset?: TrainConfigInput;
  overrides?: readonly string[];
}): Promise<TrainConfig> {
  const fromFile = opts.file ? await readConfigFile(opts.file) : {};
  const merged = deepMerge((opts.preset ?? {}) as Record<string, unknown>, fromFile);
  return parseTrainConfig(applyOverrides(merged, opts.overrides ?? []));
}

/** Merge b over a, section by section (arrays and scalars replace). */
export function deepMerge(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : structuredClone(v);
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Hash of everything that changes learning (not the run id, folders, deadlines, threads,
 * evaluation and checkpoint schedules, or where to stop): a
 * checkpoint only resumes under the same hash.
 */
export function learningHash(cfg: TrainConfig): string {
  const {
    runId: _r,
    runsDir: _d,
    calls: _c,
    worker,
    eval: _e,
    checkpoint: _k,
    grpo,
    env: { urls: _u, ...env },
    ...rest
  } = cfg;
  // maxSteps only says where to stop: a run may be resumed with a later stop.
  const { maxSteps: _m, ...learning } = grpo;
  return fingerprintOf({
    ...rest,
    env,
    grpo: learning,
    worker: { engine: worker.engine, model: worker.model, dtype: worker.dtype },
  });
}
