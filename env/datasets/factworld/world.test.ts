import { describe, expect, it } from 'vitest';
import { isFactRecallError } from '../../../lib/errors.ts';
import { pretrainCorpus } from './corpus.ts';
import { generateWorld } from './world.ts';

/** Everything a world is made of, as text: equal strings mean byte-identical output. */
function serialise(seed: number): string {
  const world = generateWorld({ seed, people: 120 });
  const pools = world.attributeNames.map((a) => world.valuePool(a));
  return JSON.stringify({
    config: world.config,
    people: world.people,
    pools,
    corpus: pretrainCorpus(world),
  });
}

describe('generateWorld', () => {
  it('makes byte-identical worlds and corpora from the same seed', () => {
    expect(serialise(7)).toBe(serialise(7));
  });

  it('makes different worlds from different seeds', () => {
    const a = generateWorld({ seed: 1, people: 50 });
    const b = generateWorld({ seed: 2, people: 50 });
    expect(a.people.map((p) => p.name)).not.toEqual(b.people.map((p) => p.name));
    expect(a.fingerprint).not.toBe(b.fingerprint);
  });

  it('gives every person a unique name and ids p0000, p0001, ...', () => {
    const world = generateWorld({ people: 2000 });
    expect(new Set(world.people.map((p) => p.name)).size).toBe(2000);
    expect(world.people[0]!.id).toBe('p0000');
    expect(world.people[1999]!.id).toBe('p1999');
    for (const p of world.people) expect(p.name).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
  });

  it('respects the pool sizes, with distinct values, and no invented word shared by two pools', () => {
    const world = generateWorld({
      poolSizes: { birth_city: 70, birth_year: 45, employer: 90, university: 64, field: 100 },
      attributes: ['birth_city', 'birth_year', 'employer', 'university', 'field', 'residence_city'],
    });
    const sizes = {
      birth_city: 70,
      birth_year: 45,
      employer: 90,
      university: 64,
      field: 100,
      residence_city: 80,
    };
    const firstWords = new Map<string, string>();
    for (const attr of world.attributeNames) {
      const pool = world.valuePool(attr);
      expect(pool.length, attr).toBe(sizes[attr]);
      expect(new Set(pool).size, attr).toBe(pool.length);
      for (const v of pool) {
        const word = v.split(' ')[0]!;
        if (attr === 'field') continue;
        expect(
          firstWords.get(word),
          `${word} in ${attr} and ${firstWords.get(word)}`,
        ).toBeUndefined();
        firstWords.set(word, attr);
      }
    }
    for (const p of world.people) {
      for (const attr of world.attributeNames)
        expect(world.valuePool(attr)).toContain(p.attributes[attr]);
    }
  });

  it('keeps values short and word-level friendly', () => {
    const world = generateWorld({});
    for (const attr of world.attributeNames) {
      for (const v of world.valuePool(attr))
        expect(v).toMatch(/^[A-Za-z0-9]+( [A-Za-z0-9]+){0,2}$/);
    }
    expect(world.valuePool('birth_year').every((y) => /^\d{4}$/.test(y))).toBe(true);
  });

  it('splits people into groups of the configured sizes', () => {
    const world = generateWorld({ people: 400 });
    const count = (g: string) => world.people.filter((p) => p.group === g).length;
    expect([count('qa'), count('train'), count('val'), count('test')]).toEqual([120, 160, 40, 80]);
  });

  it('skews the truth mildly: the most frequent value is held by few but more than uniform', () => {
    const world = generateWorld({});
    for (const attr of world.attributeNames) {
      const pool = world.valuePool(attr);
      const top = world.valueCounts(attr).get(world.mostFrequentValue(attr))!;
      expect(top / world.people.length, attr).toBeGreaterThan(1.5 / pool.length);
      expect(top / world.people.length, attr).toBeLessThan(0.15);
    }
    const uniform = generateWorld({ truthSkew: 0, people: 4000 });
    const top = uniform.valueCounts('field').get(uniform.mostFrequentValue('field'))!;
    expect(top / 4000).toBeLessThan(3 / 60);
  });

  it('picks the popular value by frequency rank or by name', () => {
    const world = generateWorld({});
    const counts = world.valueCounts('employer');
    expect(world.popularValue('employer')).toBe(world.mostFrequentValue('employer'));
    const byRank = generateWorld({ popularValue: { employer: 3 } });
    const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    expect(counts.get(byRank.popularValue('employer'))).toBe(ranked[3]![1]);
    const named = world.valuePool('employer')[17]!;
    expect(generateWorld({ popularValue: { employer: named } }).popularValue('employer')).toBe(
      named,
    );
  });

  it('refuses a popular value that is not in the pool, and an attribute the world lacks', () => {
    expect(() => generateWorld({ popularValue: { employer: 'Nowhere Inc' } })).toThrow(
      expect.objectContaining({ code: 'FR_ERR_FACTWORLD_BAD_CONFIG' }),
    );
    try {
      generateWorld({ people: 20 }).valuePool('residence_city');
      expect.unreachable();
    } catch (e) {
      expect(isFactRecallError(e, 'FR_ERR_FACTWORLD_UNKNOWN_ATTRIBUTE')).toBe(true);
    }
  });

  it('generates 400 people with their corpus well under a second', () => {
    generateWorld({ seed: 99 }); // warm the JIT
    const start = performance.now();
    pretrainCorpus(generateWorld({ seed: 100 }));
    expect(performance.now() - start).toBeLessThan(1000);
  });
});
