/**
 * Parameters and results of the policy worker's RPC methods, exactly as they travel (snake_case,
 * like the Python side). The worker refuses unknown keys; optional keys take the defaults given.
 * See cuda-agent/worker/factrecall_worker/policy_worker.py for the implementation.
 */

/** Chat messages; the worker applies the model's own chat template with the generation prompt. */
export interface ChatPrompt {
  messages: readonly { role: 'system' | 'user' | 'assistant'; content: string }[];
}
/**
 * A prompt: chat messages (the model's template), text (encoded raw by the worker, with the
 * model's begin token) or token ids used as given.
 */
export type Prompt = string | readonly number[] | ChatPrompt;

export interface TokenizerParams {
  /** Fit the word-level vocabulary on these texts (exactly one of texts / vocab). */
  texts?: readonly string[];
  /** Set the vocabulary as given: <pad> <bos> <eos> <unk> "\n" first. */
  vocab?: readonly string[];
  /** Keep words seen at least this often (default 1). */
  min_count?: number;
  /** Largest vocabulary, specials included. */
  max_size?: number;
}
export interface TokenizerResult {
  vocab_size: number;
  vocab: string[];
  special_ids: { pad: number; bos: number; eos: number; unk: number; newline: number };
}

/** `init.model` for the `hf` engine. */
export interface HfModelParams {
  /** A model directory, a GGUF file, or a Hugging Face id (when a hub is reachable). */
  path: string;
  /** `auto` (default): bfloat16 on CUDA, float32 on CPU. */
  dtype?: 'auto' | 'float32' | 'bfloat16' | 'float16';
  /** Recompute activations in the backward pass (less memory, about 30% more time). */
  gradient_checkpointing?: boolean;
  /** Longest prompt + completion (default the model's max_position_embeddings). */
  max_length?: number;
}
/** `init.model` for the `tiny` engine. */
export interface TinyModelParams {
  block_size?: number;
  n_layer?: number;
  n_head?: number;
  n_embd?: number;
  dropout?: number;
}
export type EngineName = 'tiny' | 'hf' | 'vllm';

export interface InitParams {
  /** Generation engine (default `tiny`); `model` is that engine's map. */
  engine?: EngineName;
  /** Seeds Python, numpy, torch and the sampling generator (default 0). */
  seed?: number;
  /** Default `auto`: cuda when torch sees one. */
  device?: 'auto' | 'cpu' | 'cuda';
  /** torch CPU threads (default 2). */
  threads?: number;
  /** The tiny engine's vocabulary, instead of calling `tokenizer` first. */
  vocab?: readonly string[];
  model?: TinyModelParams | HfModelParams;
  /** AdamW: lr default 1e-6, betas 0.9/0.999, eps 1e-8, weight_decay 0, grad_clip 1.0 (0 = off). */
  optim?: {
    lr?: number;
    beta1?: number;
    beta2?: number;
    eps?: number;
    weight_decay?: number;
    grad_clip?: number;
  };
  /** GRPO loss: clip_eps 0.2, kl_coef 0.001 (k3), temperature 1.0 (for scoring). */
  loss?: { clip_eps?: number; kl_coef?: number; temperature?: number };
}
/** What the worker built: the tiny architecture, or the hf model with its identity. */
export type ModelDescription =
  | {
      vocab_size: number;
      block_size: number;
      n_layer: number;
      n_head: number;
      n_embd: number;
      dropout: number;
    }
  | (Required<Omit<HfModelParams, 'max_length'>> & {
      max_length: number | null;
      /** Recorded in checkpoints and checked on load: the source and its content hash. */
      identity: { kind: 'gguf' | 'dir' | 'hub'; source: string; sha256: string | null };
      architecture: string;
      vocab_size: number;
      dtype_resolved: string;
    });

export interface InitResult {
  engine: EngineName;
  device: string;
  parameters: number;
  model: ModelDescription;
  torch: string;
}

export interface GenerateParams {
  prompts: readonly Prompt[];
  /** Samples per prompt (default 1). */
  n?: number;
  max_new_tokens?: number;
  temperature?: number;
  top_p?: number;
  /** 0 = off. */
  top_k?: number;
  /** Argmax decoding; log-probs are then at temperature 1. */
  greedy?: boolean;
  /** A fresh generator with this seed; absent: the worker's own (saved in checkpoints). */
  seed?: number;
}
export interface GeneratedSample {
  /** Generated ids, ending with the stop token (tiny: <eos> or newline; hf: EOS or end of turn) when finish_reason is `stop`. */
  token_ids: number[];
  /** log softmax(logits / T) of each generated token (before top-k/top-p filtering). */
  logprobs: number[];
  /** Decoded text, stop token excluded. */
  text: string;
  finish_reason: 'stop' | 'length';
}
export interface GenerateResult {
  /** One per prompt, in order: the prompt's ids and its n samples. */
  results: { prompt_ids: number[]; samples: GeneratedSample[] }[];
}

export interface LogprobsParams {
  prompts: readonly Prompt[];
  /** Token ids, or text (encoded without a begin token; see `append_eos`). */
  completions: readonly (readonly number[] | string)[];
  /** Default: the loss temperature from init. */
  temperature?: number;
  /** Also score under the reference (default true). */
  reference?: boolean;
  /** End every text completion with the first stop id (tiny: <eos>, where pretraining documents end; default false). */
  append_eos?: boolean;
}
export interface LogprobsResult {
  policy: number[][];
  reference?: number[][];
  /** The token ids scored, one list per completion (text completions encoded). */
  completion_ids: number[][];
}

export interface TrainSample {
  prompt_ids: readonly number[];
  completion_ids: readonly number[];
  /** The sampling log-probs from `generate`, untouched. */
  old_logprobs: readonly number[];
  advantage: number;
  /** false: the sample takes no part (reward failed); default true. */
  mask?: boolean;
}
export interface TrainStepParams {
  samples: readonly TrainSample[];
  /** Samples per forward/backward (default 32); the gradient is the same for any value. */
  micro_batch_size?: number;
}
export interface TrainStepResult {
  /** Optimizer steps so far (unchanged when skipped). */
  step: number;
  /** True when no sample had a token to learn from: no optimizer step was taken. */
  skipped: boolean;
  /** Token-mean of pg + kl_coef * kl. */
  loss: number;
  pg_loss: number;
  /** Token-mean k3 KL to the reference. */
  kl: number;
  /** Fraction of tokens whose gradient the PPO clip removed. */
  clip_frac: number;
  ratio_mean: number;
  /** Global gradient norm before clipping. */
  grad_norm: number;
  lr: number;
  samples: number;
  masked_samples: number;
  tokens: number;
  /** Wall-clock inside the step: reference log-probs (`score`) and policy forward, backward and optimizer (`train`). */
  seconds: { score: number; train: number };
  /** vllm engine: the weight sync after the step, and its probe's log-prob gap to the learner. */
  sync?: { max_abs: number; mean_abs: number; tokens: number; ok: boolean };
}

/** `sft_step`: one optimizer step of token-mean NLL (SFT on gold answers, RFT on kept samples). */
export interface SftStepParams {
  prompts: readonly Prompt[];
  /** Token ids (as sampled) or text (see `append_eos`). */
  completions: readonly (readonly number[] | string)[];
  /** End every text completion with the stop id (tiny: <eos>). */
  append_eos?: boolean;
  micro_batch_size?: number;
}
export interface SftStepResult {
  step: number;
  skipped: boolean;
  /** Token-mean negative log-likelihood before the step. */
  loss: number;
  grad_norm: number;
  samples: number;
  tokens: number;
  lr: number;
  seconds: number;
}
/** `dpo_step`: one DPO step on (prompt, chosen, rejected) triples against the frozen reference. */
export interface DpoStepParams {
  prompts: readonly Prompt[];
  chosen: readonly (readonly number[] | string)[];
  rejected: readonly (readonly number[] | string)[];
  /** DPO's beta: the strength of the implicit KL to the reference. */
  beta: number;
  append_eos?: boolean;
  micro_batch_size?: number;
}
export interface DpoStepResult {
  step: number;
  skipped: boolean;
  /** Mean -log sigmoid(margin) over pairs, before the step. */
  loss: number;
  margin_mean: number;
  /** Share of pairs whose margin is positive. */
  pair_accuracy: number;
  pairs: number;
  grad_norm: number;
  lr: number;
  seconds: number;
}

export interface PretrainParams {
  documents: readonly string[];
  epochs: number;
  batch_size?: number;
  lr?: number;
  weight_decay?: number;
  warmup_frac?: number;
  min_lr_frac?: number;
  grad_clip?: number;
  /** Window length (default block_size). */
  seq_len?: number;
  /** A progress notification every this many steps (default 50), and one per epoch. */
  progress_every?: number;
  seed?: number;
}
export interface PretrainResult {
  losses: number[];
  epoch_losses: number[];
  steps: number;
  windows: number;
  tokens: number;
  seconds: number;
}

export interface SaveParams {
  path: string;
}
export interface SaveResult {
  path: string;
  bytes: number;
  step: number;
}
export interface LoadParams {
  path: string;
  /** Default: the current device, or `auto` before `init`. */
  device?: 'auto' | 'cpu' | 'cuda';
  /** torch CPU threads (default: unchanged, or 2 before `init`). */
  threads?: number;
  /**
   * Optimizer settings overriding the file's (absent keys keep the file's). When given, the
   * optimizer is fresh and the step 0: a new run from the checkpoint's weights, not a resume.
   */
  optim?: InitParams['optim'];
  /** Loss settings overriding the file's (absent keys keep the file's); the optimizer state stays. */
  loss?: InitParams['loss'];
}
export interface LoadResult {
  path: string;
  engine: EngineName;
  step: number;
  model: ModelDescription;
  parameters: number;
  /** The settings in force after the load (the file's, with any overrides). */
  optim: Required<NonNullable<InitParams['optim']>>;
  loss: Required<NonNullable<InitParams['loss']>>;
  /** True when `optim` was given: a fresh optimizer, step 0. */
  fresh_optimizer: boolean;
}

export interface InfoResult {
  python: string;
  torch: string;
  cuda_available: boolean;
  engines: EngineName[];
  ready: boolean;
  /** The engine of the loaded model, null before `init`/`load`. */
  engine: EngineName | null;
  vocab_size: number | null;
  /** Data-parallel ranks, present when the worker runs under torchrun. */
  world_size?: number;
  /** How the ranks share the model (`ddp` or `fsdp`), present under torchrun. */
  parallel?: 'ddp' | 'fsdp';
}

/** Every method: its params and result. */
export interface WorkerMethods {
  info: { params: Record<string, never>; result: InfoResult };
  tokenizer: { params: TokenizerParams; result: TokenizerResult };
  init: { params: InitParams; result: InitResult };
  generate: { params: GenerateParams; result: GenerateResult };
  logprobs: { params: LogprobsParams; result: LogprobsResult };
  train_step: { params: TrainStepParams; result: TrainStepResult };
  sft_step: { params: SftStepParams; result: SftStepResult };
  dpo_step: { params: DpoStepParams; result: DpoStepResult };
  pretrain: { params: PretrainParams; result: PretrainResult };
  save: { params: SaveParams; result: SaveResult };
  load: { params: LoadParams; result: LoadResult };
  shutdown: { params: Record<string, never>; result: { bye: true } };
}
export type WorkerMethod = keyof WorkerMethods;

/** A progress notification (`pretrain`), with the id of the call it belongs to. */
export interface WorkerProgressEvent {
  request_id: number;
  phase: string;
  epoch?: number;
  epochs?: number;
  step?: number;
  steps?: number;
  loss?: number;
  [key: string]: unknown;
}
