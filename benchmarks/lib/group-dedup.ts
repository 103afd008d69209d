/**
 * Verdicts deduplicated within a GRPO group: the items of one group (one question, its n
 * sampled answers) whose normalised answers are equal are judged once, and that verdict is
 * given to each of them. `dedupCounts` says what each policy would send a judge: every sample,
 * one per distinct answer text (what the LLM judge's in-flight coalescing on its verdict
 * cache key does today), or one per distinct normalised answer.
 */
import { isLiteralMatch } from '../../judges/llm/llm-judge.ts';
import { normalizeAnswer } from '../../judges/normalize.ts';
import type { JudgeItem } from '../../judges/types.ts';

export interface GroupedItem extends JudgeItem {
  /** The GRPO group (question) the sample belongs to. */
  group: string;
}

/** Distinct (group, normalised prediction) items, and for each input the index of its representative. */
export function dedupWithinGroups(items: readonly GroupedItem[]): {
  unique: GroupedItem[];
  representative: number[];
} {
  const seen = new Map<string, number>();
  const unique: GroupedItem[] = [];
  const representative = items.map((it) => {
    const key = `${it.group}\u0000${normalizeAnswer(it.prediction)}`;
    let k = seen.get(key);
    if (k === undefined) {
      k = unique.length;
      seen.set(key, k);
      unique.push(it);
    }
    return k;
  });
  return { unique, representative };
}

/** Judge `items` with each group's equal normalised answers judged once; verdicts in input order. */
export async function judgeDeduplicated<V>(
  items: readonly GroupedItem[],
  judge: (items: readonly JudgeItem[]) => Promise<V[]>,
): Promise<V[]> {
  const { unique, representative } = dedupWithinGroups(items);
  const verdicts = await judge(unique.map(({ group: _g, ...item }) => item));
  return representative.map((k) => verdicts[k]!);
}

export interface DedupCounts {
  samples: number;
  groups: number;
  /** Decided without a call: blank, or literally a gold alias (the LLM judge's short-circuits). */
  shortCircuited: number;
  /** Calls a judge without any dedup makes. */
  everySample: number;
  /** Calls when identical answer texts of a group are coalesced (the LLM judge today). */
  exactText: number;
  /** Calls when equal normalised answers of a group are judged once. */
  normalised: number;
}

/** What each dedup policy would send, on the items of real rollouts. */
export function dedupCounts(items: readonly GroupedItem[]): DedupCounts {
  const calls = items.filter((it) => normalizeAnswer(it.prediction) !== '' && !isLiteralMatch(it));
  const distinct = (key: (it: GroupedItem) => string) =>
    new Set(calls.map((it) => `${it.group}\u0000${key(it)}`)).size;
  return {
    samples: items.length,
    groups: new Set(items.map((it) => it.group)).size,
    shortCircuited: items.length - calls.length,
    everySample: calls.length,
    exactText: distinct((it) => it.prediction),
    normalised: distinct((it) => normalizeAnswer(it.prediction)),
  };
}
