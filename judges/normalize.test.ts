import { describe, expect, it } from 'vitest';
import { normalizeAnswer, wordsOf } from './normalize.ts';

describe('normalizeAnswer', () => {
  it('lowercases and collapses whitespace', () => {
    expect(normalizeAnswer('  Barack   OBAMA \n')).toBe('barack obama');
  });

  it('removes the articles a, an and the as whole words only', () => {
    expect(normalizeAnswer('The Beatles')).toBe('beatles');
    expect(normalizeAnswer('A Tale of Two Cities')).toBe('tale of two cities');
    expect(normalizeAnswer('an apple')).toBe('apple');
    expect(normalizeAnswer('Theodore Anand')).toBe('theodore anand');
  });

  it('turns punctuation into spaces and drops apostrophes', () => {
    expect(normalizeAnswer('Jay-Z')).toBe('jay z');
    expect(normalizeAnswer('Jay Z')).toBe('jay z');
    expect(normalizeAnswer("O'Brien")).toBe('obrien');
    expect(normalizeAnswer('O\u2019Brien')).toBe('obrien');
    expect(normalizeAnswer('"Paris."')).toBe('paris');
    expect(normalizeAnswer('Washington, D.C.')).toBe('washington d c');
  });

  it('folds accents and compatibility forms (NFKD) so Zoë equals Zoe', () => {
    expect(normalizeAnswer('Zoë Saldaña')).toBe('zoe saldana');
    expect(normalizeAnswer('São Paulo')).toBe('sao paulo');
    expect(normalizeAnswer('Ｐａｒｉｓ')).toBe('paris');
    expect(normalizeAnswer('Ångström')).toBe('angstrom');
  });

  it('treats 1,000 and 1000 (and 1000.0) as the same number, keeping decimals', () => {
    expect(normalizeAnswer('1,000')).toBe('1000');
    expect(normalizeAnswer('1000')).toBe('1000');
    expect(normalizeAnswer('1,000.0')).toBe('1000');
    expect(normalizeAnswer('12,345,678 people')).toBe('12345678 people');
    expect(normalizeAnswer('3.14')).toBe('3.14');
    expect(normalizeAnswer('2.50 m')).toBe('2.5 m');
    expect(normalizeAnswer('007')).toBe('7');
    // A comma that is not a thousands separator stays a separator.
    expect(normalizeAnswer('3,4')).toBe('3 4');
    expect(normalizeAnswer('1,0000')).toBe('1 0');
  });

  it('keeps a full stop that ends a sentence after a number from becoming a decimal point', () => {
    expect(normalizeAnswer('In 1969.')).toBe('in 1969');
  });

  it('returns the empty string for empty, blank or punctuation-only input', () => {
    expect(normalizeAnswer('')).toBe('');
    expect(normalizeAnswer('   \t')).toBe('');
    expect(normalizeAnswer('...?!')).toBe('');
    expect(normalizeAnswer('The')).toBe('');
    expect(wordsOf('')).toEqual([]);
  });

  it('is idempotent', () => {
    for (const s of ['The Jay-Z, 1,000.50 Zoë', "  O'Neil's  café ", 'A.B.C.']) {
      const once = normalizeAnswer(s);
      expect(normalizeAnswer(once)).toBe(once);
    }
  });
});
