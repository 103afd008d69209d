/**
 * The offline containment decider, used when no LLM is configured (and marked as such in the
 * manifest). A train item contains the test fact when
 * - the questions are near-duplicates, whatever the answers: word Jaccard >=
 *   `nearDuplicate` and no number in one but not the other (the same question asked twice is
 *   the same fact even if its answer changed over time; "... in 2018?" and "... in 2019?" are
 *   not); or
 * - they share a normalised gold answer and are similar (IDF-weighted cosine >= `similarity`):
 *   the same answer about the same subject, not the same answer string about another one.
 * It is a cheap approximation of the LLM: it misses paraphrases that share neither words nor
 * answers, and on templated questions ("What is X Lewis's occupation?") a shared surname can
 * pass the similarity bar; it errs towards removing train items, the safe side for dedup.
 */
import { fingerprintOf } from '../../lib/hash.ts';
import type {
  ContainmentDecider,
  ContainmentDecision,
  ContainmentPair,
  DeciderInfo,
} from './decider.ts';
import { splitsError } from './errors.ts';
import { differingNumbers, IdfSimilarity, wordJaccard } from './similarity.ts';
import { normalizedAnswers } from './tokens.ts';

export interface HeuristicThresholds {
  /** Minimum similarity for a pair that shares an answer. */
  similarity: number;
  /** Minimum similarity for a pair regardless of answers. */
  nearDuplicate: number;
}

export const DEFAULT_HEURISTIC_THRESHOLDS: HeuristicThresholds = {
  similarity: 0.6,
  nearDuplicate: 0.85,
};

/** Bump when the rule or the tokens change, so cached decisions are not reused. */
const HEURISTIC_VERSION = 2;

export class HeuristicDecider implements ContainmentDecider {
  readonly info: DeciderInfo;
  private readonly sim: IdfSimilarity;

  /**
   * @param corpus the questions the IDF weights are counted over (train and test), with a
   *   hash of them: decisions depend on these weights, so the hash enters the fingerprint.
   */
  constructor(
    corpus: { questions: Iterable<string>; hash: string },
    readonly thresholds: HeuristicThresholds = DEFAULT_HEURISTIC_THRESHOLDS,
  ) {
    for (const [name, v] of Object.entries(thresholds)) {
      if (!(typeof v === 'number' && v >= 0 && v <= 1)) {
        throw splitsError('FR_ERR_SPLITS_INVALID_OPTIONS', `heuristic ${name} must be in [0, 1]`);
      }
    }
    this.sim = new IdfSimilarity(corpus.questions);
    this.info = {
      kind: 'heuristic',
      fingerprint: fingerprintOf({
        kind: 'heuristic',
        version: HEURISTIC_VERSION,
        thresholds,
        corpus: corpus.hash,
      }),
      settings: { version: HEURISTIC_VERSION, ...thresholds, idfCorpus: corpus.hash },
    };
  }

  /** The rule itself, synchronous (the async `decide` wraps it). */
  decideNow(pair: ContainmentPair): ContainmentDecision {
    const a = pair.test.question;
    const b = pair.train.question;
    const jaccard = wordJaccard(a, b);
    const numbers = differingNumbers(a, b);
    if (jaccard >= this.thresholds.nearDuplicate && numbers.length === 0) {
      return {
        isContained: true,
        reasoning: `near-duplicate question: word overlap ${jaccard.toFixed(3)} >= ${this.thresholds.nearDuplicate}`,
      };
    }
    const s = this.sim.similarity(a, b);
    const shared = sharedAnswer(pair.test.answers, pair.train.answers);
    const sim = s.toFixed(3);
    if (shared !== null && s >= this.thresholds.similarity) {
      return {
        isContained: true,
        reasoning: `shared answer "${shared}" and similarity ${sim} >= ${this.thresholds.similarity}`,
      };
    }
    return {
      isContained: false,
      reasoning:
        shared === null
          ? `no shared answer; word overlap ${jaccard.toFixed(3)}${numbers.length ? `, numbers differ (${numbers.join(', ')})` : ''}`
          : `shared answer "${shared}" but similarity ${sim} < ${this.thresholds.similarity}`,
    };
  }

  async decide(pair: ContainmentPair): Promise<ContainmentDecision> {
    return this.decideNow(pair);
  }
}

/** Normalised answers per record (a test record meets ~15 candidates). */
const answersMemo = new WeakMap<readonly string[], string[]>();
function answersOf(answers: readonly string[]): string[] {
  let n = answersMemo.get(answers);
  if (!n) {
    n = normalizedAnswers(answers);
    answersMemo.set(answers, n);
  }
  return n;
}

function sharedAnswer(a: readonly string[], b: readonly string[]): string | null {
  const set = new Set(answersOf(b));
  for (const x of answersOf(a)) if (set.has(x)) return x;
  return null;
}
