/**
 * Brute-force BM25+ over every (test, train) pair: the reference the indexed retrieval is
 * tested against, and the baseline the retrieval benchmark compares with. Same tokens, same
 * formula and parameters as minisearch (score per matched term, summed, times the number of
 * matched query terms; document length = distinct tokens).
 */
import { BM25_PARAMS } from '../../env/splits/retrieval.ts';
import { contentTokens, distinctTokens } from '../../env/splits/tokens.ts';

export class BruteForceBm25 {
  private readonly docs: Array<{ tf: Map<string, number>; length: number }>;
  private readonly df = new Map<string, number>();
  private readonly avgLength: number;

  constructor(trainQuestions: readonly string[]) {
    this.docs = trainQuestions.map((q) => {
      const tf = new Map<string, number>();
      for (const t of contentTokens(q)) tf.set(t, (tf.get(t) ?? 0) + 1);
      return { tf, length: tf.size };
    });
    let total = 0;
    for (const d of this.docs) {
      total += d.length;
      for (const t of d.tf.keys()) this.df.set(t, (this.df.get(t) ?? 0) + 1);
    }
    this.avgLength = this.docs.length ? total / this.docs.length : 0;
  }

  /** Score of train item `i` for a question (0 when no content word is shared). */
  score(question: string, i: number): number {
    return this.scoreTokens(distinctTokens(question), i);
  }

  /** Top-k over all train items by scoring each one: O(train) per question. */
  topK(question: string, k: number): Array<{ trainIndex: number; score: number }> {
    const q = distinctTokens(question);
    const scored: Array<{ trainIndex: number; score: number }> = [];
    for (let i = 0; i < this.docs.length; i++) {
      const s = this.scoreTokens(q, i);
      if (s > 0) scored.push({ trainIndex: i, score: s });
    }
    scored.sort((a, b) => b.score - a.score || a.trainIndex - b.trainIndex);
    return scored.slice(0, k);
  }

  private scoreTokens(queryTokens: readonly string[], i: number): number {
    const { k, b, d } = BM25_PARAMS;
    const doc = this.docs[i]!;
    const n = this.docs.length;
    let sum = 0;
    let matched = 0;
    for (const t of queryTokens) {
      const tf = doc.tf.get(t);
      if (tf === undefined) continue;
      const df = this.df.get(t)!;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      sum += idf * (d + (tf * (k + 1)) / (tf + k * (1 - b + (b * doc.length) / this.avgLength)));
      matched++;
    }
    return sum * matched;
  }
}
