/**
 * The judge conformance suite: every Judge implementation runs it from its own test file, so a
 * new judge proves it keeps the contract (one verdict per item, in order; reward consistent
 * with the label; null reward only on failure; stable id and fingerprint).
 *
 * ```ts
 * describeJudgeConformance('exact', () => new ExactJudge());
 * ```
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Judge, type JudgeItem, rewardOf, type Verdict } from '../../judges/types.ts';

export interface JudgeConformanceOptions {
  /** Per-test timeout for judges that call a server (ms). */
  timeoutMs?: number;
  /** Called once after the suite, after the judges are closed (stop servers, remove files). */
  afterAll?: () => Promise<void> | void;
}

/** Items whose verdict every sound judge agrees on. */
export const OBVIOUS_CASES: ReadonlyArray<{ item: JudgeItem; label: 'correct' | 'incorrect' }> = [
  {
    item: { question: 'What is the capital of France?', answers: ['Paris'], prediction: 'Paris' },
    label: 'correct',
  },
  {
    item: { question: 'What is the capital of France?', answers: ['Paris'], prediction: 'Madrid' },
    label: 'incorrect',
  },
  {
    item: {
      question: 'Who wrote Pride and Prejudice?',
      answers: ['Jane Austen'],
      prediction: 'jane austen.',
    },
    label: 'correct',
  },
  {
    item: {
      question: 'Who wrote Pride and Prejudice?',
      answers: ['Jane Austen'],
      prediction: 'Charles Dickens',
    },
    label: 'incorrect',
  },
  {
    item: {
      question: 'How many legs does a spider have?',
      answers: ['8', 'eight'],
      prediction: '8',
    },
    label: 'correct',
  },
  {
    item: {
      question: 'How many legs does a spider have?',
      answers: ['8', 'eight'],
      prediction: '6',
    },
    label: 'incorrect',
  },
];

function checkShape(v: Verdict, judge: Judge): void {
  expect(v.judgeId).toBe(judge.id);
  expect(typeof v.cached).toBe('boolean');
  expect(Number.isFinite(v.latencyMs)).toBe(true);
  expect(v.latencyMs).toBeGreaterThanOrEqual(0);
  if (v.status === 'ok') {
    expect(v.verdict).not.toBeNull();
    expect(v.reward).toBe(rewardOf(v.verdict));
    expect(v.error).toBeUndefined();
  } else {
    expect(v.status).toBe('judge_failed');
    expect(v.verdict).toBeNull();
    expect(v.reward).toBeNull();
    expect(v.error?.code).toMatch(/^FR_ERR_/);
  }
}

/** Register the conformance tests for one judge. `makeJudge` builds a judge with fixed settings. */
export function describeJudgeConformance(
  name: string,
  makeJudge: () => Judge | Promise<Judge>,
  opts: JudgeConformanceOptions = {},
): void {
  const timeout = opts.timeoutMs ?? 10_000;
  describe(`judge conformance: ${name}`, () => {
    const made: Judge[] = [];
    let judge: Judge;
    const make = async (): Promise<Judge> => {
      const j = await makeJudge();
      made.push(j);
      return j;
    };

    beforeAll(async () => {
      judge = await make();
    }, timeout);

    afterAll(async () => {
      for (const j of made) await j.close?.();
      await opts.afterAll?.();
    }, timeout);

    it(
      'has a non-empty id and a fingerprint that is the same for two judges with the same settings',
      async () => {
        expect(judge.id).toMatch(/^\S+$/);
        expect(judge.fingerprint).toMatch(/^\S{8,}$/);
        expect((await make()).fingerprint).toBe(judge.fingerprint);
      },
      timeout,
    );

    it(
      'answers an empty batch with an empty list',
      async () => {
        expect(await judge.judge([])).toEqual([]);
      },
      timeout,
    );

    it(
      'gives the obvious verdicts, one per item, in order, with rewards that follow the labels',
      async () => {
        const verdicts = await judge.judge(OBVIOUS_CASES.map((c) => c.item));
        expect(verdicts).toHaveLength(OBVIOUS_CASES.length);
        verdicts.forEach((v, i) => {
          checkShape(v, judge);
          expect(v.status).toBe('ok');
          expect(v.verdict, `case ${i}`).toBe(OBVIOUS_CASES[i]!.label);
          expect(v.reward).toBe(OBVIOUS_CASES[i]!.label === 'correct' ? 1 : 0);
        });
      },
      timeout,
    );

    it(
      'keeps the order of a larger mixed batch',
      async () => {
        const items: JudgeItem[] = [];
        const expected: string[] = [];
        for (let i = 0; i < 40; i++) {
          const right = i % 3 !== 0;
          items.push({
            question: `What is item number ${i}?`,
            answers: [`answer ${i}`],
            prediction: right ? `Answer ${i}` : `wrong ${i + 1000}`,
          });
          expected.push(right ? 'correct' : 'incorrect');
        }
        const verdicts = await judge.judge(items);
        for (const v of verdicts) checkShape(v, judge);
        expect(verdicts.map((v) => v.verdict)).toEqual(expected);
      },
      timeout,
    );

    it(
      'accepts a match with any gold alias, not only the first',
      async () => {
        const [v] = await judge.judge([
          {
            question: 'Which city is called the Big Apple?',
            answers: ['New York City', 'NYC', 'New York'],
            prediction: 'NYC',
          },
        ]);
        checkShape(v!, judge);
        expect(v!.verdict).toBe('correct');
      },
      timeout,
    );

    it(
      'marks a blank prediction not attempted with reward 0, not null',
      async () => {
        const [v] = await judge.judge([
          { question: 'What is the capital of Peru?', answers: ['Lima'], prediction: '   ' },
        ]);
        checkShape(v!, judge);
        expect(v!.verdict).toBe('not_attempted');
        expect(v!.reward).toBe(0);
      },
      timeout,
    );

    it(
      'is deterministic: the same batch twice gives the same labels',
      async () => {
        const items = OBVIOUS_CASES.map((c) => c.item);
        const first = await judge.judge(items);
        const second = await judge.judge(items);
        expect(second.map((v) => v.verdict)).toEqual(first.map((v) => v.verdict));
        expect(second.map((v) => v.reward)).toEqual(first.map((v) => v.reward));
      },
      timeout,
    );

    it(
      'does not modify the items it is given',
      async () => {
        const items = OBVIOUS_CASES.map((c) => structuredClone(c.item));
        const copy = structuredClone(items);
        await judge.judge(items);
        expect(items).toEqual(copy);
      },
      timeout,
    );

    it(
      'rejects a malformed item with FR_ERR_JUDGE_INVALID_ITEM',
      async () => {
        const bad = [{ question: 'q', answers: [], prediction: 'x' }] as JudgeItem[];
        await expect(judge.judge(bad)).rejects.toMatchObject({ code: 'FR_ERR_JUDGE_INVALID_ITEM' });
      },
      timeout,
    );

    it(
      'refuses to start when the signal has already fired',
      async () => {
        const ac = new AbortController();
        ac.abort();
        await expect(
          judge.judge(
            OBVIOUS_CASES.map((c) => c.item),
            { signal: ac.signal },
          ),
        ).rejects.toMatchObject({ code: 'FR_ERR_JUDGE_CANCELLED' });
      },
      timeout,
    );
  });
}
