import { describe, expect, it } from 'vitest';
import { capitalsSource } from '../test/support/env-doubles.ts';
import { makeFactRecallV0 } from './factrecall-v0.ts';

const ids = (r: { observations: Array<{ questionId: string }> }) =>
  r.observations.map((o) => o.questionId);

// A resumed training run makes a fresh env where its checkpoint stood (option `start`).
describe('the start option', () => {
  it('hands out exactly the questions a fresh env would hand out after epoch * size + cursor', async () => {
    const walked = makeFactRecallV0({ source: capitalsSource(), seed: 3 });
    const size = walked.spec().splits.train!;
    // Walk 1 epoch and 3 questions, then take the next 2 * size questions (crossing an epoch).
    await walked.reset({ split: 'train', batchSize: size + 3, groupSize: 1 });
    const after = await walked.reset({ split: 'train', batchSize: 2 * size, groupSize: 1 });

    const started = makeFactRecallV0({
      source: capitalsSource(),
      seed: 3,
      start: { train: { epoch: 1, cursor: 3 } },
    });
    const got = await started.reset({ split: 'train', batchSize: 2 * size, groupSize: 1 });
    expect(ids(got)).toEqual(ids(after));
    expect([got.epoch, got.cursor]).toEqual([after.epoch, after.cursor]);
  });

  it('leaves the fingerprint and the other splits alone', () => {
    const plain = makeFactRecallV0({ source: capitalsSource() });
    const started = makeFactRecallV0({
      source: capitalsSource(),
      start: { train: { epoch: 4, cursor: 1 } },
    });
    expect(started.spec().fingerprint).toBe(plain.spec().fingerprint);
  });

  it('refuses a cursor past the split and malformed positions with coded errors', () => {
    const size = makeFactRecallV0({ source: capitalsSource() }).spec().splits.train!;
    expect(() =>
      makeFactRecallV0({
        source: capitalsSource(),
        start: { train: { epoch: 0, cursor: size + 1 } },
      }),
    ).toThrow(expect.objectContaining({ code: 'FR_ERR_ENV_BAD_OPTIONS' }));
    expect(() =>
      makeFactRecallV0({ source: capitalsSource(), start: { train: { epoch: -1, cursor: 0 } } }),
    ).toThrow(expect.objectContaining({ code: 'FR_ERR_ENV_BAD_OPTIONS' }));
    expect(() =>
      makeFactRecallV0({ source: capitalsSource(), start: { dev: { epoch: 0, cursor: 0 } } }),
    ).toThrow(expect.objectContaining({ code: 'FR_ERR_ENV_BAD_OPTIONS' }));
  });
});
