/**
 * The loaders on the real files in ../shared/datasets (see its README for the facts checked
 * here). Skipped, with a printed reason, where that folder is missing.
 */
import { describe, expect, it } from 'vitest';
import { hasSharedDatasets, sharedDatasetsDir } from '../../lib/paths.ts';
import { loadSharedDataset } from './load.ts';

const present = hasSharedDatasets();
if (!present) console.warn(`skipping real-file loader tests: ${sharedDatasetsDir()} is missing`);

describe.skipIf(!present)('loadSharedDataset on the real files', () => {
  it('loads all 3,610 NQ-open dev rows, the first about the last moon landing', async () => {
    const r = await loadSharedDataset('nq_open');
    expect([r.rowsRead, r.records.length, r.errors]).toEqual([3610, 3610, []]);
    expect(r.records[0]).toMatchObject({
      dataset: 'nq_open',
      question: 'when was the last time anyone was on the moon',
      answers: ['14 December 1972 UTC', 'December 1972'],
    });
  });

  it('loads all 11,313 TriviaQA DPR rows with aliases, undoing the double CSV quoting', async () => {
    const r = await loadSharedDataset('triviaqa');
    expect([r.format, r.rowsRead, r.records.length, r.errors]).toEqual([
      'triviaqa_dpr_tsv',
      11313,
      11313,
      [],
    ]);
    expect(r.records[0]).toMatchObject({
      question: 'Who was the man behind The Chipmunks?',
      answers: ['David Seville'],
    });
    expect(r.records[1]!.answers).toEqual(['Scorpio', 'Skorpio', 'Scorpio (disambiguation)']);
    expect(r.records[23]!.question).toBe('Who was the target of the failed "Bomb Plot" of 1944?');
    expect(r.records[23]!.answers).toContain("Hitler's medical health");
    expect(r.records.filter((x) => x.meta.requoted)).toHaveLength(705);
    const aliases = r.records.reduce((n, x) => n + x.answers.length, 0) / r.records.length;
    expect(aliases).toBeGreaterThan(13);
    expect(aliases).toBeLessThan(15);
  });

  it('loads all 14,267 PopQA rows of the CorVer copy, repeated questions with #n ids, empty subjects kept', async () => {
    const r = await loadSharedDataset('popqa');
    expect([r.format, r.rowsRead, r.records.length, r.errors]).toEqual([
      'popqa_corver_json',
      14267,
      14267,
      [],
    ]);
    expect(new Set(r.records.map((x) => x.question)).size).toBe(13068);
    expect(r.records.filter((x) => x.meta.emptySubject).map((x) => x.question)).toEqual(
      expect.arrayContaining(['Who is the author of ?']),
    );
    expect(r.records.filter((x) => x.meta.emptySubject)).toHaveLength(3);
    expect(r.records.filter((x) => x.id.includes('#'))).toHaveLength(14267 - 13068);
  });

  it('loads the 1,000-row HippoRAG PopQA copy with source ids and popularity meta, paragraphs dropped', async () => {
    const r = await loadSharedDataset('popqa', { popqaCopy: 'hipporag' });
    expect([r.format, r.rowsRead, r.records.length, r.errors]).toEqual([
      'popqa_hipporag_json',
      1000,
      1000,
      [],
    ]);
    expect(r.records[0]).toMatchObject({
      id: 'popqa:4222362',
      question: "What is George Rankin's occupation?",
      answers: ['politician', 'political leader', 'political figure', 'polit.', 'pol'],
      meta: { subj: 'George Rankin', prop: 'occupation', obj: 'politician', s_pop: 142 },
    });
    expect(r.records[0]!.meta).not.toHaveProperty('paragraphs');
    expect(new Set(r.records.map((x) => x.meta.prop))).toEqual(
      new Set(['occupation', 'place of birth']),
    );
  });

  it('loads all 4,326 SimpleQA rows with topic, answer type and urls from the metadata literal', async () => {
    const r = await loadSharedDataset('simpleqa');
    expect([r.rowsRead, r.records.length, r.errors]).toEqual([4326, 4326, []]);
    expect(r.records[0]).toMatchObject({
      question: 'Who received the IEEE Frank Rosenblatt Award in 2010?',
      answers: ['Michio Sugeno'],
      meta: { topic: 'Science and technology', answer_type: 'Person' },
    });
    const topics = new Map<unknown, number>();
    for (const x of r.records) topics.set(x.meta.topic, (topics.get(x.meta.topic) ?? 0) + 1);
    expect(topics.get('Science and technology')).toBe(858);
    expect(topics.get('Video games')).toBe(135);
  });

  it('gives every record a unique id, the same on a second load', async () => {
    for (const name of ['nq_open', 'triviaqa', 'popqa', 'simpleqa'] as const) {
      const [a, b] = await Promise.all([loadSharedDataset(name), loadSharedDataset(name)]);
      const ids = a.records.map((x) => x.id);
      expect(new Set(ids).size, name).toBe(ids.length);
      expect(
        b.records.map((x) => x.id),
        name,
      ).toEqual(ids);
      expect(
        ids.every((id) => id.startsWith(`${name}:`)),
        name,
      ).toBe(true);
    }
  });
});
