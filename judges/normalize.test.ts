import { describe, expect, it } from 'vitest';
import { normalizeAnswer, wordsOf } from './normalize.ts';

const n = normalizeAnswer;

describe('normalizeAnswer', () => {
  it('lowercases and collapses whitespace', () => {
    expect(n('  Barack   OBAMA \n')).toBe('barack obama');
  });

  it('drops one leading article a, an or the, as a whole word', () => {
    expect(n('The Beatles')).toBe('beatles');
    expect(n('A Tale of Two Cities')).toBe('tale of 2 cities');
    expect(n('an apple')).toBe('apple');
    expect(n('Theodore Anand')).toBe('theodore anand');
  });

  it('turns punctuation into spaces and drops apostrophes', () => {
    expect(n('Jay-Z')).toBe('jay z');
    expect(n('Jay Z')).toBe('jay z');
    expect(n("O'Brien")).toBe('obrien');
    expect(n('O\u2019Brien')).toBe('obrien');
    expect(n('"Paris."')).toBe('paris');
    expect(n('Washington, D.C.')).toBe('washington d c');
  });

  it('folds accents and compatibility forms so Zoë equals Zoe', () => {
    expect(n('Zoë Saldaña')).toBe('zoe saldana');
    expect(n('São Paulo')).toBe('sao paulo');
    expect(n('Ｐａｒｉｓ')).toBe('paris');
    expect(n('Ångström')).toBe('angstrom');
  });

  it('removes thousands separators and keeps decimals', () => {
    expect(n('1,000')).toBe('1000');
    expect(n('12,345,678 people')).toBe('12345678 people');
    expect(n('3.14')).toBe('3.14');
    // A comma that is not a thousands separator stays a separator.
    expect(n('3,4')).toBe('3 4');
    expect(n('1,0000')).toBe('1 0000');
  });

  it('keeps a full stop that ends a sentence after a number from becoming a decimal point', () => {
    expect(n('In 1969.')).toBe('in 1969');
  });

  it('returns the empty string only for input without letters or digits', () => {
    expect(n('')).toBe('');
    expect(n('   \t')).toBe('');
    expect(n('...?!')).toBe('');
    expect(wordsOf('')).toEqual([]);
  });

  it('is idempotent', () => {
    for (const s of [
      'The Jay-Z, 1,000.50 Zoë',
      "  O'Neil's  café ",
      'A.B.C.',
      'April 24th, 1990',
      '−40 °C',
      "L'Aquila",
      'AB+',
      'The The',
    ]) {
      const once = n(s);
      expect(n(once)).toBe(once);
    }
  });
});

describe('normalizeAnswer departures from SQuAD normalisation (issue 12)', () => {
  it('keeps an article that is part of the answer: "Vitamin A", "The The", "A"', () => {
    expect(n('Vitamin A')).toBe('vitamin a');
    expect(n('Vitamin D')).not.toContain('vitamin a');
    expect(n('The The')).toBe('the the');
    expect(n('The The')).not.toBe(n('The'));
    expect(n('A')).toBe('a');
    expect(n('The')).toBe('the');
  });

  it('keeps digits as written: 007 is not 7, 10.10 is not 10.1, 1.000 is not 1', () => {
    expect(n('007')).not.toBe(n('7'));
    expect(n('10.10')).not.toBe(n('10.1'));
    expect(n('1.000')).not.toBe(n('1'));
    expect(n('2.50 m')).toBe('2.50 m');
  });

  it('keeps a minus sign: -40 is not 40, and minus 40 or −40 is -40', () => {
    expect(n('-40')).toBe('-40');
    expect(n('-40')).not.toBe(n('40'));
    expect(n('\u221240 °C')).toBe('-40 c');
    expect(n('minus 40')).toBe('-40');
    // Between digits a dash is a range, not a sign.
    expect(n('1914–1918')).toBe('1914 1918');
    expect(n('1914 - 1918')).toBe('1914 1918');
  });

  it('keeps a + or # that ends a word: AB+ is not AB, C# is not C', () => {
    expect(n('AB+')).toBe('ab+');
    expect(n('AB+')).not.toBe(n('AB'));
    expect(n('C#')).not.toBe(n('C'));
    expect(n('Paris + Lyon')).toBe('paris lyon');
  });

  it('keeps the marks that spell letters in Devanagari, Thai and Cyrillic', () => {
    expect(n('नई दिल्ली')).toBe('नई दिल्ली');
    expect(n('नई दिल्ली')).not.toBe(n('नई दलल'));
    expect(n('ภาษาไทย')).toBe('ภาษาไทย');
    expect(n('Стравинский')).toBe('стравинский');
    expect(n('서울')).toBe('서울');
  });

  it('drops the optional vowel points of Arabic and Hebrew', () => {
    expect(n('القَاهِرَة')).toBe(n('القاهرة'));
  });

  it('folds letters that do not decompose: ø ł ß æ œ đ þ', () => {
    expect(n('København')).toBe('kobenhavn');
    expect(n('Łódź')).toBe('lodz');
    expect(n('Straße')).toBe('strasse');
    expect(n('Ægypt')).toBe('aegypt');
    expect(n('Œuvre')).toBe('oeuvre');
  });

  it('removes zero-width and other invisible format characters', () => {
    expect(n('Boi\u200bse')).toBe('boise');
    expect(n('\ufeffParis\u2060')).toBe('paris');
    expect(n('Par\u00adis')).toBe('paris');
  });

  it('makes an elided article a word of its own instead of gluing it on', () => {
    expect(n("L'Aquila")).toBe('aquila');
    expect(n('L\u2019Oréal')).toBe('oreal');
    expect(n("d'Artagnan")).toBe('d artagnan');
    expect(n("Città dell'Aquila")).toBe('citta dell aquila');
  });

  it('writes dates in words, ISO or unambiguous d/m/y form as day month year', () => {
    const d = '24 april 1990';
    for (const s of [
      'April 24th, 1990',
      '24 April 1990',
      'the 24th of April, 1990',
      '1990-04-24',
      'Apr. 24, 1990',
      '24/04/1990',
      '4/24/1990',
    ]) {
      expect(n(s), s).toBe(d);
    }
    expect(n('Sept. 9, 1989')).toBe('9 september 1989');
    expect(n('July 1969')).toBe('july 1969');
    // Ambiguous numeric dates are left alone; words that start like a month are not months.
    expect(n('04/05/1990')).toBe('04 05 1990');
    expect(n('6 marbles')).toBe('6 marbles');
  });

  it('reads number words two to twenty and the tens as digits, but not "one"', () => {
    expect(n('Four')).toBe('4');
    expect(n('eleven players')).toBe('11 players');
    expect(n('that one')).toBe('that one');
  });
});
