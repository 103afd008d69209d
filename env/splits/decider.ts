/**
 * The containment decider contract: given a test item and a candidate train item, is the test
 * FACT contained in the train item (the same fact, maybe paraphrased), as opposed to the two
 * merely sharing words or an answer string about different subjects?
 * Implementations: the offline heuristic (heuristic-decider.ts) and the LLM (llm-decider.ts).
 */
import type { QARecord } from '../types.ts';

export interface ContainmentPair {
  /** The held-out item: a test or a val question (train is deduplicated against both). */
  test: QARecord;
  train: QARecord;
  /** What retrieval knew about the pair (a decider may use it or not). */
  retrieval: { via: 'lexical' | 'answer' | 'both'; bm25: number; sharedAnswer: string | null };
}

export interface ContainmentDecision {
  isContained: boolean;
  /** Why, in a sentence: the LLM's reasoning or the heuristic's numbers. */
  reasoning: string;
  /** Served from the decider's own cache (the LLM client's), not decided anew. */
  cached?: boolean;
}

/** What the manifest records about the decider. */
export interface DeciderInfo {
  /** `heuristic` (offline, no LLM) or `llm`. */
  kind: 'heuristic' | 'llm';
  /** Hash of everything that can change a decision (model, prompt version, thresholds...). */
  fingerprint: string;
  /** Human-readable settings: thresholds, or endpoint model and prompt version. */
  settings: Record<string, unknown>;
}

export interface ContainmentDecider {
  readonly info: DeciderInfo;
  /**
   * Decide one pair. Rejects with a coded error when no decision could be made (after the
   * decider's own retries); the caller records the failure and never guesses.
   */
  decide(pair: ContainmentPair, opts?: { signal?: AbortSignal }): Promise<ContainmentDecision>;
  close?(): Promise<void>;
}
