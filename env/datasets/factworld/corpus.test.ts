import { describe, expect, it } from 'vitest';
import { ATTRIBUTES } from './attributes.ts';
import { pretrainCorpus, pretrainDocuments } from './corpus.ts';
import { formatQA, questionText } from './format.ts';
import { generateWorld } from './world.ts';

const world = generateWorld({ seed: 3, people: 300 });
const docs = pretrainDocuments(world);
const byId = new Map(world.people.map((p) => [p.id, p]));

describe('the FactWorld pretraining corpus', () => {
  it('holds biographiesPerPerson biographies of every person, each stating every true fact once', () => {
    const biosOf = new Map<string, string[]>();
    for (const d of docs) {
      if (d.kind === 'biography')
        biosOf.set(d.personId, [...(biosOf.get(d.personId) ?? []), d.text]);
    }
    for (const person of world.people) {
      const bios = biosOf.get(person.id) ?? [];
      expect(bios).toHaveLength(world.config.biographiesPerPerson);
      for (const bio of bios) {
        const sentences = bio.split(/(?<=\.) /);
        expect(sentences).toHaveLength(world.attributeNames.length);
        for (const attr of world.attributeNames) {
          const fills = ATTRIBUTES[attr].templates.map((t) =>
            t.replace('{name}', person.name).replace('{value}', person.attributes[attr]!),
          );
          expect(
            sentences.filter((s) => fills.includes(s)).length,
            `${attr} in ${bio}`,
          ).toBeGreaterThan(0);
        }
      }
    }
  });

  it('uses several paraphrases per fact and shuffles the attribute order', () => {
    const bios = docs.filter((d) => d.kind === 'biography').map((d) => d.text);
    for (const attr of world.attributeNames) {
      const used = ATTRIBUTES[attr].templates.filter((t) => {
        const [before] = t.split('{name}');
        const after = t.split('{name}')[1]!.split('{value}')[0]!;
        return bios.some((b) => b.includes(after) && (before === '' || b.includes(before!)));
      });
      expect(used.length, attr).toBeGreaterThanOrEqual(3);
    }
    const firstSentences = new Set(
      bios.map((b) => b.split(/(?<=\.) /)[0]!.replace(/[A-Z][a-z]+ [A-Z][a-z]+/, '')),
    );
    expect(firstSentences.size).toBeGreaterThan(world.attributeNames.length);
  });

  it('writes question-answer text only for qa people, in the exact formatQA format', () => {
    const qa = docs.filter((d) => d.kind === 'qa');
    const qaPeople = world.people.filter((p) => p.group === 'qa');
    expect(qa).toHaveLength(
      qaPeople.length * world.attributeNames.length * world.config.qaLinesPerFact,
    );
    for (const d of qa) {
      if (d.kind !== 'qa') continue;
      const person = byId.get(d.personId)!;
      expect(person.group).toBe('qa');
      expect(d.text).toBe(formatQA(questionText(d.attribute, person.name), d.answer));
    }
  });

  it('never names a train, val or test person in question-answer text', () => {
    const qaText = docs
      .filter((d) => d.kind === 'qa')
      .map((d) => d.text)
      .join('\n');
    for (const person of world.people) {
      if (person.group === 'qa') continue;
      expect(
        qaText.includes(`${person.name} `) || qaText.includes(`${person.name}?`),
        person.name,
      ).toBe(false);
    }
    // The check can fail: qa people's names are there.
    expect(qaText).toContain(world.people.find((p) => p.group === 'qa')!.name);
  });

  it('answers the popular value in the configured fraction of QA lines, per attribute, else the truth', () => {
    for (const fraction of [0, 0.25, 0.6, 1]) {
      const w = generateWorld({
        seed: 4,
        people: 300,
        popularAnswerFraction: fraction,
        qaLinesPerFact: 2,
      });
      const qa = pretrainDocuments(w).filter((d) => d.kind === 'qa');
      const truthOf = new Map(w.people.map((p) => [p.id, p]));
      for (const attr of w.attributeNames) {
        const lines = qa.filter((d) => d.kind === 'qa' && d.attribute === attr);
        const corrupted = lines.filter((d) => d.kind === 'qa' && d.corrupted);
        expect(Math.abs(corrupted.length / lines.length - fraction)).toBeLessThanOrEqual(
          1 / lines.length,
        );
        for (const d of lines) {
          if (d.kind !== 'qa') continue;
          const truth = truthOf.get(d.personId)!.attributes[attr];
          expect(d.answer).toBe(d.corrupted ? w.popularValue(attr) : truth);
        }
      }
    }
  });

  it('spreads the corruption over qa people instead of a block of them', () => {
    const qa = docs.filter((d) => d.kind === 'qa' && d.attribute === 'birth_city');
    const corruptedPeople = new Set(
      qa.filter((d) => d.kind === 'qa' && d.corrupted).map((d) => d.personId),
    );
    const ids = [...corruptedPeople].map((id) => Number(id.slice(1))).sort((a, b) => a - b);
    expect(ids[ids.length - 1]! - ids[0]!).toBeGreaterThan(world.people.length / 2);
  });

  it('puts one document per line: no text holds a newline, and the order is shuffled', () => {
    const corpus = pretrainCorpus(world);
    expect(corpus.every((t) => !t.includes('\n'))).toBe(true);
    expect(corpus.slice(0, 50).some((t) => t.startsWith('Q: '))).toBe(true);
    expect(corpus).toEqual(docs.map((d) => d.text));
  });

  it('reports progress once per person', () => {
    const calls: number[] = [];
    pretrainDocuments(generateWorld({ people: 30 }), { onProgress: (done) => calls.push(done) });
    expect(calls).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });
});
