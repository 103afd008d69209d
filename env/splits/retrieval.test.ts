import { describe, expect, it } from 'vitest';
import { hasSharedDatasets } from '../../lib/paths.ts';
import { seededPermutation } from '../../lib/rng.ts';
import { BruteForceBm25 } from '../../test/support/bm25-reference.ts';
import { loadSharedDataset } from '../datasets/index.ts';
import type { QARecord } from '../types.ts';
import { CandidateIndex } from './retrieval.ts';

const rec = (id: string, question: string, answers: string[]): QARecord => ({
  id,
  dataset: 'nq_open',
  question,
  answers,
  meta: {},
});

describe('candidate retrieval', () => {
  it.skipIf(!hasSharedDatasets())(
    'returns the same lexical top-k as brute-force BM25 over every pair (real TriviaQA train, NQ test)',
    async () => {
      const train = (await loadSharedDataset('triviaqa')).records.slice(0, 3000);
      const nq = (await loadSharedDataset('nq_open')).records;
      const test = seededPermutation(nq.length, 'retrieval-test')
        .slice(0, 150)
        .map((i) => nq[i]!);
      const index = CandidateIndex.build(train);
      const brute = new BruteForceBm25(train.map((r) => r.question));
      let compared = 0;
      for (const t of test) {
        const fast = index.lexical(t.question, 10);
        const slow = brute.topK(t.question, 10);
        expect(fast.length).toBe(slow.length);
        // Same scores rank by rank (ties may swap items of equal score).
        fast.forEach((f, i) => {
          expect(f.score).toBeCloseTo(slow[i]!.score, 6);
          expect(brute.score(t.question, f.trainIndex)).toBeCloseTo(f.score, 6);
        });
        compared += fast.length;
      }
      expect(compared).toBeGreaterThan(1000);
    },
  );

  it('adds train items sharing a normalised answer, even with no word in common, and lists each item once', () => {
    const train = [
      rec('a', 'Which playwright created the Prince of Denmark?', ['William Shakespeare']),
      rec('b', 'Who wrote the play Hamlet in 1600?', ['Shakespeare']),
      rec('c', 'Who wrote Macbeth?', ['william shakespeare']),
      rec('d', 'What is the capital of France?', ['Paris']),
    ];
    const index = CandidateIndex.build(train);
    const test = rec('t', 'Who wrote Hamlet?', ['William Shakespeare', 'Shakespeare']);
    const got = index.candidates(test, { topK: 2, answerK: 5 });
    const ids = got.map((c) => train[c.trainIndex]!.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice(0, 2).sort()).toEqual(['b', 'c']);
    expect(ids).toContain('a');
    expect(ids).not.toContain('d');
    const a = got.find((c) => train[c.trainIndex]!.id === 'a')!;
    expect(a).toMatchObject({ via: 'answer', bm25: 0, sharedAnswer: 'william shakespeare' });
    expect(got.find((c) => train[c.trainIndex]!.id === 'c')!.via).toBe('both');
  });

  it('caps answer sharers at answerK and turns them off at 0', () => {
    const train = Array.from({ length: 20 }, (_, i) =>
      rec(`p${i}`, `Person ${i} job?`, ['politician']),
    );
    const index = CandidateIndex.build(train);
    const test = rec('t', 'What does Zed do?', ['politician']);
    expect(index.candidates(test, { topK: 5, answerK: 3 })).toHaveLength(3);
    expect(index.candidates(test, { topK: 5, answerK: 0 })).toHaveLength(0);
  });

  it('returns every exact repeat of the test question, even past top-k and among BM25 ties', () => {
    // "What genre is She?" has one content word ("genre"), like every question below whose
    // subject is a function word: the repeats tie with them in BM25 and, coming last in train
    // order, fell to the top-k cut before.
    const subjects = 'It They Them Us Her Him You Me This That Those These We Him Whom'.split(' ');
    const others = subjects.map((s, i) => rec(`o${i}`, `What genre is ${s}?`, [`genre ${i}`]));
    const repeats = [
      rec('r1', 'What genre is She?', ['hard rock']),
      rec('r2', 'what genre is she', ['pop']),
    ];
    const train = [...others, ...repeats];
    const index = CandidateIndex.build(train);
    const test = rec('t', 'What genre is She?', ['hard rock']);
    const got = index.candidates(test, { topK: 3, answerK: 0 });
    const ids = got.map((c) => train[c.trainIndex]!.id);
    expect(ids).toContain('r1');
    expect(ids).toContain('r2');
    expect(new Set(ids).size).toBe(ids.length);
    expect(got.find((c) => train[c.trainIndex]!.id === 'r1')).toMatchObject({
      via: 'both',
      sharedAnswer: 'hard rock',
    });
    expect(got.find((c) => train[c.trainIndex]!.id === 'r2')!.via).toBe('lexical');
  });
});
