import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/splits.ts';
import type { QARecord } from '../types.ts';
import { DecisionLog, decisionKey } from './decision-log.ts';
import { dedupTrainAgainstHeldOut } from './dedup.ts';
import { heuristicDecider } from './prepare.ts';

const dir = tempDir('dedup');
const rec = (id: string, question: string, answer: string): QARecord => ({
  id,
  dataset: 'nq_open',
  question,
  answers: [answer],
  meta: {},
});

const train = [
  rec('r0', 'who painted the mona lisa', 'Leonardo da Vinci'),
  rec('r1', 'what is the capital city of australia', 'Canberra'),
  rec('r2', 'how many moons does mars have', '2'),
  rec('r3', 'who discovered penicillin in 1928', 'Alexander Fleming'),
  rec('r4', 'which river flows through cairo', 'Nile'),
];
const test = [
  rec('t0', 'Who painted the Mona Lisa?', 'Leonardo da Vinci'),
  rec('t1', 'what is the tallest mountain on earth', 'Everest'),
  // Also a val question: val and test are not deduplicated against each other.
  rec('t2', 'what is the longest bone in the human body', 'femur'),
];
const val = [
  rec('v0', 'what is the capital city of australia?', 'Canberra'),
  rec('v1', 'what is the longest bone in the human body', 'femur'),
];
const opts = { topK: 3, answerK: 2, concurrency: 2, quiet: true };

describe('dedup against the held-out splits (val and test)', () => {
  it('removes train items that repeat a val or a test fact, says which split caused each, and keeps val and test as they are', async () => {
    const decider = heuristicDecider()({ train, val, test });
    const log = DecisionLog.open(join(dir, 'fresh.jsonl'));
    const r = await dedupTrainAgainstHeldOut(train, { test, val }, decider, log, opts);
    expect(r.removedTrain.map((x) => x.id)).toEqual(['r0', 'r1']);
    expect(r.keptTrain.map((x) => x.id)).toEqual(['r2', 'r3', 'r4']);
    const contained = r.decisions.filter((d) => d.isContained);
    expect(contained.map((d) => [d.heldOut, d.testId, d.trainId])).toEqual([
      ['test', 't0', 'r0'],
      ['val', 'v0', 'r1'],
    ]);
    // Test decisions come first, then val; every decision names its split.
    const splits = r.decisions.map((d) => d.heldOut);
    expect(splits.indexOf('val')).toBeGreaterThan(splits.lastIndexOf('test'));
    expect(r.summary).toMatchObject({
      trainBefore: 5,
      trainAfter: 3,
      removedTrain: 2,
      removedTrainByBoth: 0,
      containedPairs: 2,
      heldOut: {
        test: { questions: 3, containedPairs: 1, withContained: 1, removedTrain: 1 },
        val: { questions: 2, containedPairs: 1, withContained: 1, removedTrain: 1 },
      },
    });
    expect(r.summary.heldOut.test.candidatePairs + r.summary.heldOut.val.candidatePairs).toBe(
      r.summary.candidatePairs,
    );
  });

  it('counts a train item containing both a val and a test fact under each split and once in total', async () => {
    const both = [...val, rec('v2', 'who painted the mona lisa', 'Leonardo da Vinci')];
    const decider = heuristicDecider()({ train, val: both, test });
    const log = DecisionLog.open(join(dir, 'both.jsonl'));
    const r = await dedupTrainAgainstHeldOut(train, { test, val: both }, decider, log, opts);
    expect(r.summary).toMatchObject({
      removedTrain: 2,
      removedTrainByBoth: 1,
      heldOut: { test: { removedTrain: 1 }, val: { removedTrain: 2 } },
    });
  });

  it('resumes from a log written before val was held out: its lines (no split) are reused, not decided again', async () => {
    const decider = heuristicDecider()({ train, val, test });
    const path = join(dir, 'old.jsonl');
    // The old code's line for (t0, r0): same key formula, no `heldOut` field.
    const key = decisionKey(decider.info.fingerprint, test[0]!, train[0]!);
    const oldLine = {
      key,
      decider: decider.info.fingerprint,
      testId: 't0',
      trainId: 'r0',
      testQuestion: test[0]!.question,
      trainQuestion: train[0]!.question,
      testAnswer: 'Leonardo da Vinci',
      trainAnswer: 'Leonardo da Vinci',
      via: 'both',
      bm25: 3.2,
      sharedAnswer: 'leonardo da vinci',
      isContained: true,
      reasoning: 'decided by the old version',
    };
    appendFileSync(path, `${JSON.stringify(oldLine)}\n`);
    const log = DecisionLog.open(path);
    expect(log.repaired).toBe(0);
    const r = await dedupTrainAgainstHeldOut(train, { test, val }, decider, log, opts);
    expect(r.run.fromLog).toBe(1);
    expect(r.run.decidedNow).toBe(r.summary.candidatePairs - 1);
    const reused = r.decisions.find((d) => d.key === key);
    expect(reused).toMatchObject({ heldOut: 'test', reasoning: 'decided by the old version' });
    // The working log keeps its split-free lines; the old one is not rewritten.
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    expect(lines[0]).toBe(JSON.stringify(oldLine));
    expect(lines).toHaveLength(r.summary.candidatePairs);
  });
});
