/**
 * maj@k, the test-time baseline: k answers sampled per question, the most frequent one
 * (normalised as the judges normalise; ties go to the answer seen first) is the single answer
 * sent to the env. The vote happens before the env sees anything, so it works on every split
 * and role, the test split's eval role included (its accuracy is the server's aggregate).
 */
import { normalizeAnswer } from '../../../judges/normalize.ts';
import type { EnvConnections } from '../training/env-connection.ts';
import { promptOf } from '../training/rollout.ts';
import type { GenerateParams, GenerateResult } from '../worker-types.ts';
import type { Sampling } from './collect.ts';

/** The majority of `answers` (index of its first occurrence); -1 when every answer is empty. */
export function majorityIndex(answers: readonly string[]): number {
  const votes = new Map<string, { count: number; first: number }>();
  answers.forEach((a, i) => {
    const key = normalizeAnswer(a);
    if (!key) return;
    const v = votes.get(key);
    if (v) v.count++;
    else votes.set(key, { count: 1, first: i });
  });
  let best: { count: number; first: number } | undefined;
  for (const v of votes.values())
    if (!best || v.count > best.count || (v.count === best.count && v.first < best.first)) best = v;
  return best?.first ?? -1;
}

export interface MajorityEval {
  split: 'train' | 'val' | 'test';
  k: number;
  questions: number;
  accuracy: number;
  /** Answers whose judge failed (not counted). */
  masked: number;
}

export async function majorityEval(
  conn: EnvConnections,
  generate: (p: GenerateParams) => Promise<GenerateResult>,
  split: 'train' | 'val' | 'test',
  opts: { k: number; sampling: Sampling; questionsPerReset?: number },
): Promise<MajorityEval> {
  const env = await conn.make(split === 'test' ? 'eval' : 'policy');
  try {
    const size = env.spec().splits[split] ?? 0;
    const per = opts.questionsPerReset ?? 64;
    let right = 0;
    let scored = 0;
    for (let done = 0; done < size; ) {
      const r = await env.reset({ split, batchSize: Math.min(per, size - done), groupSize: 1 });
      const res = await generate({
        ...opts.sampling,
        prompts: r.observations.map(promptOf),
        n: opts.k,
      });
      const actions = r.observations.map((o, i) => {
        const texts = res.results[i]!.samples.map((s) => s.text);
        return { episodeId: o.episodeId, answer: texts[majorityIndex(texts)] ?? '' };
      });
      const stepped = await env.step(actions);
      for (const s of stepped.results)
        if (s.reward !== null) {
          scored++;
          right += s.reward;
        }
      done += r.observations.length;
    }
    if (split === 'test') {
      const counts = (await env.closeWithSummary())?.counts;
      const n = counts?.scored ?? 0;
      return {
        split,
        k: opts.k,
        questions: size,
        accuracy: n ? (counts?.rewardSum ?? 0) / n : Number.NaN,
        masked: counts?.judgeFailed ?? 0,
      };
    }
    return {
      split,
      k: opts.k,
      questions: size,
      accuracy: scored ? right / scored : Number.NaN,
      masked: size - scored,
    };
  } finally {
    await env.close().catch(() => undefined);
  }
}
