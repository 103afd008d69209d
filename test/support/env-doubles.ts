/**
 * Test doubles for env tests and for anyone testing code built on the env: a tiny hand-made
 * source and judges that fail or count. They implement the real contracts (SplitSource,
 * Judge); nothing here is used by the env itself.
 */

import type { QARecord, SplitName, SplitSource } from '../../env/types.ts';
import type { Judge, JudgeItem, Verdict } from '../../judges/types.ts';
import { fingerprintOf } from '../../lib/hash.ts';

const CAPITALS: ReadonlyArray<readonly [string, string]> = [
  ['France', 'Paris'],
  ['Italy', 'Rome'],
  ['Spain', 'Madrid'],
  ['Portugal', 'Lisbon'],
  ['Germany', 'Berlin'],
  ['Austria', 'Vienna'],
  ['Poland', 'Warsaw'],
  ['Norway', 'Oslo'],
  ['Sweden', 'Stockholm'],
  ['Finland', 'Helsinki'],
  ['Greece', 'Athens'],
  ['Ireland', 'Dublin'],
];

/**
 * A small capital-cities source (test double): 6 train, 3 val, 3 test questions, ids
 * `cap:<country>`, answers `[capital, 'City of <capital>']`, meta.attribute = 'capital'.
 */
export function capitalsSource(hash = 'capitals-test-source-v1'): SplitSource {
  const record = ([country, capital]: readonly [string, string]): QARecord => ({
    id: `cap:${country.toLowerCase()}`,
    dataset: 'factworld',
    question: `What is the capital of ${country}?`,
    answers: [capital, `City of ${capital}`],
    meta: { attribute: 'capital' },
  });
  const splits: Record<SplitName, QARecord[]> = {
    train: CAPITALS.slice(0, 6).map(record),
    val: CAPITALS.slice(6, 9).map(record),
    test: CAPITALS.slice(9).map(record),
  };
  return { dataset: 'factworld', splits, hash, description: 'capitals test source' };
}

/** A judge (test double) that never decides: every verdict is judge_failed, reward null. */
export class AlwaysFailingJudge implements Judge {
  readonly id = 'always-failing-test-judge';
  readonly fingerprint = fingerprintOf({ id: this.id });
  async judge(items: readonly JudgeItem[]): Promise<Verdict[]> {
    return items.map(() => ({
      verdict: null,
      reward: null,
      status: 'judge_failed',
      judgeId: this.id,
      cached: false,
      latencyMs: 0,
      error: { code: 'FR_ERR_ENV_JUDGE_FAILED', message: 'this test judge always fails' },
    }));
  }
}

/** A judge (test double) whose call rejects, as a crashed endpoint would. */
export class ThrowingJudge implements Judge {
  readonly id = 'throwing-test-judge';
  readonly fingerprint = fingerprintOf({ id: this.id });
  async judge(): Promise<Verdict[]> {
    throw new Error('test judge is down');
  }
}

/** Wraps a judge and records each batch it is called with (test double). */
export class RecordingJudge implements Judge {
  readonly calls: JudgeItem[][] = [];
  constructor(private readonly inner: Judge) {}
  get id(): string {
    return this.inner.id;
  }
  get fingerprint(): string {
    return this.inner.fingerprint;
  }
  async judge(items: readonly JudgeItem[]): Promise<Verdict[]> {
    this.calls.push([...items]);
    return this.inner.judge(items);
  }
}

/** A clock tests move by hand. */
export function manualClock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
  };
}
