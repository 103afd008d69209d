/**
 * IDF-weighted cosine similarity of two questions' content-token sets, for the heuristic
 * decider. IDF weighting matters for templated datasets: "What is X's occupation?" and
 * "What is Y's occupation?" share "occupation", which is in a third of PopQA, so it weighs
 * little next to the names.
 */
import { allWords, distinctTokens } from './tokens.ts';

export class IdfSimilarity {
  private readonly idf = new Map<string, number>();
  private readonly unseenIdf: number;

  /** Document frequencies are counted over `corpus` (train and test questions together). */
  constructor(corpus: Iterable<string>) {
    const df = new Map<string, number>();
    let n = 0;
    for (const text of corpus) {
      n++;
      for (const t of distinctTokens(text)) df.set(t, (df.get(t) ?? 0) + 1);
    }
    for (const [t, f] of df) this.idf.set(t, Math.log((n + 1) / (f + 0.5)));
    this.unseenIdf = Math.log((n + 1) / 0.5);
  }

  private weight(t: string): number {
    return this.idf.get(t) ?? this.unseenIdf;
  }

  /** Cosine in [0, 1] of binary token vectors weighted by IDF; 0 when either has no tokens. */
  similarity(a: string, b: string): number {
    const ta = distinctTokens(a);
    const tb = new Set(distinctTokens(b));
    if (ta.length === 0 || tb.size === 0) return 0;
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (const t of ta) {
      const w2 = this.weight(t) ** 2;
      na += w2;
      if (tb.has(t)) dot += w2;
    }
    for (const t of tb) nb += this.weight(t) ** 2;
    return na > 0 && nb > 0 ? Math.min(1, dot / Math.sqrt(na * nb)) : 0;
  }
}

/**
 * Jaccard index of two questions' distinct words, function words included (unweighted; 0 when
 * both are empty). Function words stay because titles are made of them: "Who produced Them?"
 * and "Who produced She?" differ only there.
 */
export function wordJaccard(a: string, b: string): number {
  const ta = new Set(allWords(a));
  const tb = new Set(allWords(b));
  if (ta.size === 0 && tb.size === 0) return 0;
  let inter = 0;
  for (const t of ta) if (tb.has(t)) inter++;
  return inter / (ta.size + tb.size - inter);
}

/** Number tokens in one question but not the other ("2018" vs "2019": different facts). */
export function differingNumbers(a: string, b: string): string[] {
  const isNum = (t: string) => /^\d+(\.\d+)?$/.test(t);
  const ta = new Set(allWords(a).filter(isNum));
  const tb = new Set(allWords(b).filter(isNum));
  return [...[...ta].filter((t) => !tb.has(t)), ...[...tb].filter((t) => !ta.has(t))];
}
