/**
 * IDF-weighted cosine similarity of two questions' content-token sets, for the heuristic
 * decider. IDF weighting matters for templated datasets: "What is X's occupation?" and
 * "What is Y's occupation?" share "occupation", which is in a third of PopQA, so it weighs
 * little next to the names.
 */
import { allWords, distinctTokens } from './tokens.ts';

export class IdfSimilarity {
  private readonly idf = new Map<string, number>();
  /** Tokens and squared norm per text: each question is compared with many candidates. */
  private readonly memo = new Map<string, { tokens: Set<string>; norm2: number }>();
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

  private vector(text: string): { tokens: Set<string>; norm2: number } {
    let v = this.memo.get(text);
    if (!v) {
      const tokens = new Set(distinctTokens(text));
      let norm2 = 0;
      for (const t of tokens) norm2 += this.weight(t) ** 2;
      v = { tokens, norm2 };
      this.memo.set(text, v);
    }
    return v;
  }

  /** Cosine in [0, 1] of binary token vectors weighted by IDF; 0 when either has no tokens. */
  similarity(a: string, b: string): number {
    const va = this.vector(a);
    const vb = this.vector(b);
    if (va.norm2 === 0 || vb.norm2 === 0) return 0;
    let dot = 0;
    for (const t of va.tokens) if (vb.tokens.has(t)) dot += this.weight(t) ** 2;
    return Math.min(1, dot / Math.sqrt(va.norm2 * vb.norm2));
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
