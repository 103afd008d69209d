/**
 * Numbers that say what a FactWorld is: sizes, the corpus, the strength of the popular-answer
 * habit, and chance levels (what an agent that knows no fact scores), per split.
 */
import type { QARecord } from '../../types.ts';
import type { AttributeName } from './attributes.ts';
import { GROUP_NAMES, type GroupName } from './config.ts';
import { type CorpusDocument, pretrainDocuments } from './corpus.ts';
import { tokenizeWords } from './format.ts';
import { groupQuestions } from './questions.ts';
import type { World } from './world.ts';

/** The k of the chance-level pass@k. */
export const CHANCE_KS = [1, 8, 32] as const;

/** Chance levels on one set of questions. */
export interface ChanceLevels {
  questions: number;
  /**
   * pass@k of a typed guesser: k independent samples from the attribute's empirical value
   * distribution. Analytic: mean over questions of 1 - (1 - p_gold)^k.
   */
  typedGuesserPassAt: Record<`${(typeof CHANCE_KS)[number]}`, number>;
  /** Accuracy of the prior agent, which always answers the attribute's most frequent value. */
  priorAccuracy: number;
  /** Accuracy of always answering the popular value (the corpus's habit, followed fully). */
  popularAccuracy: number;
}

export interface WorldStats {
  fingerprint: string;
  seed: number;
  people: Record<GroupName | 'total', number>;
  /** Questions per group (train, val, test are the env's splits; qa is seen in pretraining). */
  questions: Record<GroupName, number>;
  attributes: Record<
    string,
    { poolSize: number; mostFrequent: string; mostFrequentShare: number; popular: string }
  >;
  corpus: {
    documents: number;
    biographies: number;
    qaLines: number;
    /** Word-level tokens (`tokenizeWords`) over all documents. */
    words: number;
    /** Distinct word-level tokens: the vocabulary of a word-level model. */
    distinctWords: number;
  };
  qaText: {
    lines: number;
    /** Lines whose answer was replaced by the popular value. */
    corrupted: number;
    corruptedFraction: number;
    /** Lines whose answer is the popular value (corrupted, or true and popular anyway). */
    popularFraction: number;
  };
  chance: Record<GroupName, ChanceLevels>;
}

/** Share of the world's people whose `attr` is `value`. */
function share(world: World, attr: AttributeName, value: string): number {
  return (world.valueCounts(attr).get(value) ?? 0) / world.people.length;
}

/** Chance levels of `questions` (FactWorld records) in `world`. */
export function chanceLevels(world: World, questions: readonly QARecord[]): ChanceLevels {
  const passAt = Object.fromEntries(
    CHANCE_KS.map((k) => [String(k), 0]),
  ) as ChanceLevels['typedGuesserPassAt'];
  let prior = 0;
  let popular = 0;
  for (const q of questions) {
    const attr = q.meta['attribute'] as AttributeName;
    const gold = q.answers[0]!;
    const p = share(world, attr, gold);
    for (const k of CHANCE_KS) passAt[`${k}`] += 1 - (1 - p) ** k;
    if (gold === world.mostFrequentValue(attr)) prior++;
    if (gold === world.popularValue(attr)) popular++;
  }
  const n = questions.length || 1;
  for (const k of CHANCE_KS) passAt[`${k}`] /= n;
  return {
    questions: questions.length,
    typedGuesserPassAt: passAt,
    priorAccuracy: prior / n,
    popularAccuracy: popular / n,
  };
}

/**
 * Stats of `world`. Pass the corpus documents when already made, to skip making them again.
 */
export function worldStats(world: World, documents?: readonly CorpusDocument[]): WorldStats {
  const docs = documents ?? pretrainDocuments(world);
  const vocabulary = new Set<string>();
  let words = 0;
  let qaLines = 0;
  let corrupted = 0;
  let popular = 0;
  for (const d of docs) {
    const tokens = tokenizeWords(d.text);
    words += tokens.length;
    for (const t of tokens) vocabulary.add(t);
    if (d.kind === 'qa') {
      qaLines++;
      if (d.corrupted) corrupted++;
      if (d.answer === world.popularValue(d.attribute)) popular++;
    }
  }
  const people = { total: world.people.length } as WorldStats['people'];
  const questions = {} as WorldStats['questions'];
  const chance = {} as WorldStats['chance'];
  for (const g of GROUP_NAMES) {
    const qs = groupQuestions(world, g);
    people[g] = world.people.filter((p) => p.group === g).length;
    questions[g] = qs.length;
    chance[g] = chanceLevels(world, qs);
  }
  const attributes: WorldStats['attributes'] = {};
  for (const attr of world.attributeNames) {
    const mostFrequent = world.mostFrequentValue(attr);
    attributes[attr] = {
      poolSize: world.valuePool(attr).length,
      mostFrequent,
      mostFrequentShare: share(world, attr, mostFrequent),
      popular: world.popularValue(attr),
    };
  }
  return {
    fingerprint: world.fingerprint,
    seed: world.config.seed,
    people,
    questions,
    attributes,
    corpus: {
      documents: docs.length,
      biographies: docs.length - qaLines,
      qaLines,
      words,
      distinctWords: vocabulary.size,
    },
    qaText: {
      lines: qaLines,
      corrupted,
      corruptedFraction: qaLines ? corrupted / qaLines : 0,
      popularFraction: qaLines ? popular / qaLines : 0,
    },
    chance,
  };
}
