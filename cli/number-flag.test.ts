import { describe, expect, it } from 'vitest';
import { numberFlag } from './number-flag.ts';

const refuse = (detail: string) => new Error(detail);

describe('numberFlag', () => {
  it('reads integers and, when allowed, decimals', () => {
    expect(numberFlag('--seed', '42', refuse)).toBe(42);
    expect(numberFlag('--seed', ' -7 ', refuse)).toBe(-7);
    expect(numberFlag('--people', 12, refuse)).toBe(12);
    expect(numberFlag('--similarity', '0.35', refuse, { integer: false })).toBe(0.35);
  });

  it('refuses what Number() lets through: blanks, exponents, hex, fractions for integers', () => {
    for (const bad of ['', '  ', '1e3', '0x10', '1.5', 'ten', 'Infinity']) {
      expect(() => numberFlag('--n', bad, refuse), bad).toThrow(
        `--n must be an integer, got ${JSON.stringify(bad)}`,
      );
    }
    expect(() => numberFlag('--x', 'NaN', refuse, { integer: false })).toThrow(/a number/);
  });

  it('checks the range and says it', () => {
    expect(() => numberFlag('--port', '70000', refuse, { min: 0, max: 65_535 })).toThrow(
      '--port must be an integer in 0..65535, got "70000"',
    );
    expect(() => numberFlag('--concurrency', '0', refuse, { min: 1 })).toThrow(
      '--concurrency must be an integer >= 1, got "0"',
    );
    expect(numberFlag('--port', '0', refuse, { min: 0, max: 65_535 })).toBe(0);
  });

  it('raises the error the caller makes, so each command keeps its own code', () => {
    class Coded extends Error {}
    expect(() => numberFlag('--n', 'x', (d) => new Coded(d))).toThrow(Coded);
  });
});
