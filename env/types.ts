/**
 * The shapes every part of FactRecall agrees on: dataset records, observations, actions,
 * step results and the environment API. The protocol mirrors these on the wire, and
 * `checkEnv` checks any implementation (local or remote) against them.
 *
 * The judge's vocabulary (`VerdictLabel`) belongs to the judge contract and the chat message
 * shape to the LLM client; they are re-exported here because the env's types use them.
 */

import type { VerdictLabel } from '../judges/types.ts';
import type { ChatMessage } from '../lib/llm/chat.ts';

export type { ChatMessage, VerdictLabel };

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
  /**
   * Gold answers (gold first, then aliases). Only over the protocol, for the trainer role on
   * the train split when the reset asked `withGold`; the in-process env never sets it (a host
   * reads `LocalEnv.gold`).
   */
  gold?: string[];
}

export interface ResetOptions {
  split: SplitName;
  /** Questions in this batch (B). */
  batchSize: number;
  /** Episodes per question (n); 1 for evaluation. */
  groupSize: number;
  /**
   * Issue these questions of the split (one group each, in this order; repeats allowed)
   * instead of the next `batchSize` of the seeded order; the order's cursor does not move.
   * Length must equal `batchSize`. For trainers that choose their own prompts (TRL, verl);
   * the protocol grants it to the trainer role on train and val only.
   */
  questionIds?: string[];
}

export interface ResetResult {
  observations: Observation[];
  /**
   * Epoch (0-based) of the last question of this batch. A batch that reaches the end of an
   * epoch continues with the next epoch's order, so it may hold a question twice.
   */
  epoch: number;
  /** Questions of `epoch` handed out so far, this batch included. */
  cursor: number;
  /** Questions in the split. */
  splitSize: number;
}

export interface Action {
  episodeId: string;
  /** The model's raw text; the env extracts the answer with the prompt's rules. */
  answer: string;
}

/**
 * How a step result ended: `ok` (a verdict and a reward), `judge_failed` (no verdict, reward
 * null, `info.error` says why) or `withheld` (eval role over the protocol: the server keeps the
 * verdict and sums it at close; reward and verdict are null). The in-process env never
 * withholds.
 */
export const STEP_STATUSES = ['ok', 'judge_failed', 'withheld'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export interface StepResult {
  episodeId: string;
  groupId: string;
  index: number;
  /** 1 correct, 0 otherwise; null when there is no verdict (failed or withheld; never 0). */
  reward: 0 | 1 | null;
  verdict: VerdictLabel | null;
  status: StepStatus;
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

/**
 * What an env instance is, for agents, logs and leaderboard entries. Two instances with equal
 * fingerprints hand out the same questions in the same order (for the same seed), render the
 * same prompts, extract and judge answers the same way.
 */
export interface EnvSpec {
  /** Gymnasium-style id, `Name-vN`. */
  id: string;
  /** The N of `Name-vN`. */
  version: number;
  /**
   * Hash of (source hash, judge id + fingerprint, prompt template id + version + text,
   * extraction rules version, env id + version). In every episode record and every score.
   */
  fingerprint: string;
  dataset: DatasetName;
  /** Human description of the source (manifest path or FactWorld config). */
  source: string;
  /** The source's content hash (manifest hash, FactWorld config hash). */
  sourceHash: string;
  judgeId: string;
  judgeFingerprint: string;
  prompt: PromptName;
  promptVersion: number;
  /** Seed of the question order. */
  seed: number;
  rewardRange: [number, number];
  /** What an observation holds, in words. */
  observationSpace: string;
  /** What an action holds, in words. */
  actionSpace: string;
  /** Questions per split (splits the source lacks are absent). */
  splits: Partial<Record<SplitName, number>>;
  limits: {
    /** Extracted answers are cut to this many characters (and marked truncated). */
    maxAnswerChars: number;
    /** An episode unanswered this long after its reset expires. */
    episodeTtlMs: number;
    /** Most episodes (batchSize x groupSize) one reset may issue. */
    maxResetEpisodes: number;
    /** Most actions one step may carry. */
    maxStepActions: number;
  };
}

/**
 * The environment API. `FactRecallEnv` implements it in-process; the protocol's client
 * implements it over the wire; `checkEnv` runs against either.
 */
export interface EnvApi {
  spec(): EnvSpec | Promise<EnvSpec>;
  /**
   * Hand out the next `batchSize` questions of `split` in the env's seeded order, each as a
   * group of `groupSize` episodes. Rolls into the next epoch (a new permutation) at the end.
   */
  reset(opts: ResetOptions): Promise<ResetResult>;
  /**
   * One answer per episode, judged in one batch. A malformed batch (empty, too large, a
   * duplicate, unknown, answered, expired or closed episode) fails whole with a coded error
   * before anything is judged: nothing in it is applied. A judge failure is not an error:
   * the episode's result has status `judge_failed` and reward null.
   */
  step(actions: readonly Action[]): Promise<StepBatchResult>;
  /** Close every open episode (counted as closed) and release the judge. */
  close(): Promise<void>;
}

/** Episode accounting: every issued episode ends answered, expired or closed. */
export interface EpisodeCounts {
  issued: number;
  /** Issued and not yet ended (waiting for, or inside, a step). */
  open: number;
  /** Stepped; includes judge failures. */
  answered: number;
  /** Unanswered past their deadline (`episodeTtlMs`). */
  expired: number;
  /** Unanswered and closed (by `closeEpisodes` or `close`). */
  closed: number;
  /** Answered but the judge gave no verdict (reward null). */
  judgeFailed: number;
  /** Answered with a reward (answered - judgeFailed). */
  scored: number;
  /** Sum of rewards over scored episodes (= correct answers). */
  rewardSum: number;
  /** rewardSum / scored; null when nothing is scored. */
  meanReward: number | null;
}

export interface EnvStats extends EpisodeCounts {
  fingerprint: string;
  /** Groups issued. */
  groups: number;
  /** The same counts for each split that issued episodes. */
  perSplit: Partial<Record<SplitName, EpisodeCounts>>;
}

/**
 * An env hosted in this process (what `make` returns): the EnvApi plus the hooks a server
 * needs to enforce roles and account for every episode. Clients of a remote env only see
 * EnvApi.
 */
export interface LocalEnv extends EnvApi {
  spec(): EnvSpec;
  /** Gold answers of a train-split episode; a coded error for val and test. */
  gold(episodeId: string): readonly string[];
  /** Expire every open episode whose deadline is at or before `now`; returns their ids. */
  expire(now?: number): string[];
  /**
   * Close open episodes unanswered. Unknown ids fail the call before anything is closed;
   * episodes that already ended are left as they are. Returns the ids actually closed.
   */
  closeEpisodes(episodeIds: readonly string[]): string[];
  /** Counts over all episodes ever issued, and per split. */
  stats(): EnvStats;
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

/** A pinned subset of one split: question ids, or the split's first n questions in source order. */
export type SubsetIds = readonly string[] | { readonly first: number };
export type SubsetSpec = Partial<Record<SplitName, SubsetIds>>;
