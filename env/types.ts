/**
 * The shapes every part of FactRecall agrees on: dataset records, observations, actions,
 * step results and the environment API. The protocol mirrors these on the wire, and
 * `checkEnv` checks any implementation (local or remote) against them.
 */

/** The datasets FactRecall knows how to load. */
export const DATASET_NAMES = ['nq_open', 'triviaqa', 'popqa', 'simpleqa', 'factworld'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export const SPLIT_NAMES = ['train', 'val', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

/**
 * One question with its gold answers, the same shape for every dataset.
 * `id` is stable across runs and machines: the source's own id where it has one, else a
 * hash of the question text (with a `#n` suffix for repeated questions in one file).
 */
export interface QARecord {
  id: string;
  dataset: DatasetName;
  question: string;
  /** Gold answer first where the source marks one, then aliases. Never empty. */
  answers: string[];
  /** Source-specific fields kept as they came (s_pop, prop, topic, answer_type...). */
  meta: Record<string, unknown>;
}

/** Prompt templates: `direct` (answer only; the default and the paper's setting) or `cot`. */
export type PromptName = 'direct' | 'cot';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * What the agent sees for one episode. An episode is one question and one answer; a group is
 * the n episodes of one question handed out together by one `reset` (for GRPO).
 */
export interface Observation {
  episodeId: string;
  /** Shared by the n episodes of the same question in the same reset. */
  groupId: string;
  /** 0..n-1 within the group. */
  index: number;
  questionId: string;
  dataset: DatasetName;
  split: SplitName;
  /** The bare question. */
  question: string;
  /** The chat prompt to send to a model (template applied). */
  messages: ChatMessage[];
  prompt: PromptName;
}

export interface ResetOptions {
  split: SplitName;
  /** Questions in this batch (B). */
  batchSize: number;
  /** Episodes per question (n); 1 for evaluation. */
  groupSize: number;
}

export interface ResetResult {
  observations: Observation[];
  /** Epoch of the split these questions were drawn in (0-based). */
  epoch: number;
  /** Position in the epoch's order after this batch. */
  cursor: number;
  /** Questions in the split. */
  splitSize: number;
}

export interface Action {
  episodeId: string;
  /** The model's raw text; the env extracts the answer with the prompt's rules. */
  answer: string;
}

export type VerdictLabel = 'correct' | 'incorrect' | 'not_attempted';

export interface StepResult {
  episodeId: string;
  groupId: string;
  index: number;
  /** 1 correct, 0 otherwise; null when the judge gave no verdict (never read as 0). */
  reward: 0 | 1 | null;
  verdict: VerdictLabel | null;
  status: 'ok' | 'judge_failed';
  /** Always true: an episode is one answer. */
  terminated: boolean;
  /** True when the answer was cut at the length cap, or the episode expired unanswered. */
  truncated: boolean;
  info: {
    questionId: string;
    /** The answer as extracted from the raw text and sent to the judge. */
    extracted: string;
    judgeId: string;
    cached: boolean;
    latencyMs: number;
    error?: { code: string; message: string };
  };
}

export interface GroupStats {
  groupId: string;
  questionId: string;
  /** Episodes in the group, answered so far, and of those with a reward. */
  size: number;
  answered: number;
  scored: number;
  /** Mean reward over scored episodes; null when none is scored. */
  meanReward: number | null;
  complete: boolean;
}

export interface StepBatchResult {
  results: StepResult[];
  /** Stats of every group touched by this step. */
  groups: GroupStats[];
}

export interface EnvSpec {
  /** Gymnasium-style id, `Name-vN`. */
  id: string;
  version: number;
  /** Hash of (split files, judge fingerprint, prompt template, env version). */
  fingerprint: string;
  dataset: DatasetName;
  judgeId: string;
  prompt: PromptName;
  rewardRange: [number, number];
  observationSpace: string;
  actionSpace: string;
  splits: Partial<Record<SplitName, number>>;
}

/**
 * The environment API. `FactRecallEnv` implements it in-process; the protocol's client
 * implements it over the wire; `checkEnv` runs against either.
 */
export interface EnvApi {
  spec(): EnvSpec | Promise<EnvSpec>;
  reset(opts: ResetOptions): Promise<ResetResult>;
  step(actions: readonly Action[]): Promise<StepBatchResult>;
  close(): Promise<void>;
}

/**
 * Where an env's questions come from: records per split plus a content hash that enters the
 * env fingerprint (the manifest hash for prepared splits, the config hash for FactWorld).
 */
export interface SplitSource {
  dataset: DatasetName;
  splits: Partial<Record<SplitName, readonly QARecord[]>>;
  hash: string;
  /** Human description: path of the manifest, or the FactWorld config. */
  description: string;
}
