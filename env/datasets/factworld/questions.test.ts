import { describe, expect, it } from 'vitest';
import { formatQuestionPrompt, tokenizeWords } from './format.ts';
import { qaSeenQuestions, worldQuestions, worldSplitSource } from './questions.ts';
import { generateWorld } from './world.ts';

const world = generateWorld({ seed: 5, people: 200 });

describe('FactWorld questions', () => {
  it('asks one canonical question per person and attribute, with stable ids and the truth as answer', () => {
    const qs = worldQuestions(world);
    expect(qs).toHaveLength(200 * 5);
    expect(new Set(qs.map((q) => q.id)).size).toBe(qs.length);
    const p = world.people[7]!;
    const q = qs.find((r) => r.id === `factworld:${p.id}:birth_city`)!;
    expect(q.question).toBe(`In which city was ${p.name} born?`);
    expect(q.answers).toEqual([p.attributes.birth_city]);
    expect(q.dataset).toBe('factworld');
    expect(q.meta).toEqual({
      personId: p.id,
      attribute: 'birth_city',
      group: p.group,
      popularValue: world.popularValue('birth_city'),
    });
  });

  it('splits by person: train, val and test share no person, hence no fact, and qa people are in no split', () => {
    const source = worldSplitSource(world);
    const people = (split: 'train' | 'val' | 'test') =>
      new Set(source.splits[split]!.map((q) => q.meta['personId'] as string));
    const [train, val, test] = [people('train'), people('val'), people('test')];
    for (const id of test) expect(train.has(id) || val.has(id)).toBe(false);
    for (const id of val) expect(train.has(id)).toBe(false);
    const qa = new Set(qaSeenQuestions(world).map((q) => q.meta['personId'] as string));
    for (const id of qa) expect(train.has(id) || val.has(id) || test.has(id)).toBe(false);
    expect(train.size + val.size + test.size + qa.size).toBe(200);
    for (const split of ['train', 'val', 'test'] as const) {
      for (const q of source.splits[split]!) expect(q.meta['group']).toBe(split);
    }
  });

  it('hashes the split source by the world fingerprint, which follows the config', () => {
    expect(worldSplitSource(world).hash).toBe(world.fingerprint);
    expect(worldSplitSource(generateWorld({ seed: 5, people: 200 })).hash).toBe(world.fingerprint);
    expect(worldSplitSource(generateWorld({ seed: 5, people: 201 })).hash).not.toBe(
      world.fingerprint,
    );
    expect(worldSplitSource(world).dataset).toBe('factworld');
  });

  it('leaves out the val split when the val fraction is 0', () => {
    const w = generateWorld({ people: 40, groups: { qa: 0.3, train: 0.5, val: 0, test: 0.2 } });
    expect(Object.keys(worldSplitSource(w).splits).sort()).toEqual(['test', 'train']);
  });

  it('prompts as "Q: <question> A:" and tokenizes punctuation as its own words', () => {
    expect(formatQuestionPrompt('In which year was Ana Bo born?')).toBe(
      'Q: In which year was Ana Bo born? A:',
    );
    expect(tokenizeWords('Q: Who? A: Ana Bo, 1970.')).toEqual([
      'Q',
      ':',
      'Who',
      '?',
      'A',
      ':',
      'Ana',
      'Bo',
      ',',
      '1970',
      '.',
    ]);
  });
});
