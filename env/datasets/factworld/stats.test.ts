import { describe, expect, it } from 'vitest';
import { Rng } from '../../../lib/rng.ts';
import type { AttributeName } from './attributes.ts';
import { pretrainDocuments } from './corpus.ts';
import { tokenizeWords } from './format.ts';
import { groupQuestions } from './questions.ts';
import { chanceLevels, worldStats } from './stats.ts';
import { generateWorld } from './world.ts';

const world = generateWorld({ seed: 11 });
const docs = pretrainDocuments(world);
const stats = worldStats(world, docs);

describe('worldStats', () => {
  it('counts people, questions, pools and the corpus', () => {
    expect(stats.people).toEqual({ total: 400, qa: 120, train: 160, val: 40, test: 80 });
    expect(stats.questions).toEqual({ qa: 600, train: 800, val: 200, test: 400 });
    expect(stats.attributes['birth_city']!.poolSize).toBe(80);
    expect(stats.corpus.documents).toBe(docs.length);
    expect(stats.corpus.biographies).toBe(400 * 6);
    expect(stats.corpus.qaLines).toBe(600);
    const tokens = docs.flatMap((d) => tokenizeWords(d.text));
    expect(stats.corpus.words).toBe(tokens.length);
    expect(stats.corpus.distinctWords).toBe(new Set(tokens).size);
  });

  it('reports the popular-answer fraction of QA text: corrupted exactly as configured, popular at least that', () => {
    expect(stats.qaText.corruptedFraction).toBeCloseTo(0.6, 10);
    expect(stats.qaText.popularFraction).toBeGreaterThanOrEqual(0.6);
    expect(stats.qaText.popularFraction).toBeLessThan(0.7);
    expect(worldStats(generateWorld({ popularAnswerFraction: 0 })).qaText.corrupted).toBe(0);
  });

  it('puts chance level low: a typed guesser has pass@1 under 5%, the prior agent is right rarely but not never', () => {
    for (const split of ['train', 'val', 'test'] as const) {
      const c = stats.chance[split];
      expect(c.typedGuesserPassAt['1']).toBeLessThan(0.05);
      expect(c.typedGuesserPassAt['1']).toBeGreaterThan(0);
      expect(c.typedGuesserPassAt['8']).toBeGreaterThan(c.typedGuesserPassAt['1']);
      expect(c.typedGuesserPassAt['32']).toBeGreaterThan(c.typedGuesserPassAt['8']);
      expect(c.priorAccuracy).toBeGreaterThan(0);
      expect(c.priorAccuracy).toBeLessThan(0.15);
      expect(c.popularAccuracy).toBe(c.priorAccuracy);
    }
  });

  it('computes the typed guesser pass@k as a seeded simulation of the guesser does', () => {
    const questions = groupQuestions(world, 'test');
    const analytic = chanceLevels(world, questions).typedGuesserPassAt;
    // Reference: actually draw k guesses from each attribute's empirical distribution.
    const rng = new Rng(123);
    const population = (attr: AttributeName) => world.people.map((p) => p.attributes[attr]!);
    const trials = 40;
    for (const k of [1, 8, 32] as const) {
      let hits = 0;
      for (const q of questions) {
        const values = population(q.meta['attribute'] as AttributeName);
        for (let t = 0; t < trials; t++) {
          let hit = false;
          for (let i = 0; i < k && !hit; i++) hit = rng.pick(values) === q.answers[0];
          if (hit) hits++;
        }
      }
      const simulated = hits / (questions.length * trials);
      // Binomial standard error over 16,000 draws is under 0.004.
      expect(Math.abs(simulated - analytic[`${k}`]), `pass@${k}`).toBeLessThan(0.015);
    }
  });

  it('scores always answering the popular value separately when it is not the most frequent value', () => {
    const w = generateWorld({
      seed: 11,
      popularValue: { birth_city: 40, birth_year: 40, employer: 40, university: 40, field: 40 },
    });
    const c = worldStats(w).chance.train;
    expect(c.popularAccuracy).toBeLessThan(c.priorAccuracy);
  });
});
