/**
 * Candidate retrieval for fact-level dedup: for one test question, the train items most likely
 * to hold the same fact. Two sources, merged:
 * - lexical: BM25 over the train questions (minisearch's BM25+, content tokens only), top `topK`;
 * - answers: train items that share a normalised gold answer (alias included) with the test
 *   item, best BM25 first, then by train order, at most `answerK`. These catch paraphrases that
 *   share no words ("Who wrote Hamlet?" / "Which playwright created the Prince of Denmark?");
 * - exact repeats: every train item whose question is the test question word for word (after
 *   normalisation), beyond `topK`. BM25 ranks such a repeat no higher than other questions
 *   with the same content words, so a question whose content is one templated word ("What
 *   genre is She?": only "genre" is not a function word) or one repeated many times in train
 *   ("Who was the director of Pilot?") would otherwise lose its repeats to ties and the cut.
 */
import MiniSearch from 'minisearch';
import type { QARecord } from '../types.ts';
import { allWords, contentTokens, distinctTokens, normalizedAnswers } from './tokens.ts';

export interface RetrievalOptions {
  /** Lexical candidates per test question. */
  topK: number;
  /** At most this many answer-sharing candidates per test question (0 turns the source off). */
  answerK: number;
}

export interface Candidate {
  /** Index into the train array the index was built from. */
  trainIndex: number;
  /** Which source found it: lexical top-k, a shared answer, or both. */
  via: 'lexical' | 'answer' | 'both';
  /** BM25+ score (minisearch's, times the number of matched query terms); 0 when no word is shared. */
  bm25: number;
  /** A normalised gold answer both items have, or null. */
  sharedAnswer: string | null;
}

/** BM25+ parameters; minisearch's defaults, written out so the reference scorer uses the same. */
export const BM25_PARAMS = { k: 1.2, b: 0.7, d: 0.5 } as const;

/** An index over train questions that returns dedup candidates for test questions. */
export class CandidateIndex {
  private readonly search: MiniSearch<{ i: number; q: string }>;
  private readonly answersOfTrain: string[][];
  private readonly byAnswer = new Map<string, number[]>();
  /** Train indices by normalised question (function words kept), for exact repeats. */
  private readonly byQuestion = new Map<string, number[]>();

  private constructor(train: readonly QARecord[]) {
    this.search = new MiniSearch<{ i: number; q: string }>({
      idField: 'i',
      fields: ['q'],
      storeFields: [],
      tokenize: (text) => contentTokens(text),
      processTerm: (term) => term,
      searchOptions: {
        // Distinct query terms: minisearch adds a repeated query term twice.
        tokenize: (text) => distinctTokens(text),
        processTerm: (term) => term,
        combineWith: 'OR',
        prefix: false,
        fuzzy: false,
        bm25: BM25_PARAMS,
      },
    });
    this.search.addAll(train.map((r, i) => ({ i, q: r.question })));
    train.forEach((r, i) => {
      const q = questionKey(r.question);
      if (q === '') return;
      const list = this.byQuestion.get(q);
      if (list) list.push(i);
      else this.byQuestion.set(q, [i]);
    });
    this.answersOfTrain = train.map((r) => normalizedAnswers(r.answers));
    this.answersOfTrain.forEach((answers, i) => {
      for (const a of answers) {
        const list = this.byAnswer.get(a);
        if (list) list.push(i);
        else this.byAnswer.set(a, [i]);
      }
    });
  }

  /** Index the train questions (about 0.5 s for 10,000 on a laptop core). */
  static build(train: readonly QARecord[]): CandidateIndex {
    return new CandidateIndex(train);
  }

  /** The lexical top-k only: train indices and scores, best first (used by the benchmark). */
  lexical(question: string, topK: number): Array<{ trainIndex: number; score: number }> {
    const hits = this.search.search(question);
    const out: Array<{ trainIndex: number; score: number }> = [];
    for (const h of hits) {
      if (out.length >= topK) break;
      out.push({ trainIndex: h.id as number, score: h.score });
    }
    return out;
  }

  /**
   * Candidates for one test item: lexical top-k first, then exact repeats of the question (all
   * of them, as `lexical`/`both`), then answer sharers; no index twice.
   */
  candidates(test: QARecord, opts: RetrievalOptions): Candidate[] {
    const testAnswers = normalizedAnswers(test.answers);
    const hits = this.search.search(test.question);
    const out: Candidate[] = [];
    const seen = new Set<number>();
    for (const h of hits) {
      if (out.length >= opts.topK) break;
      const i = h.id as number;
      const sharedAnswer = firstShared(testAnswers, this.answersOfTrain[i]!);
      const c: Candidate = {
        trainIndex: i,
        via: sharedAnswer === null ? 'lexical' : 'both',
        bm25: h.score,
        sharedAnswer,
      };
      out.push(c);
      seen.add(i);
    }
    const repeats = this.byQuestion.get(questionKey(test.question)) ?? [];
    if (repeats.some((i) => !seen.has(i))) {
      const scoreOf = new Map(hits.map((h) => [h.id as number, h.score]));
      for (const i of repeats) {
        if (seen.has(i)) continue;
        const sharedAnswer = firstShared(testAnswers, this.answersOfTrain[i]!);
        out.push({
          trainIndex: i,
          via: sharedAnswer === null ? 'lexical' : 'both',
          bm25: scoreOf.get(i) ?? 0,
          sharedAnswer,
        });
        seen.add(i);
      }
    }
    if (opts.answerK <= 0 || testAnswers.length === 0) return out;

    let added = 0;
    const addedSet = new Set<number>();
    // Sharers with words in common, best BM25 first (hits are sorted)...
    for (const h of hits) {
      if (added >= opts.answerK) return out;
      const i = h.id as number;
      if (seen.has(i)) continue;
      const shared = firstShared(testAnswers, this.answersOfTrain[i]!);
      if (shared === null) continue;
      out.push({ trainIndex: i, via: 'answer', bm25: h.score, sharedAnswer: shared });
      addedSet.add(i);
      added++;
    }
    // ...then those sharing no word (every word-sharing one is in already), in answer then
    // train order: deterministic.
    for (const a of testAnswers) {
      for (const i of this.byAnswer.get(a) ?? []) {
        if (added >= opts.answerK) return out;
        if (seen.has(i) || addedSet.has(i)) continue;
        out.push({ trainIndex: i, via: 'answer', bm25: 0, sharedAnswer: a });
        addedSet.add(i);
        added++;
      }
    }
    return out;
  }
}

/** A question as exact repeats are matched: normalised words, function words included. */
function questionKey(question: string): string {
  return allWords(question).join(' ');
}

function firstShared(a: readonly string[], b: readonly string[]): string | null {
  // Both lists are short (a handful of aliases): nested loops beat building a Set per call.
  for (const x of a) if (b.includes(x)) return x;
  return null;
}
