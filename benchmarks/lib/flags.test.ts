import { describe, expect, it } from 'vitest';
import { isFactRecallError } from '../../lib/errors.ts';
import { numericFlag, stringFlag } from './flags.ts';

const argv = (...flags: string[]) => ['node', 'bench.ts', ...flags];
const refused = (f: () => unknown, detail: RegExp) => {
  try {
    f();
  } catch (e) {
    expect(isFactRecallError(e) && e.code).toBe('FR_ERR_BENCH_BAD_FLAG');
    expect((e as Error).message).toMatch(detail);
    return;
  }
  throw new Error('not refused');
};

describe('benchmark flags', () => {
  it('reads a value, or the fallback when the flag is absent', () => {
    expect(numericFlag('sessions', 2000, { min: 1 }, argv('--sessions', '20'))).toBe(20);
    expect(numericFlag('sessions', 2000, { min: 1 }, argv('--rounds', '3'))).toBe(2000);
    expect(
      numericFlag('paced', 0.5, { integer: false, min: 0, max: 1 }, argv('--paced', '0.25')),
    ).toBe(0.25);
    expect(stringFlag('url', '', argv('--url', 'ws://127.0.0.1:1/v1/ws'))).toBe(
      'ws://127.0.0.1:1/v1/ws',
    );
  });

  it('refuses what Number() would have run on: junk, a missing value, out of range', () => {
    refused(() => numericFlag('sessions', 1, { min: 1 }, argv('--sessions', '2k')), /2k/);
    refused(() => numericFlag('sessions', 1, { min: 1 }, argv('--sessions')), /needs a value/);
    refused(
      () => numericFlag('sessions', 1, { min: 1 }, argv('--sessions', '--rounds', '3')),
      /needs a value/,
    );
    refused(() => numericFlag('sessions', 1, { min: 1 }, argv('--sessions', '0')), />= 1/);
    refused(
      () => numericFlag('paced', 0.5, { integer: false, max: 1 }, argv('--paced', '1.5')),
      /<= 1/,
    );
  });
});
