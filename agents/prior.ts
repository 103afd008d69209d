/**
 * The prior: always answers the most frequent value of the asked attribute, counted over the
 * train split's gold answers. It is the "popular answer" baseline: what a model that learned
 * only the answer distribution, and no fact, would score.
 *
 * It needs to know which attribute a question asks about. Observations do not carry record
 * metadata (for real datasets it can hold answers), so the prior looks the question up in the
 * source by id and reads `meta.attribute` (FactWorld sets it; for other datasets pass
 * `attributeOf`, e.g. PopQA's `meta.prop`). Questions without an attribute get the most
 * frequent train answer overall. It reads only the attribute, never a question's answers.
 */
import type { QARecord, SplitSource } from '../env/types.ts';
import { formatAnswer, type ScriptedAgent } from './scripted.ts';

/** FactWorld's attribute name; undefined when the record has none. */
export function metaAttribute(record: QARecord): string | undefined {
  const a = record.meta['attribute'];
  return typeof a === 'string' ? a : undefined;
}

/** The most frequent value; ties go to the value that sorts first, so it is deterministic. */
export function mostFrequent(values: Iterable<string>): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | undefined;
  let bestCount = 0;
  for (const [v, c] of counts) {
    if (c > bestCount || (c === bestCount && best !== undefined && v < best))
      [best, bestCount] = [v, c];
  }
  return best;
}

export interface PriorTable {
  /** Attribute -> its most frequent gold answer in train. */
  byAttribute: ReadonlyMap<string, string>;
  /** The most frequent gold answer in train overall. */
  overall: string;
}

/** Count the train split's first gold answers, per attribute and overall. */
export function priorTable(
  train: readonly QARecord[],
  attributeOf: (r: QARecord) => string | undefined = metaAttribute,
): PriorTable {
  const values = new Map<string, string[]>();
  for (const r of train) {
    const attr = attributeOf(r);
    if (attr !== undefined) values.set(attr, [...(values.get(attr) ?? []), r.answers[0]!]);
  }
  const byAttribute = new Map<string, string>();
  for (const [attr, vs] of values) byAttribute.set(attr, mostFrequent(vs)!);
  return { byAttribute, overall: mostFrequent(train.map((r) => r.answers[0]!)) ?? '' };
}

export function priorAgent(
  source: SplitSource,
  attributeOf: (r: QARecord) => string | undefined = metaAttribute,
): ScriptedAgent {
  const table = priorTable(source.splits.train ?? [], attributeOf);
  const attributeOfQuestion = new Map<string, string | undefined>();
  for (const records of Object.values(source.splits)) {
    for (const r of records ?? []) attributeOfQuestion.set(r.id, attributeOf(r));
  }
  return {
    name: 'prior',
    act: (observations) =>
      observations.map((o) => {
        const attr = attributeOfQuestion.get(o.questionId);
        const answer = (attr !== undefined && table.byAttribute.get(attr)) || table.overall;
        return formatAnswer(o.prompt, answer);
      }),
  };
}
