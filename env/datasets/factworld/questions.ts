/**
 * FactWorld as env questions: one canonical question per (person, attribute), split by
 * person, so no fact (and no person) is shared between train, val and test.
 */
import type { QARecord, SplitName, SplitSource } from '../../types.ts';
import type { AttributeName } from './attributes.ts';
import type { GroupName } from './config.ts';
import { questionText } from './format.ts';
import type { World } from './world.ts';

/** `meta` of a FactWorld question. */
export interface FactWorldQuestionMeta {
  personId: string;
  attribute: AttributeName;
  group: GroupName;
  /** The attribute's popular value (the answer the corpus's QA text is biased toward). */
  popularValue: string;
  [key: string]: unknown;
}

/**
 * Every question of the world, people in id order, attributes in config order. Ids are
 * `factworld:<personId>:<attribute>`; `answers` is `[truth]`.
 */
export function worldQuestions(world: World): QARecord[] {
  return world.people.flatMap((person) =>
    world.attributeNames.map((attr) => {
      const meta: FactWorldQuestionMeta = {
        personId: person.id,
        attribute: attr,
        group: person.group,
        popularValue: world.popularValue(attr),
      };
      return {
        id: `factworld:${person.id}:${attr}`,
        dataset: 'factworld' as const,
        question: questionText(attr, person.name),
        answers: [world.fact(person, attr)],
        meta,
      };
    }),
  );
}

/** The questions of one group of people. */
export function groupQuestions(world: World, group: GroupName): QARecord[] {
  return worldQuestions(world).filter((q) => q.meta['group'] === group);
}

/**
 * The questions whose QA text the model was pretrained on (the `qa` group); no split holds
 * them. For analyses: how well the model answers what it saw in the answer format.
 */
export function qaSeenQuestions(world: World): QARecord[] {
  return groupQuestions(world, 'qa');
}

/**
 * The env's split source: train = the RL-training people's questions, val and test = the
 * held-out people's. `hash` is the world fingerprint (config + generator version).
 */
export function worldSplitSource(world: World): SplitSource {
  const all = worldQuestions(world);
  const splits: Partial<Record<SplitName, readonly QARecord[]>> = {};
  for (const split of ['train', 'val', 'test'] as const) {
    const records = all.filter((q) => q.meta['group'] === split);
    if (records.length > 0) splits[split] = records;
  }
  const c = world.config;
  return {
    dataset: 'factworld',
    splits,
    hash: world.fingerprint,
    description: `FactWorld ${world.fingerprint} (seed ${c.seed}, ${c.people} people, ${c.attributes.join('/')})`,
  };
}
