import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFactRecallError } from '../../lib/errors.ts';
import { loadDatasetFile } from './load.ts';
import type { LoadResult } from './records.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fr-datasets-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** Every row is either a record or an error, and errors name their line and code. */
function expectAccounted(r: LoadResult): void {
  expect(r.records.length + r.errors.length).toBe(r.rowsRead);
  expect(new Set(r.records.map((x) => x.id)).size).toBe(r.records.length);
}

/** 1-based line of the first line of `text` containing `needle`. */
function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((l) => l.includes(needle)) + 1;
}

function errorLines(r: LoadResult): Array<[number, string]> {
  return r.errors.map((e) => [e.line, e.code]);
}

describe('loadDatasetFile on crafted bad files', () => {
  it('NQ-open JSONL: reports a bad JSON line, a missing answer and a non-list answer by line, keeps the good rows', async () => {
    const path = await write(
      'nq.jsonl',
      [
        '{"question": "q one", "answer": ["a1"]}',
        '{"question": "q two", "answer": ["a2"',
        '{"question": "q three"}',
        '',
        '{"question": "q four", "answer": "not a list"}',
        '{"question": "q five", "answer": ["", "  "]}',
        '{"question": "q one", "answer": ["again"]}',
      ].join('\n'),
    );
    const r = await loadDatasetFile(path);
    expect(r.format).toBe('nq_open_jsonl');
    expect(errorLines(r)).toEqual([
      [2, 'FR_ERR_DATASET_BAD_JSON'],
      [3, 'FR_ERR_DATASET_MISSING_ANSWER'],
      [5, 'FR_ERR_DATASET_BAD_FIELD'],
      [6, 'FR_ERR_DATASET_MISSING_ANSWER'],
    ]);
    expect(r.records.map((x) => x.question)).toEqual(['q one', 'q one']);
    expect(r.records[1]!.id).toBe(`${r.records[0]!.id}#2`);
    expect(r.errors[0]!.file).toBe(path);
    expectAccounted(r);
  });

  it('TriviaQA DPR TSV: reports a bad literal, bad quoting and a wrong column count by line', async () => {
    const path = await write(
      'trivia.txt',
      [
        "Good one?\t['Yes', 'Y']",
        "Bad literal?\t['unclosed",
        '"Bad quote"x\t[\'a\']',
        'No answers column?',
        "Three\tcolumns\t['x']",
        "Not a list?\t'just a string'",
        // As in DPR's file: a question CSV-quoted twice, so quotes inside come out fourfold.
        '"""Quoted """"twice"""" here?"""\t"[""It\'s"", \'b\']"',
        '',
      ].join('\r\n'),
    );
    const r = await loadDatasetFile(path);
    expect(r.format).toBe('triviaqa_dpr_tsv');
    expect(errorLines(r)).toEqual([
      [2, 'FR_ERR_DATASET_BAD_LITERAL'],
      [3, 'FR_ERR_DATASET_BAD_CSV'],
      [4, 'FR_ERR_DATASET_WRONG_COLUMNS'],
      [5, 'FR_ERR_DATASET_WRONG_COLUMNS'],
      [6, 'FR_ERR_DATASET_BAD_FIELD'],
    ]);
    expect(r.records.map((x) => [x.question, x.answers])).toEqual([
      ['Good one?', ['Yes', 'Y']],
      ['Quoted "twice" here?', ["It's", 'b']],
    ]);
    expect(r.records[1]!.meta).toEqual({ requoted: true });
    expectAccounted(r);
  });

  it('TriviaQA official JSON: Value first then aliases, ids from QuestionId, a row without answer reported at its line', async () => {
    const data = {
      Data: [
        {
          Question: 'Which planet?',
          QuestionId: 'tc_1',
          Answer: { Value: 'Mars', Aliases: ['Mars', 'Red Planet'], NormalizedAliases: ['mars'] },
        },
        { Question: 'No answer?', QuestionId: 'tc_2' },
      ],
      Domain: 'Web',
      Version: 1,
    };
    const text = JSON.stringify(data, null, 1);
    const path = await write('trivia.json', text);
    const r = await loadDatasetFile(path);
    expect(r.format).toBe('triviaqa_json');
    expect(r.records).toEqual([
      {
        id: 'triviaqa:tc_1',
        dataset: 'triviaqa',
        question: 'Which planet?',
        answers: ['Mars', 'Red Planet'],
        meta: { normalizedAliases: ['mars'] },
      },
    ]);
    expect(r.errors).toEqual([
      // The element's opening brace is on the line before its Question.
      expect.objectContaining({
        line: lineOf(text, 'No answer?') - 1,
        code: 'FR_ERR_DATASET_MISSING_ANSWER',
      }),
    ]);
  });

  it('TriviaQA official JSON on one line (as distributed): a bad row is found by its row number', async () => {
    const data = {
      Data: [
        { Question: 'Q1?', QuestionId: 'a', Answer: { Value: 'A', Aliases: [] } },
        { Question: 'Q2?', QuestionId: 'b', Answer: { Value: '', Aliases: [] } },
      ],
    };
    const r = await loadDatasetFile(await write('minified.json', JSON.stringify(data)));
    expect(r.errors).toEqual([
      expect.objectContaining({ line: 1, row: 2, code: 'FR_ERR_DATASET_MISSING_ANSWER' }),
    ]);
  });

  it('SimpleQA CSV: reports a bad metadata literal, bad quoting and wrong columns by line', async () => {
    const path = await write(
      'simple.csv',
      [
        'metadata,problem,answer',
        `"{'topic': 'Art', 'answer_type': 'Person', 'urls': ['u']}","Who, exactly?",Ann`,
        `"{'topic': 'Art', 'urls': ['u'}",Bad literal?,B`,
        `"{'topic': 'Art'}","Bad ""quote"x,C`,
        `"{'topic': 'Art'}",Too,many,columns`,
        `"{'topic': 'Sports'}","Multi`,
        `line?",Dee`,
      ].join('\n'),
    );
    const r = await loadDatasetFile(path);
    expect(r.format).toBe('simpleqa_csv');
    expect(errorLines(r)).toEqual([
      [3, 'FR_ERR_DATASET_BAD_LITERAL'],
      [4, 'FR_ERR_DATASET_BAD_CSV'],
      [5, 'FR_ERR_DATASET_WRONG_COLUMNS'],
    ]);
    expect(r.records.map((x) => [x.question, x.answers, x.meta.topic])).toEqual([
      ['Who, exactly?', ['Ann'], 'Art'],
      ['Multi\nline?', ['Dee'], 'Sports'],
    ]);
    expectAccounted(r);
  });

  it('PopQA TSV: meta keeps s_pop, prop, subj, parsed aliases; bad rows reported by line', async () => {
    const header = [
      'id',
      'subj',
      'prop',
      'obj',
      'subj_id',
      'prop_id',
      'obj_id',
      's_aliases',
      'o_aliases',
      's_uri',
      'o_uri',
      's_wiki_title',
      'o_wiki_title',
      's_pop',
      'o_pop',
      'question',
      'possible_answers',
    ];
    const row = (id: string, question: string, answers: string) =>
      [
        id,
        'George Rankin',
        'occupation',
        'politician',
        '1',
        '22',
        '3',
        '["G R"]',
        '[]',
        'u',
        'v',
        'GR',
        'P',
        '142',
        '25692',
        question,
        answers,
      ].join('\t');
    const path = await write(
      'popQA.tsv',
      [
        header.join('\t'),
        row('4222362', "What is George Rankin's occupation?", '["politician", "pol"]'),
        row('2', 'Empty answers?', '[]'),
        row('3', 'Bad json?', '["x"'),
        'too\tfew',
        '',
      ].join('\n'),
    );
    const r = await loadDatasetFile(path);
    expect(r.format).toBe('popqa_tsv');
    expect(errorLines(r)).toEqual([
      [3, 'FR_ERR_DATASET_MISSING_ANSWER'],
      [4, 'FR_ERR_DATASET_BAD_JSON'],
      [5, 'FR_ERR_DATASET_WRONG_COLUMNS'],
    ]);
    expect(r.records[0]).toMatchObject({
      id: 'popqa:4222362',
      answers: ['politician', 'pol'],
      meta: { subj: 'George Rankin', prop: 'occupation', s_pop: 142, s_aliases: ['G R'] },
    });
    expectAccounted(r);
  });

  it('PopQA CorVer JSON: keeps an empty-subject question (flagged) and reports a row with no answers by line', async () => {
    const rows = [
      {
        question: 'Who is the author of ?',
        answer: 'Peter David',
        aliases: ['Peter David', 'PAD'],
      },
      { question: 'Nothing?', answer: '', aliases: [] },
    ];
    const text = JSON.stringify(rows, null, 2);
    const r = await loadDatasetFile(await write('corver.json', text));
    expect(r.format).toBe('popqa_corver_json');
    expect(r.records).toHaveLength(1);
    expect(r.records[0]).toMatchObject({
      answers: ['Peter David', 'PAD'],
      meta: { emptySubject: true },
    });
    expect(errorLines(r)).toEqual([
      [lineOf(text, 'Nothing?') - 1, 'FR_ERR_DATASET_MISSING_ANSWER'],
    ]);
  });

  it('a missing file, a file of no known format, and a wrong header are each one coded error', async () => {
    const codeOf = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        if (isFactRecallError(e)) return e.code;
        throw e;
      }
      return 'no error';
    };
    expect(await codeOf(loadDatasetFile(join(dir, 'nope.jsonl')))).toBe(
      'FR_ERR_DATASET_FILE_NOT_FOUND',
    );
    expect(await codeOf(loadDatasetFile(await write('x.txt', 'hello world\n')))).toBe(
      'FR_ERR_DATASET_UNKNOWN_FORMAT',
    );
    const csv = await write('other.csv', 'a,b,c\n1,2,3\n');
    expect(await codeOf(loadDatasetFile(csv, { format: 'simpleqa_csv' }))).toBe(
      'FR_ERR_DATASET_NOT_FORMAT',
    );
    const notJson = await write('broken.json', '[{"question": "q", "aliases": ["a"]');
    expect(await codeOf(loadDatasetFile(notJson))).toBe('FR_ERR_DATASET_NOT_FORMAT');
    expect(await codeOf(loadDatasetFile(csv, { format: 'hf_parquet' }))).toBe(
      'FR_ERR_DATASET_PARQUET_UNREADABLE',
    );
  });
});
