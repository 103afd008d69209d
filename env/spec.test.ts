import { describe, expect, it } from 'vitest';
import { ContainsJudge, ExactJudge } from '../judges/index.ts';
import { capitalsSource } from '../test/support/env-doubles.ts';
import { makeFactRecallV0 } from './factrecall-v0.ts';
import { EnvSpecSchema } from './schemas.ts';

const fingerprint = (options: Record<string, unknown> = {}) =>
  makeFactRecallV0({ source: capitalsSource(), ...options }).spec().fingerprint;

describe('the env spec', () => {
  it('describes the env: id, version, spaces, reward range, dataset, judge, split sizes, limits', () => {
    const spec = makeFactRecallV0({ source: capitalsSource(), seed: 5 }).spec();
    expect(EnvSpecSchema.parse(spec)).toEqual(spec);
    expect(spec).toMatchObject({
      id: 'FactRecall-v0',
      version: 0,
      dataset: 'factworld',
      judgeId: 'exact',
      prompt: 'direct',
      promptVersion: 1,
      seed: 5,
      rewardRange: [0, 1],
      splits: { train: 6, val: 3, test: 3 },
      sourceHash: 'capitals-test-source-v1',
    });
    expect(spec.observationSpace).toContain('groupId');
    expect(spec.actionSpace).toContain('answer');
  });

  it('has a fingerprint that is stable for the same parts', () => {
    expect(fingerprint()).toBe(fingerprint());
    expect(fingerprint()).toMatch(/^[0-9a-f]{32}$/);
    // The seed orders questions but does not change the task.
    expect(fingerprint({ seed: 9 })).toBe(fingerprint());
  });

  it('changes its fingerprint when the judge, the prompt, the source or the answer cap changes', () => {
    const base = fingerprint({ judge: new ExactJudge() });
    expect(fingerprint({ judge: new ContainsJudge() })).not.toBe(base);
    const otherFingerprint = {
      id: 'exact',
      fingerprint: 'exact-v2',
      judge: new ExactJudge().judge,
    };
    expect(fingerprint({ judge: otherFingerprint })).not.toBe(base);
    expect(fingerprint({ prompt: 'cot' })).not.toBe(base);
    expect(
      makeFactRecallV0({ source: capitalsSource('another-hash') }).spec().fingerprint,
    ).not.toBe(base);
    expect(fingerprint({ maxAnswerChars: 50 })).not.toBe(base);
  });
});
