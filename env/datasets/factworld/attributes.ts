/**
 * The attributes a FactWorld person can have: for each, the one canonical question the env
 * asks, the paraphrase templates biographies use, and how its value pool is invented.
 *
 * Every biography template names the person BEFORE the value: a left-to-right language model
 * learns "name -> value" only from text in that order (the reversal curse), and the questions
 * ask in that direction.
 */
import type { Rng } from '../../../lib/rng.ts';
import type { NameMint } from './names.ts';

export const ATTRIBUTE_NAMES = [
  'birth_city',
  'birth_year',
  'employer',
  'university',
  'field',
  'residence_city',
] as const;
export type AttributeName = (typeof ATTRIBUTE_NAMES)[number];

/** The five attributes of a default world. */
export const DEFAULT_ATTRIBUTES: readonly AttributeName[] = [
  'birth_city',
  'birth_year',
  'employer',
  'university',
  'field',
];

export interface AttributeSpec {
  /** The canonical question; `{name}` is replaced by the person's full name. */
  readonly question: string;
  /** Biography sentences stating the fact; `{name}` and `{value}` are filled in. */
  readonly templates: readonly string[];
  readonly defaultPoolSize: number;
  /** The most distinct values the generator can invent. */
  readonly maxPoolSize: number;
  /** Invent `n` distinct values, in a seeded order. */
  makePool(rng: Rng, mint: NameMint, n: number): string[];
}

const COMPANY_SUFFIXES = [
  'Systems',
  'Labs',
  'Industries',
  'Group',
  'Works',
  'Dynamics',
  'Partners',
  'Holdings',
  'Foundry',
  'Analytics',
] as const;
const UNIVERSITY_KINDS = ['University', 'College', 'Institute'] as const;
const FIELD_MODIFIERS = [
  'applied',
  'marine',
  'urban',
  'computational',
  'clinical',
  'industrial',
  'theoretical',
  'environmental',
  'agricultural',
  'structural',
  'molecular',
  'financial',
] as const;
const FIELD_DISCIPLINES = [
  'geology',
  'acoustics',
  'chemistry',
  'linguistics',
  'economics',
  'botany',
  'robotics',
  'statistics',
  'ecology',
  'optics',
  'logistics',
  'cartography',
] as const;
/** Years end here; a pool of n years is the n years up to it. */
const LAST_YEAR = 1999;
const MAX_INVENTED = 5000;

function cityPool(rng: Rng, mint: NameMint, n: number): string[] {
  return mint.words(rng, 'city', n);
}

export const ATTRIBUTES: Readonly<Record<AttributeName, AttributeSpec>> = {
  birth_city: {
    question: 'In which city was {name} born?',
    templates: [
      '{name} was born in {value}.',
      '{name} is a native of {value}.',
      '{name} came into the world in the city of {value}.',
      'The birthplace of {name} is {value}.',
    ],
    defaultPoolSize: 80,
    maxPoolSize: MAX_INVENTED,
    makePool: cityPool,
  },
  birth_year: {
    question: 'In which year was {name} born?',
    templates: [
      '{name} was born in {value}.',
      '{name} was born in the year {value}.',
      'The birth year of {name} is {value}.',
      '{name} first saw the light of day in {value}.',
    ],
    defaultPoolSize: 60,
    maxPoolSize: 200,
    makePool: (rng, _mint, n) =>
      rng.shuffle(Array.from({ length: n }, (_, i) => String(LAST_YEAR - n + 1 + i))),
  },
  employer: {
    question: 'Which company does {name} work for?',
    templates: [
      '{name} works for {value}.',
      '{name} is employed by {value}.',
      '{name} holds a job at {value}.',
      'The employer of {name} is {value}.',
    ],
    defaultPoolSize: 80,
    maxPoolSize: MAX_INVENTED,
    makePool: (rng, mint, n) =>
      mint.words(rng, 'root', n).map((root) => `${root} ${rng.pick(COMPANY_SUFFIXES)}`),
  },
  university: {
    question: 'Which university did {name} attend?',
    templates: [
      '{name} attended {value}.',
      '{name} studied at {value}.',
      '{name} is a graduate of {value}.',
      '{name} earned a degree from {value}.',
    ],
    defaultPoolSize: 60,
    maxPoolSize: MAX_INVENTED,
    makePool: (rng, mint, n) =>
      mint.words(rng, 'root', n).map((root) => `${root} ${rng.pick(UNIVERSITY_KINDS)}`),
  },
  field: {
    question: 'What field does {name} work in?',
    templates: [
      '{name} works in {value}.',
      '{name} is a specialist in {value}.',
      'The field of {name} is {value}.',
      '{name} built a career in {value}.',
    ],
    defaultPoolSize: 60,
    maxPoolSize: FIELD_MODIFIERS.length * FIELD_DISCIPLINES.length,
    makePool: (rng, _mint, n) =>
      rng
        .shuffle(FIELD_MODIFIERS.flatMap((m) => FIELD_DISCIPLINES.map((d) => `${m} ${d}`)))
        .slice(0, n),
  },
  residence_city: {
    question: 'In which city does {name} live?',
    templates: [
      '{name} lives in {value}.',
      '{name} resides in {value}.',
      '{name} has made a home in {value}.',
      'The home city of {name} is {value}.',
    ],
    defaultPoolSize: 80,
    maxPoolSize: MAX_INVENTED,
    makePool: cityPool,
  },
};

/** Every ordinary word the templates and fixed value parts use (never invented as a name). */
export function reservedWords(): string[] {
  const words = new Set<string>(['q', 'a']);
  const texts: string[] = [
    ...COMPANY_SUFFIXES,
    ...UNIVERSITY_KINDS,
    ...FIELD_MODIFIERS,
    ...FIELD_DISCIPLINES,
  ];
  for (const spec of Object.values(ATTRIBUTES)) texts.push(spec.question, ...spec.templates);
  for (const text of texts) {
    for (const w of text.toLowerCase().split(/[^a-z]+/)) if (w) words.add(w);
  }
  return [...words];
}

/** Fill `{name}` and `{value}` into a template. */
export function fillTemplate(template: string, name: string, value = ''): string {
  return template.replaceAll('{name}', name).replaceAll('{value}', value);
}
