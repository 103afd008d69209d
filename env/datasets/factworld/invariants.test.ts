import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ATTRIBUTE_NAMES } from './attributes.ts';
import { pretrainDocuments } from './corpus.ts';
import { qaSeenQuestions, worldSplitSource } from './questions.ts';
import { worldStats } from './stats.ts';
import { generateWorld } from './world.ts';

/** Random valid configs: any seed, size, attribute subset, partition and corruption rate. */
const configs = fc
  .record({
    seed: fc.nat({ max: 2 ** 32 - 1 }),
    people: fc.integer({ min: 40, max: 160 }),
    attributes: fc.subarray([...ATTRIBUTE_NAMES], { minLength: 1 }),
    weights: fc.tuple(
      fc.nat(10),
      fc.integer({ min: 1, max: 10 }),
      fc.nat(10),
      fc.integer({ min: 1, max: 10 }),
    ),
    popularAnswerFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    biographiesPerPerson: fc.integer({ min: 1, max: 4 }),
    qaLinesPerFact: fc.integer({ min: 1, max: 3 }),
  })
  .map(({ weights, ...rest }) => {
    const total = weights.reduce((a, b) => a + b, 0);
    const [qa, train, val] = weights.map((w) => w / total) as [number, number, number];
    // The last fraction absorbs rounding, so the four sum to 1 exactly enough.
    return { ...rest, groups: { qa, train, val, test: 1 - qa - train - val } };
  });

describe('FactWorld invariants over random configs', () => {
  it('keep splits disjoint by person, held-out people out of QA text, corruption at the configured rate, and generation deterministic', () => {
    fc.assert(
      fc.property(configs, (config) => {
        let world: ReturnType<typeof generateWorld>;
        try {
          world = generateWorld(config);
        } catch (e) {
          // Only a partition too small for the people count may be refused.
          expect((e as { code?: string }).code).toBe('FR_ERR_FACTWORLD_BAD_CONFIG');
          expect(String(e)).toMatch(/raise people/);
          return;
        }
        const source = worldSplitSource(world);
        const seen = new Map<string, string>();
        for (const [split, records] of Object.entries(source.splits)) {
          for (const q of records!) {
            const person = q.meta['personId'] as string;
            expect(seen.get(person) ?? split).toBe(split);
            seen.set(person, split);
          }
        }
        for (const q of qaSeenQuestions(world))
          expect(seen.has(q.meta['personId'] as string)).toBe(false);

        const docs = pretrainDocuments(world);
        const qaText = docs
          .filter((d) => d.kind === 'qa')
          .map((d) => d.text)
          .join('\n');
        for (const p of world.people) {
          if (p.group !== 'qa')
            expect(qaText.includes(`${p.name} `) || qaText.includes(`${p.name}?`)).toBe(false);
        }
        const stats = worldStats(world, docs);
        if (stats.qaText.lines > 0) {
          const perAttribute = stats.qaText.lines / world.attributeNames.length;
          expect(
            Math.abs(stats.qaText.corruptedFraction - config.popularAnswerFraction),
          ).toBeLessThanOrEqual(0.5 / perAttribute + 1e-12);
        }
        expect(JSON.stringify(pretrainDocuments(generateWorld(config)))).toBe(JSON.stringify(docs));
      }),
      { numRuns: 20, seed: 20240611 },
    );
  });
});
