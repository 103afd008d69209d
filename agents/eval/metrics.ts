/**
 * The numbers of `factrecall eval`, from episode rows.
 *
 * Over scored episodes (a verdict exists; judge failures and failed generations are counted
 * apart, never as misses):
 *   accuracy              = correct / scored
 *   not attempted         = not_attempted / scored
 *   correct given attempted = correct / (correct + incorrect)
 *   F-score (SimpleQA)    = harmonic mean of accuracy and correct given attempted
 * With n samples per question:
 *   pass@k = mean over questions of the unbiased 1 - C(n-c, k) / C(n, k) (lib/pass-at-k.ts);
 *            with the judge as the oracle this is also best-of-k
 *   maj@k  = mean over questions of: the most frequent normalised answer among the first k
 *            scored samples (ties: the one reached first; not-attempted answers do not vote)
 *            is correct
 * A question with fewer than k scored samples is left out at that k.
 */
import { normalizeAnswer } from '../../judges/normalize.ts';
import { meanPassAtK } from '../../lib/pass-at-k.ts';

/** One episode as `factrecall eval` keeps it (JSON lines). */
export interface EpisodeRow {
  questionId: string;
  /** Sample index within the question (0..samples-1). */
  index: number;
  question: string;
  /** The model's raw text; null when generation failed. */
  answer: string | null;
  status: 'ok' | 'judge_failed' | 'withheld' | 'generation_failed';
  reward: 0 | 1 | null;
  verdict: 'correct' | 'incorrect' | 'not_attempted' | null;
  /** The answer the env extracted and judged (null when withheld or not stepped). */
  extracted: string | null;
  error?: string;
}

export interface DirectMetrics {
  episodes: number;
  scored: number;
  correct: number;
  incorrect: number;
  notAttempted: number;
  judgeFailed: number;
  generationFailed: number;
  accuracy: number | null;
  notAttemptedRate: number | null;
  correctGivenAttempted: number | null;
  fScore: number | null;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

export function directMetrics(rows: readonly EpisodeRow[]): DirectMetrics {
  let correct = 0;
  let incorrect = 0;
  let notAttempted = 0;
  let judgeFailed = 0;
  let generationFailed = 0;
  for (const r of rows) {
    if (r.status === 'generation_failed') generationFailed++;
    else if (r.status === 'judge_failed') judgeFailed++;
    else if (r.verdict === 'correct') correct++;
    else if (r.verdict === 'not_attempted') notAttempted++;
    else if (r.verdict === 'incorrect') incorrect++;
  }
  const scored = correct + incorrect + notAttempted;
  const accuracy = ratio(correct, scored);
  const cga = ratio(correct, correct + incorrect);
  const fScore =
    accuracy === null || cga === null
      ? null
      : accuracy + cga > 0
        ? (2 * accuracy * cga) / (accuracy + cga)
        : 0;
  return {
    episodes: rows.length,
    scored,
    correct,
    incorrect,
    notAttempted,
    judgeFailed,
    generationFailed,
    accuracy,
    notAttemptedRate: ratio(notAttempted, scored),
    correctGivenAttempted: cga,
    fScore,
  };
}

export interface AtK {
  k: number;
  /** null when no question has k scored samples. */
  value: number | null;
  /** Questions with at least k scored samples. */
  questions: number;
}

/** Scored samples of each question, in sample order. */
function scoredByQuestion(rows: readonly EpisodeRow[]): EpisodeRow[][] {
  const by = new Map<string, EpisodeRow[]>();
  for (const r of rows) {
    if (r.reward === null) continue;
    const list = by.get(r.questionId) ?? [];
    list.push(r);
    by.set(r.questionId, list);
  }
  return [...by.values()].map((l) => l.sort((a, b) => a.index - b.index));
}

export function passAtKs(rows: readonly EpisodeRow[], ks: readonly number[]): AtK[] {
  const counts = scoredByQuestion(rows).map((l) => ({
    n: l.length,
    c: l.filter((r) => r.reward === 1).length,
  }));
  return ks.map((k) => {
    const v = meanPassAtK(counts, k);
    return {
      k,
      value: Number.isNaN(v) ? null : v,
      questions: counts.filter((q) => q.n >= k).length,
    };
  });
}

/** Whether the majority answer of these samples is correct (false when none voted). */
export function majorityCorrect(samples: readonly EpisodeRow[]): boolean {
  const votes = new Map<string, { count: number; first: number; reward: number }>();
  samples.forEach((s, i) => {
    if (s.verdict === 'not_attempted') return;
    const key = normalizeAnswer(s.extracted ?? s.answer ?? '');
    if (!key) return;
    const v = votes.get(key);
    if (v) v.count++;
    else votes.set(key, { count: 1, first: i, reward: s.reward ?? 0 });
  });
  let best: { count: number; first: number; reward: number } | undefined;
  for (const v of votes.values()) {
    if (!best || v.count > best.count || (v.count === best.count && v.first < best.first)) best = v;
  }
  return best?.reward === 1;
}

export function majAtKs(rows: readonly EpisodeRow[], ks: readonly number[]): AtK[] {
  const questions = scoredByQuestion(rows);
  return ks.map((k) => {
    const usable = questions.filter((l) => l.length >= k);
    const hits = usable.filter((l) => majorityCorrect(l.slice(0, k))).length;
    return { k, value: usable.length ? hits / usable.length : null, questions: usable.length };
  });
}
