import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasSharedDatasets, sharedDatasetsDir } from '../lib/paths.ts';
import { containsDecision } from './contains.ts';
import { exactLabel } from './exact.ts';
import { normalizeAnswer } from './normalize.ts';
import {
  memoizedPayableGolds,
  offeredAlternatives,
  payableAnswers,
  payableGolds,
} from './restated.ts';

/** The two sightings, verbatim from TriviaQA (DPR's test file, rows 8976 and 6611). */
const COMEDO = {
  question: "A 'Comedo' is the medical name for what?",
  answers: [
    'Comedone',
    'Comedones',
    'A BLACKHEAD',
    'Black head',
    'Open comedo',
    'Microcomedo',
    'Comedo',
    'Comedo (disambiguation)',
    'Microcomedone',
    'Blackhead',
    'Black heads',
  ],
};
const VILLA = {
  question: 'Which Mexican revolutionary was born Doroteo Arango in 1878?',
  answers: [
    'Villistas',
    'Doreteo Arango',
    'Poncho Villa',
    'Doroteo Arango Arámbula',
    'Pancho Villa',
    'Pancho vila',
    'Francisco Villa',
    'Villa, Pancho',
    'Pancho villa',
    'Doroteo Arango',
    'Doroteo Arango Arambula',
    'Maria Luz Fierro Corral De Villa',
    'Francisco %22Pancho%22 Villa',
    'PANCHO VILLA',
  ],
};

/** Questions that offer the gold as an alternative, verbatim from TriviaQA and NQ-open. */
const SAHARA = {
  question: 'Which is the largest in area - The Sahara Desert or Australia?',
  answers: ['Sahara Desert', 'Great Desert', 'The Sahara', 'Saharan Desert', 'Sahara'],
};
const WHERRY = {
  question: "A 'wherry' is a Drink; Cheese; Wind; or Boat?",
  answers: [
    'Ski boat',
    'Boat Launch',
    'Boats',
    'Bow (boat)',
    'Boat propulsion',
    'Work boats',
    'Boat',
  ],
};
const JAFFA = {
  question: 'is jaffa cakes a biscuit or a cake',
  answers: ['Cake', 'biscuit-sized cakes', 'cakes'],
};

const exact = (item: { question: string; answers: string[] }, prediction: string) =>
  exactLabel({ ...item, prediction });
const contains = (item: { question: string; answers: string[] }, prediction: string) =>
  containsDecision({ ...item, prediction }).label;

describe('aliases the question spells out', () => {
  it('are not paid by exact or contains: the Comedo and Doroteo Arango sightings', () => {
    for (const p of ['Comedo', 'a "Comedo"', "'Comedo'"]) {
      expect(exact(COMEDO, p)).toBe('incorrect');
      expect(contains(COMEDO, p)).not.toBe('correct');
    }
    expect(exact(COMEDO, 'Blackhead')).toBe('correct');
    expect(contains(COMEDO, 'A blackhead.')).toBe('correct');
    // "Open comedo" is not spelled out ("comedo" alone is): it stays a gold.
    expect(exact(COMEDO, 'Open comedo')).toBe('correct');
    expect(exact(VILLA, 'Doroteo Arango')).toBe('incorrect');
    expect(contains(VILLA, 'It was Doroteo Arango.')).not.toBe('correct');
    expect(exact(VILLA, 'Pancho Villa')).toBe('correct');
    expect(contains(VILLA, 'Pancho Villa, I think')).toBe('correct');
  });

  it('stay golds when the question offers them as alternatives', () => {
    expect(
      exact({ question: 'Which is larger, Mars or Venus?', answers: ['Venus'] }, 'Venus'),
    ).toBe('correct');
    expect(exact(SAHARA, 'The Sahara')).toBe('correct');
    expect(exact(SAHARA, 'Sahara')).toBe('correct');
    expect(exact(WHERRY, 'Boat')).toBe('correct');
    expect(exact(JAFFA, 'a cake')).toBe('correct');
    expect(contains(JAFFA, 'It is a cake.')).toBe('correct');
    expect(payableAnswers(WHERRY.question, WHERRY.answers)).toEqual(WHERRY.answers);
  });

  it('are dropped when the "or" gives another name or joins words that are not the gold', () => {
    // Verbatim TriviaQA questions; the answers are a few of their aliases.
    const dalton = {
      question: 'In medicine, Daltonism (or deuteranopia) is better known by what name?',
      answers: ['Red-green colorblindness', 'Deuteranopia', 'Color blindness', 'Daltonism'],
    };
    expect(payableAnswers(dalton.question, dalton.answers)).toEqual([
      'Red-green colorblindness',
      'Color blindness',
    ]);
    expect(exact(dalton, 'Daltonism')).toBe('incorrect');
    expect(exact(dalton, 'Deuteranopia')).toBe('incorrect');
    const alopecia = {
      question:
        'What is the medical description of the loss of hair from the head or body, sometimes to the extent of baldness?',
      answers: ['Alopecia', 'Loss of hair', 'Baldness'],
    };
    expect(payableAnswers(alopecia.question, alopecia.answers)).toEqual(['Alopecia']);
  });

  it('stay golds when the question spells out every alias', () => {
    // SimpleQA, verbatim: the question holds its only gold, and a correct answer is paid.
    const cds = {
      question: 'How many CDs did the original Seiken Densetsu 3 soundtrack include?',
      answers: ['3'],
    };
    expect(exact(cds, 'three')).toBe('correct');
    expect(
      exact(
        { question: 'who sold the most records elvis or the beatles', answers: ['The Beatles'] },
        'The Beatles',
      ),
    ).toBe('correct');
  });

  it('drop a country code that spells the question\'s "in" (PopQA, verbatim)', () => {
    const devanur = {
      question: 'In what country is Devanur?',
      answers: [
        'India',
        'Bharat',
        'Hindustan',
        'Bharatvarsh',
        'in',
        'IN',
        'Republic of India',
        '🇮🇳',
        'IND',
        'Aryavratt',
      ],
    };
    expect(exact(devanur, 'In')).toBe('incorrect');
    expect(exact(devanur, 'India')).toBe('correct');
  });

  it('never drop a single gold (FactWorld and SimpleQA have one), whatever the question says', () => {
    for (const [question, gold] of [
      ['Where was Vorbrarnford Smith born?', 'Vorbrarnford'],
      ['Who won the second set, Jaume Munar or Stefanos Tsitsipas?', 'Jaume Munar'],
      ['In what year, 1808 or 1904, was Nourn College founded?', '1904'],
    ] as const) {
      expect(payableAnswers(question, [gold])).toEqual([gold]);
      expect(exact({ question, answers: [gold] }, gold)).toBe('correct');
    }
  });

  it('keep the other aliases in order, and every alias where the question spells out none', () => {
    expect(payableAnswers(COMEDO.question, COMEDO.answers)).toEqual(
      COMEDO.answers.filter((a) => a !== 'Comedo'),
    );
    const paris = ['Paris', 'City of Light'];
    expect(payableAnswers('What is the capital of France?', paris)).toBe(paris);
  });
});

describe('the memo of payable golds', () => {
  it('returns what payableGolds returns, for a repeat, for the same question with other answers, and past its bound', () => {
    const golds = memoizedPayableGolds(normalizeAnswer, 2);
    const items = [
      COMEDO,
      VILLA,
      { question: COMEDO.question, answers: ['Comedo'] },
      SAHARA,
      COMEDO,
    ];
    for (const item of [...items, ...items]) {
      expect(golds(item)).toEqual(payableGolds(item.question, item.answers));
    }
    expect(golds(COMEDO).has('comedo')).toBe(false);
    expect(golds({ question: COMEDO.question, answers: ['Comedo'] }).has('comedo')).toBe(true);
  });
});

describe.skipIf(!hasSharedDatasets())('the sightings in the real TriviaQA file', () => {
  it("are the rows of DPR's TriviaQA test file, aliases in its order", () => {
    const lines = readFileSync(
      join(sharedDatasetsDir(), 'triviaqa/topics.dpr.trivia.test.txt'),
      'utf8',
    ).split(/\r?\n/);
    for (const item of [COMEDO, VILLA]) {
      const line = lines.find((l) => l.startsWith(`${item.question}\t`));
      expect(line).toBeDefined();
      const aliases = [...line!.split('\t')[1]!.matchAll(/'([^']*)'/g)].map((m) => m[1]);
      expect(aliases).toEqual(item.answers);
    }
  });
});

describe('the alternatives a question offers', () => {
  it('are the runs of up to 4 words at each border of an "or" that joins them', () => {
    const runs = offeredAlternatives('is it marley and me or marley and i').map((r) => r.join(' '));
    // after the "or": runs starting at "marley"; before it: runs ending at "me"
    expect(runs.sort()).toEqual(
      [
        'marley',
        'marley and',
        'marley and i',
        'me',
        'and me',
        'marley and me',
        'it marley and me',
      ].sort(),
    );
  });

  it('stop at clause and list marks, and are none without an "or" that joins alternatives', () => {
    const runs = offeredAlternatives("A 'wherry' is a Drink; Cheese; Wind; or Boat?").map((r) =>
      r.join(' '),
    );
    expect(runs).toContain('cheese');
    expect(runs).toContain('boat');
    expect(runs.some((r) => r.includes('cheese') && r.includes('wind'))).toBe(false);
    expect(offeredAlternatives('What is the capital of France?')).toEqual([]);
    expect(offeredAlternatives('Daltonism (or deuteranopia) is a form of what?')).toEqual([]);
  });
});
