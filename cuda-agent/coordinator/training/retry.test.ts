import { describe, expect, it } from 'vitest';
import { isFactRecallError } from '../../../lib/errors.ts';
import { trainError } from './errors.ts';
import { callWithRetry } from './retry.ts';

const noSleep = async () => {};

describe('calls with deadlines and retries', () => {
  it('retries a retryable failure and returns the later success', async () => {
    let calls = 0;
    const v = await callWithRetry(
      'x',
      async () => {
        calls++;
        if (calls < 3) throw trainError('FR_ERR_TRAIN_DEADLINE', 'flaky');
        return 7;
      },
      { deadlineMs: 1000, retries: 3, backoffMs: 1, sleep: noSleep },
    );
    expect(v).toBe(7);
    expect(calls).toBe(3);
  });

  it('does not retry a non-retryable error', async () => {
    let calls = 0;
    await expect(
      callWithRetry(
        'x',
        async () => {
          calls++;
          throw trainError('FR_ERR_TRAIN_BATCH_MISMATCH');
        },
        { deadlineMs: 1000, retries: 3, backoffMs: 1, sleep: noSleep },
      ),
    ).rejects.toMatchObject({ code: 'FR_ERR_TRAIN_BATCH_MISMATCH' });
    expect(calls).toBe(1);
  });

  it('turns a call that never answers into FR_ERR_TRAIN_DEADLINE after every retry', async () => {
    let calls = 0;
    const never = () => {
      calls++;
      return new Promise<number>(() => {});
    };
    const e = await callWithRetry('stuck call', never, {
      deadlineMs: 20,
      retries: 1,
      backoffMs: 1,
      sleep: noSleep,
    }).catch((x: unknown) => x);
    expect(isFactRecallError(e, 'FR_ERR_TRAIN_DEADLINE')).toBe(true);
    expect(String((e as Error).message)).toMatch(/stuck call.*2 attempts/);
    expect(calls).toBe(2);
  });
});
