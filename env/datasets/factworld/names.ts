/**
 * Seeded invention of names: people, cities, companies, universities. Every invented word is
 * built from syllables and is unique within one world (a city never shares its root with a
 * company or a surname), so that a word-level model cannot confuse two kinds of value through
 * a shared token. Names are pronounceable nonsense: no real person is named on purpose.
 */
import type { Rng } from '../../../lib/rng.ts';
import { factworldError } from './errors.ts';

const ONSETS = [
  'b',
  'br',
  'c',
  'd',
  'dr',
  'f',
  'g',
  'gr',
  'h',
  'k',
  'kr',
  'l',
  'm',
  'n',
  'p',
  'r',
  's',
  'st',
  't',
  'th',
  'tr',
  'v',
  'w',
  'z',
] as const;
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'ou'] as const;
const CODAS = ['', '', '', 'n', 'r', 'l', 's', 'nd', 'rn', 'lk', 'm', 'v'] as const;

/** Endings that make a word read as a given kind of name. */
const ENDINGS = {
  first: ['a', 'o', 'is', 'en', 'ia', 'el', 'an', 'ine', 'ar'],
  surname: ['mark', 'wood', 'sen', 'ley', 'ridge', 'croft', 'vale', 'ett', 'holt', 'ard'],
  city: ['ton', 'ford', 'wick', 'holm', 'mere', 'bury', 'dale', 'stead', 'port', 'haven', 'moor'],
  root: ['', 'a', 'en', 'ia', 'or', 'ex', 'is'],
} as const;
export type WordStyle = keyof typeof ENDINGS;

/** Three vowels in a row, a doubled vowel other than "ee"/"oo", or a tripled letter. */
const UNPRONOUNCEABLE = /[aeiou]{3}|aa|ii|uu|([a-z])\1\1/;

/** How many tries a fresh word gets before the mint gives up (only tiny syllable sets fail). */
const MAX_TRIES = 200;

/**
 * Invents words that are unique within one world. Words reserved up front (the template
 * words, field names) are never invented, so a name never doubles as an ordinary word.
 */
export class NameMint {
  private readonly used = new Set<string>();

  constructor(reserved: Iterable<string> = []) {
    for (const w of reserved) this.used.add(w.toLowerCase());
  }

  /** A new capitalised word in `style`, 1-2 syllables plus an ending. */
  word(rng: Rng, style: WordStyle): string {
    for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
      const syllables = style === 'first' || rng.next() < 0.5 ? 1 : 2;
      let w = '';
      for (let s = 0; s < syllables; s++)
        w += rng.pick(ONSETS) + rng.pick(VOWELS) + rng.pick(CODAS);
      w += rng.pick(ENDINGS[style]);
      if (w.length < 4 || w.length > 12 || UNPRONOUNCEABLE.test(w) || this.used.has(w)) continue;
      this.used.add(w);
      return w.charAt(0).toUpperCase() + w.slice(1);
    }
    throw factworldError('FR_ERR_FACTWORLD_NAMES_EXHAUSTED', `no new ${style} word`);
  }

  /** `n` new distinct words in `style`. */
  words(rng: Rng, style: WordStyle, n: number): string[] {
    return Array.from({ length: n }, () => this.word(rng, style));
  }
}

/**
 * `n` distinct full names "First Surname", drawn from smaller pools of first names and
 * surnames (as in a real population, people share first names and surnames, but never both).
 */
export function inventPeopleNames(rng: Rng, mint: NameMint, n: number): string[] {
  const firstNames = mint.words(rng, 'first', Math.max(20, Math.ceil(n / 4)));
  const surnames = mint.words(rng, 'surname', Math.max(20, Math.ceil(n / 2)));
  const taken = new Set<string>();
  const names: string[] = [];
  // The pools hold at least n^2/8 + 400 pairs, so rejection ends quickly.
  let tries = 0;
  while (names.length < n) {
    if (++tries > 50 * n + 1000) {
      throw factworldError(
        'FR_ERR_FACTWORLD_NAMES_EXHAUSTED',
        `only ${names.length} of ${n} people named`,
      );
    }
    const name = `${rng.pick(firstNames)} ${rng.pick(surnames)}`;
    if (taken.has(name)) continue;
    taken.add(name);
    names.push(name);
  }
  return names;
}
