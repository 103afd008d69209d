/**
 * The Hugging Face parquet path, on parquet files written by the test-only tinyParquetWriter
 * (no parquet writer is a dependency) and read by hyparquet, as the real downloads are.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestMirror } from '../../../test/support/test-mirror.ts';
import { type ParquetField, writeTinyParquet } from '../../../test/support/tiny-parquet-writer.ts';
import { fetchDataset } from '../download/fetchDataset.ts';
import { loadDatasetFile } from '../load.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fr-parquet-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const str = (name: string): ParquetField => ({ name, kind: 'string' });
const int = (name: string): ParquetField => ({ name, kind: 'int64' });
const strList = (name: string): ParquetField => ({ name, kind: 'list', of: str('element') });

async function parquet(name: string, fields: ParquetField[], rows: Array<Record<string, unknown>>) {
  const path = join(dir, name);
  await writeFile(path, writeTinyParquet(fields, rows));
  return path;
}

/** mandarjoshi90/trivia_qa (rc.nocontext) columns, evidence columns included to be skipped. */
const TRIVIA_FIELDS: ParquetField[] = [
  str('question'),
  str('question_id'),
  str('question_source'),
  { name: 'entity_pages', kind: 'struct', fields: [strList('title'), strList('wiki_context')] },
  {
    name: 'answer',
    kind: 'struct',
    fields: [
      strList('aliases'),
      strList('normalized_aliases'),
      str('matched_wiki_entity_name'),
      str('normalized_value'),
      str('type'),
      str('value'),
    ],
  },
];

describe('loadDatasetFile on Hugging Face parquet', () => {
  it('maps trivia_qa rows: value then aliases, question_id as id; a test-split row without answers is an error', async () => {
    const path = await parquet('trivia.parquet', TRIVIA_FIELDS, [
      {
        question: 'Which planet?',
        question_id: 'tc_1',
        question_source: 'http://www.triviacountry.com/',
        entity_pages: { title: ['Mars'], wiki_context: ['long text'] },
        answer: {
          aliases: ['Red Planet', 'Mars'],
          normalized_aliases: ['red planet', 'mars'],
          matched_wiki_entity_name: '',
          normalized_value: 'mars',
          type: 'WikipediaEntity',
          value: 'Mars',
        },
      },
      {
        question: 'Hidden answer?',
        question_id: 'tc_2',
        question_source: 's',
        entity_pages: { title: [], wiki_context: [] },
        answer: {
          aliases: [],
          normalized_aliases: [],
          matched_wiki_entity_name: '<unk>',
          normalized_value: '<unk>',
          type: '',
          value: '<unk>',
        },
      },
    ]);
    const r = await loadDatasetFile(path);
    expect([r.format, r.dataset, r.rowsRead]).toEqual(['hf_parquet', 'triviaqa', 2]);
    expect(r.records).toEqual([
      {
        id: 'triviaqa:tc_1',
        dataset: 'triviaqa',
        question: 'Which planet?',
        answers: ['Mars', 'Red Planet'],
        meta: {
          normalizedAliases: ['red planet', 'mars'],
          answerType: 'WikipediaEntity',
          questionSource: 'http://www.triviacountry.com/',
        },
      },
    ]);
    expect(r.errors).toEqual([
      expect.objectContaining({ line: 2, code: 'FR_ERR_DATASET_MISSING_ANSWER' }),
    ]);
  });

  it('maps nq_open, PopQA (int64 ids and popularity, JSON list strings) and SimpleQA rows', async () => {
    const nq = await loadDatasetFile(
      await parquet(
        'nq.parquet',
        [str('question'), strList('answer')],
        [
          { question: 'who wrote it', answer: ['Bobby Scott', 'Bob Russell'] },
          { question: 'no answer', answer: [] },
        ],
      ),
    );
    expect(nq.dataset).toBe('nq_open');
    expect(nq.records.map((x) => x.answers)).toEqual([['Bobby Scott', 'Bob Russell']]);
    expect(nq.errors.map((e) => [e.line, e.code])).toEqual([[2, 'FR_ERR_DATASET_MISSING_ANSWER']]);

    const popFields: ParquetField[] = [
      int('id'),
      str('subj'),
      str('prop'),
      str('obj'),
      int('subj_id'),
      int('prop_id'),
      int('obj_id'),
      str('s_aliases'),
      str('o_aliases'),
      str('s_uri'),
      str('o_uri'),
      str('s_wiki_title'),
      str('o_wiki_title'),
      int('s_pop'),
      int('o_pop'),
      str('question'),
      str('possible_answers'),
    ];
    const popRow = (id: number, answers: string) => ({
      id,
      subj: 'George Rankin',
      prop: 'occupation',
      obj: 'politician',
      subj_id: 1850297,
      prop_id: 22,
      obj_id: 2834605,
      s_aliases: '["George James Rankin"]',
      o_aliases: '["pol"]',
      s_uri: 'u',
      o_uri: 'v',
      s_wiki_title: 'George Rankin',
      o_wiki_title: 'Politician',
      s_pop: 142,
      o_pop: 25692,
      question: "What is George Rankin's occupation?",
      possible_answers: answers,
    });
    const pop = await loadDatasetFile(
      await parquet('popqa.parquet', popFields, [
        popRow(4222362, '["politician", "pol"]'),
        popRow(2, '["x"'),
      ]),
    );
    expect(pop.records[0]).toMatchObject({
      id: 'popqa:4222362',
      answers: ['politician', 'pol'],
      meta: { s_pop: 142, prop: 'occupation', s_aliases: ['George James Rankin'] },
    });
    expect(pop.errors.map((e) => [e.line, e.code])).toEqual([[2, 'FR_ERR_DATASET_BAD_JSON']]);

    const sq = await loadDatasetFile(
      await parquet(
        'simpleqa.parquet',
        [str('metadata'), str('problem'), str('answer')],
        [
          {
            metadata: "{'topic': 'Art', 'answer_type': 'Person', 'urls': ['u']}",
            problem: 'Who?',
            answer: 'Ann',
          },
          { metadata: "{'topic': ", problem: 'Broken?', answer: 'B' },
        ],
      ),
    );
    expect(sq.records[0]).toMatchObject({
      question: 'Who?',
      answers: ['Ann'],
      meta: { topic: 'Art' },
    });
    expect(sq.errors.map((e) => [e.line, e.code])).toEqual([[2, 'FR_ERR_DATASET_BAD_LITERAL']]);
  });

  it('reads gzip-compressed pages (a codec hyparquet lacks, decoded with node:zlib)', async () => {
    const path = join(dir, 'gzip.parquet');
    const rows = [{ question: 'who wrote it', answer: ['Bobby Scott'] }];
    await writeFile(
      path,
      writeTinyParquet([str('question'), strList('answer')], rows, { codec: 'GZIP' }),
    );
    const r = await loadDatasetFile(path);
    expect(r.records.map((x) => [x.question, x.answers])).toEqual([
      ['who wrote it', ['Bobby Scott']],
    ]);
  });

  it('refuses a parquet file of an unknown schema, and a truncated one, with one coded error each', async () => {
    const odd = await parquet('odd.parquet', [str('foo')], [{ foo: 'x' }]);
    await expect(loadDatasetFile(odd)).rejects.toMatchObject({
      code: 'FR_ERR_DATASET_UNKNOWN_FORMAT',
    });
    const bytes = writeTinyParquet(
      [str('question'), strList('answer')],
      [{ question: 'q', answer: ['a'] }],
    );
    const cut = join(dir, 'cut.parquet');
    await writeFile(cut, bytes.subarray(0, bytes.length - 20));
    await expect(loadDatasetFile(cut)).rejects.toMatchObject({
      code: 'FR_ERR_DATASET_PARQUET_UNREADABLE',
    });
  });

  it('fetches a Hugging Face parquet part through a mirror and loads it', async () => {
    const bytes = writeTinyParquet(
      TRIVIA_FIELDS.filter((f) => f.name !== 'entity_pages'),
      [
        {
          question: 'Q?',
          question_id: 'qz_9',
          question_source: 's',
          answer: {
            aliases: ['A'],
            normalized_aliases: ['a'],
            matched_wiki_entity_name: '',
            normalized_value: 'a',
            type: 'FreeForm',
            value: 'A',
          },
        },
      ],
    );
    const mirror = await startTestMirror({ 'triviaqa/rc.nocontext-validation.parquet': bytes });
    try {
      const [f] = await fetchDataset('triviaqa', {
        parts: ['validation'],
        baseUrl: mirror.baseUrl,
        cacheRoot: join(dir, 'cache'),
      });
      expect(f!.checksums.verified).toBe('recorded');
      const r = await loadDatasetFile(f!.path);
      expect(r.records.map((x) => x.id)).toEqual(['triviaqa:qz_9']);
    } finally {
      await mirror.close();
    }
  });
});

describe('tinyParquetWriter (the test helper above)', () => {
  it('writes nulls and empty lists at every nesting level so that hyparquet reads the same rows back', async () => {
    const { asyncBufferFromFile, parquetReadObjects } = await import('hyparquet');
    const rows = [
      { q: 'q1', a: ['a', 'b'], n: 5, s: { v: 'V', l: ['x', 'y', 'z'] } },
      { q: 'q2', a: [], n: null, s: { v: null, l: [] } },
      { q: null, a: null, n: 7, s: null },
      { q: 'q4', a: ['c'], n: -3, s: { v: 'W', l: null } },
    ];
    const path = await parquet(
      'roundtrip.parquet',
      [
        str('q'),
        strList('a'),
        int('n'),
        { name: 's', kind: 'struct', fields: [str('v'), strList('l')] },
      ],
      rows,
    );
    const back = await parquetReadObjects({ file: await asyncBufferFromFile(path) });
    expect(back.map((r) => ({ ...r, n: r.n === null ? null : Number(r.n) }))).toEqual(rows);
  });
});
