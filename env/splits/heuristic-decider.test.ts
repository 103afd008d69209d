import { describe, expect, it } from 'vitest';
import type { QARecord } from '../types.ts';
import type { ContainmentPair } from './decider.ts';
import { HeuristicDecider } from './heuristic-decider.ts';

const rec = (question: string, answers: string[]): QARecord => ({
  id: question,
  dataset: 'triviaqa',
  question,
  answers,
  meta: {},
});
const pair = (test: QARecord, train: QARecord): ContainmentPair => ({
  test,
  train,
  retrieval: { via: 'lexical', bm25: 1, sharedAnswer: null },
});

// A small corpus so that IDF weights are meaningful (template words are frequent).
const corpus = [
  'What is George Rankin occupation?',
  'What is John Mayne occupation?',
  'What is Henry Feilden occupation?',
  'In what city was Mary Smith born?',
  'Which beer does Homer Simpson drink?',
  'Who painted the Mona Lisa?',
  'Who won the award in 2018?',
  'Who won the award in 2019?',
  // Common words in real corpora; rare in a corpus this small unless repeated.
  ...Array.from({ length: 6 }, (_, i) => `What type of brand is regularly sold in shop ${i}?`),
];
const decider = new HeuristicDecider({ questions: corpus, hash: 'test-corpus' });

describe('the heuristic containment decider', () => {
  it('calls a paraphrase with the same answer contained, and says why', () => {
    const d = decider.decideNow(
      pair(
        rec('Which brand of beer does Homer Simpson drink regularly?', ['Duff']),
        rec('What type of beer does Homer Simpson drink?', ['Duff Beer', 'Duff']),
      ),
    );
    expect(d.isContained).toBe(true);
    expect(d.reasoning).toMatch(/shared answer "duff"/);
  });

  it('does not call the same answer about a different subject contained', () => {
    const d = decider.decideNow(
      pair(
        rec('What is George Rankin occupation?', ['politician']),
        rec('What is John Mayne occupation?', ['politician']),
      ),
    );
    expect(d.isContained).toBe(false);
    expect(d.reasoning).toMatch(/shared answer "politician" but similarity/);
  });

  it('calls a repeated question contained even when its answer changed', () => {
    const d = decider.decideNow(
      pair(rec('Who won the award in 2018?', ['Ann']), rec('who won the award in 2018', ['Bob'])),
    );
    expect(d).toMatchObject({ isContained: true });
    expect(d.reasoning).toMatch(/near-duplicate/);
  });

  it('does not call questions that differ only in a year near-duplicates', () => {
    const d = decider.decideNow(
      pair(rec('Who won the award in 2018?', ['Ann']), rec('Who won the award in 2019?', ['Bob'])),
    );
    expect(d.isContained).toBe(false);
    expect(d.reasoning).toMatch(/numbers differ \(2018, 2019\)/);
  });

  it('has a fingerprint that changes with thresholds and with the IDF corpus', () => {
    const other = new HeuristicDecider(
      { questions: corpus, hash: 'test-corpus' },
      { similarity: 0.7, nearDuplicate: 0.85 },
    );
    const otherCorpus = new HeuristicDecider({ questions: corpus, hash: 'another' });
    expect(other.info.fingerprint).not.toBe(decider.info.fingerprint);
    expect(otherCorpus.info.fingerprint).not.toBe(decider.info.fingerprint);
    expect(decider.info.kind).toBe('heuristic');
  });

  it('refuses thresholds outside [0, 1] with a coded error', () => {
    expect(
      () =>
        new HeuristicDecider({ questions: [], hash: 'x' }, { similarity: 2, nearDuplicate: 0.9 }),
    ).toThrow(expect.objectContaining({ code: 'FR_ERR_SPLITS_INVALID_OPTIONS' }));
  });
});
