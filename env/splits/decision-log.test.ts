import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/splits.ts';
import { DecisionLog, type DecisionRecord } from './decision-log.ts';

const dir = tempDir('log');
const record = (key: string): DecisionRecord => ({
  key,
  decider: 'fp',
  testId: 't',
  trainId: 'r',
  testQuestion: 'q?',
  trainQuestion: 'q2?',
  testAnswer: 'a',
  trainAnswer: 'a',
  via: 'lexical',
  bm25: 1.5,
  sharedAnswer: 'a',
  isContained: true,
  reasoning: 'why',
});

describe('the decision log', () => {
  it('keeps decisions across opens and ignores a key it already has', () => {
    const path = join(dir, 'a.jsonl');
    const log = DecisionLog.open(path);
    log.add(record('k1'));
    log.add(record('k2'));
    log.add(record('k1'));
    log.flush();
    const again = DecisionLog.open(path);
    expect(again.size).toBe(2);
    expect(again.get('k2')?.reasoning).toBe('why');
    expect(readFileSync(path, 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('drops a line torn by a crash and a repeated key, and rewrites the file so appends stay whole', () => {
    const path = join(dir, 'b.jsonl');
    const log = DecisionLog.open(path);
    log.add(record('k1'));
    log.flush();
    appendFileSync(path, `${JSON.stringify(record('k1'))}\n{"key":"k2","decid`);
    const reopened = DecisionLog.open(path);
    expect(reopened.repaired).toBe(2);
    expect(reopened.size).toBe(1);
    reopened.add(record('k3'));
    reopened.flush();
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    expect(lines.map((l) => (JSON.parse(l) as DecisionRecord).key)).toEqual(['k1', 'k3']);
  });
});
