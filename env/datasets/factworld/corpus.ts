/**
 * The pretraining corpus of a FactWorld: biographies of ALL people (the truth, paraphrased,
 * attributes in a shuffled order) plus question-answer lines for the `qa` people only. A
 * fixed fraction of those lines answers with the attribute's popular value instead of the
 * truth: a general habit ("answer the popular value") that RL can fix for held-out people,
 * whose facts the model did learn from their biographies.
 */
import { Rng, seededPermutation, seedFrom } from '../../../lib/rng.ts';
import { ATTRIBUTES, type AttributeName, fillTemplate } from './attributes.ts';
import { formatQA, questionText } from './format.ts';
import type { World } from './world.ts';

/** One document of the corpus, with what it was made from (for analyses and tests). */
export type CorpusDocument =
  | { kind: 'biography'; personId: string; text: string }
  | {
      kind: 'qa';
      personId: string;
      text: string;
      attribute: AttributeName;
      /** What the line answers: the truth, or the popular value when `corrupted`. */
      answer: string;
      /** True when the answer was replaced by the popular value (it may equal the truth). */
      corrupted: boolean;
    };

export interface CorpusOptions {
  /** Called after each person's documents are made (for progress bars on big worlds). */
  onProgress?: (done: number, total: number) => void;
}

/** A biography: one sentence per attribute, in a random order, each a random paraphrase. */
function biography(
  world: World,
  rng: Rng,
  name: string,
  facts: (a: AttributeName) => string,
): string {
  const order = rng.shuffle([...world.attributeNames]);
  return order
    .map((a) => fillTemplate(rng.pick(ATTRIBUTES[a].templates), name, facts(a)))
    .join(' ');
}

/**
 * Every document of the corpus, in a seeded shuffled order, with its provenance. The texts
 * hold no newlines, so a file with one document per line round-trips.
 */
export function pretrainDocuments(world: World, opts: CorpusOptions = {}): CorpusDocument[] {
  const { config: cfg, people } = world;
  const stream = (...parts: Array<string | number>) =>
    new Rng(seedFrom(cfg.seed, 'factworld', ...parts));
  const docs: CorpusDocument[] = [];

  // Which QA lines are corrupted: exactly round(fraction * lines) per attribute, seeded.
  const qaPeople = people.filter((p) => p.group === 'qa');
  const linesPerAttr = qaPeople.length * cfg.qaLinesPerFact;
  const corrupted = new Map<AttributeName, Set<number>>();
  for (const attr of world.attributeNames) {
    const n = Math.round(cfg.popularAnswerFraction * linesPerAttr);
    corrupted.set(
      attr,
      new Set(seededPermutation(linesPerAttr, cfg.seed, 'factworld', 'corrupt', attr).slice(0, n)),
    );
  }

  let qaIndex = 0;
  people.forEach((person, i) => {
    const rng = stream('biographies', person.id);
    const fact = (a: AttributeName) => world.fact(person, a);
    for (let b = 0; b < cfg.biographiesPerPerson; b++) {
      docs.push({
        kind: 'biography',
        personId: person.id,
        text: biography(world, rng, person.name, fact),
      });
    }
    if (person.group === 'qa') {
      for (let r = 0; r < cfg.qaLinesPerFact; r++, qaIndex++) {
        for (const attr of world.attributeNames) {
          const isCorrupted = corrupted.get(attr)!.has(qaIndex);
          const answer = isCorrupted ? world.popularValue(attr) : fact(attr);
          const text = formatQA(questionText(attr, person.name), answer);
          docs.push({
            kind: 'qa',
            personId: person.id,
            text,
            attribute: attr,
            answer,
            corrupted: isCorrupted,
          });
        }
      }
    }
    opts.onProgress?.(i + 1, people.length);
  });
  return stream('corpus-order').shuffle(docs);
}

/** The pretraining corpus as plain documents (see `pretrainDocuments`). */
export function pretrainCorpus(world: World, opts: CorpusOptions = {}): string[] {
  return pretrainDocuments(world, opts).map((d) => d.text);
}
