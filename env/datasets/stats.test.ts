import { describe, expect, it } from 'vitest';
import type { QARecord } from '../types.ts';
import type { LoadResult } from './records.ts';
import { datasetStats, distribution, formatDatasetStats } from './stats.ts';

const rec = (question: string, answers: string[]): QARecord => ({
  id: question,
  dataset: 'nq_open',
  question,
  answers,
  meta: {},
});

describe('datasetStats', () => {
  it('counts rows, malformed rows by code, answers, question lengths and repeated questions', () => {
    const result: LoadResult = {
      file: 'f.jsonl',
      format: 'nq_open_jsonl',
      dataset: 'nq_open',
      rowsRead: 5,
      records: [rec('a b', ['x']), rec('a b', ['x', 'y', 'z']), rec('c d e f', ['w', 'v'])],
      errors: [
        { file: 'f.jsonl', line: 2, row: 2, code: 'FR_ERR_DATASET_BAD_JSON', message: 'm' },
        { file: 'f.jsonl', line: 7, row: 5, code: 'FR_ERR_DATASET_MISSING_ANSWER', message: 'n' },
      ],
    };
    const s = datasetStats(result, { maxErrors: 1 });
    expect(s).toMatchObject({
      rowsRead: 5,
      records: 3,
      malformed: 2,
      errorCodes: { FR_ERR_DATASET_BAD_JSON: 1, FR_ERR_DATASET_MISSING_ANSWER: 1 },
      answersPerQuestion: { min: 1, median: 2, mean: 2, max: 3 },
      questionWords: { min: 2, median: 2, max: 4 },
      duplicates: {
        distinctQuestions: 2,
        repeatedQuestions: 1,
        extraRows: 1,
        top: [{ question: 'a b', count: 2 }],
      },
    });
    expect(s.firstErrors).toHaveLength(1);
    const text = formatDatasetStats(s);
    expect(text).toContain('line 2 (row 2): FR_ERR_DATASET_BAD_JSON');
    expect(text).toContain('... and 1 more');
  });

  it('gives the median of an even count as the mean of the middle two, and null for no values', () => {
    expect(distribution([4, 1, 3, 2])).toEqual({ min: 1, median: 2.5, mean: 2.5, max: 4 });
    expect(distribution([])).toBeNull();
  });
});
