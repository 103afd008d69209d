import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeAnswer } from '../../judges/normalize.ts';
import { sha256 } from '../../lib/hash.ts';
import { hasSharedDatasets } from '../../lib/paths.ts';
import { preparedFiles, tempDir } from '../../test/support/splits.ts';
import type { DatasetName, QARecord } from '../types.ts';
import { loadPreparedSplits } from './load.ts';
import { prepareDataset } from './prepare-dataset.ts';

const root = tempDir('prepare');
const readJsonl = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as QARecord);

describe.skipIf(!hasSharedDatasets())(
  'preparing the real shared datasets (heuristic dedup)',
  () => {
    const expected: Record<Exclude<DatasetName, 'factworld'>, number> = {
      nq_open: 3610,
      triviaqa: 11313,
      popqa: 14267,
      simpleqa: 4326,
    };
    for (const [dataset, rows] of Object.entries(expected) as Array<[DatasetName, number]>) {
      it(`prepares ${dataset}: disjoint splits covering the file, hashes that match, contained train items removed`, async () => {
        const out = join(root, dataset);
        const { manifest, dedup } = await prepareDataset({ dataset, outDir: out, quiet: true });
        const s = manifest.splits;
        expect(manifest.mode).toBe('partition-eval');
        expect(manifest.dedup.decider.kind).toBe('heuristic');
        expect(manifest.dedup.note).toMatch(/OFFLINE HEURISTIC/);
        expect(manifest.sources[0]).toMatchObject({ role: 'eval', rowsRead: rows, records: rows });
        // Every row is in exactly one split before dedup; dedup only removes train rows.
        expect(s.train.countBeforeDedup + s.val.count + s.test.count).toBe(rows);
        expect(s.train.count).toBe(s.train.countBeforeDedup - dedup.summary.removedTrain);
        expect(s.test.count).toBe(Math.round(rows * 0.25));
        const files = Object.fromEntries(
          (['train', 'val', 'test'] as const).map((k) => [k, readJsonl(join(out, `${k}.jsonl`))]),
        );
        const ids = (k: string) => new Set(files[k]!.map((r) => r.id));
        const trainIds = ids('train');
        for (const held of ['val', 'test'] as const) {
          expect([...ids(held)].filter((id) => trainIds.has(id))).toEqual([]);
        }
        // No held-out (val or test) question survives in train word for word. PopQA repeats
        // questions: before exact repeats were always candidates, 16 test repeats leaked past
        // BM25 ties and the top-k cut; before val was held out, 75 val questions were in train.
        const trainQuestions = new Set(files.train!.map((r) => normalizeAnswer(r.question)));
        for (const held of ['val', 'test'] as const) {
          const repeated = files[held]!.filter((r) =>
            trainQuestions.has(normalizeAnswer(r.question)),
          );
          expect(repeated.map((r) => r.question)).toEqual([]);
        }
        // The summary per held-out split agrees with the decisions it came from.
        const sum = manifest.dedup.summary;
        expect(manifest.dedup.scope).toMatch(
          /val and test are not deduplicated against each other/,
        );
        expect(sum.heldOut.test.questions).toBe(s.test.count);
        expect(sum.heldOut.val.questions).toBe(s.val.count);
        const removedBy = (held: 'val' | 'test') =>
          new Set(
            dedup.decisions
              .filter((d) => d.heldOut === held && d.isContained)
              .map((d) => d.trainId),
          );
        expect(sum.heldOut.test.removedTrain).toBe(removedBy('test').size);
        expect(sum.heldOut.val.removedTrain).toBe(removedBy('val').size);
        expect(sum.removedTrain).toBe(
          sum.heldOut.test.removedTrain + sum.heldOut.val.removedTrain - sum.removedTrainByBoth,
        );
        expect(sum.heldOut.test.candidatePairs + sum.heldOut.val.candidatePairs).toBe(
          sum.candidatePairs,
        );
        for (const k of ['train', 'val', 'test'] as const) {
          expect(sha256(readFileSync(join(out, `${k}.jsonl`)))).toBe(s[k].sha256);
          expect(files[k]!.length).toBe(s[k].count);
        }
        // Removed train items are exactly the ones some decision called contained.
        const containedTrain = new Set(
          dedup.decisions.filter((d) => d.isContained).map((d) => d.trainId),
        );
        expect(dedup.removedTrain.map((r) => r.id).sort()).toEqual([...containedTrain].sort());
        expect(files.train!.filter((r) => containedTrain.has(r.id))).toEqual([]);
        const loaded = await loadPreparedSplits(out);
        expect(loaded.hash).toBe(manifest.hash);
        expect(loaded.splits.test?.length).toBe(s.test.count);
      }, 180_000); // a whole real file through dedup: about 30 s on a busy 2-core machine
    }

    it('prepares FactWorld split by person: no person is in two splits', async () => {
      const out = join(root, 'factworld');
      const { manifest } = await prepareDataset({ dataset: 'factworld', outDir: out, quiet: true });
      expect(manifest.mode).toBe('factworld-people');
      const people = (k: string) =>
        new Set(readJsonl(join(out, `${k}.jsonl`)).map((r) => String(r.meta['personId'])));
      const train = people('train');
      for (const p of people('test')) expect(train.has(p)).toBe(false);
      expect(manifest.splits.test.count).toBeGreaterThan(0);
    });

    it('gives the same files and hashes for the same seed, and other splits for another seed', async () => {
      const a = join(root, 'det-a');
      const b = join(root, 'det-b');
      const c = join(root, 'det-c');
      const ra = await prepareDataset({ dataset: 'nq_open', outDir: a, seed: 7, quiet: true });
      const rb = await prepareDataset({ dataset: 'nq_open', outDir: b, seed: 7, quiet: true });
      const rc = await prepareDataset({ dataset: 'nq_open', outDir: c, seed: 8, quiet: true });
      expect(rb.manifest.hash).toBe(ra.manifest.hash);
      expect(preparedFiles(b)).toEqual(preparedFiles(a));
      expect(rc.manifest.hash).not.toBe(ra.manifest.hash);
      expect(rc.manifest.splits.test.sha256).not.toBe(ra.manifest.splits.test.sha256);
    });
  },
);

describe('preparing from an official train file', () => {
  const dir = tempDir('official');
  // NQ-open's train file has the dev file's format (JSON lines of question + answer list).
  const nqTrain = join(dir, 'NQ-open.train.jsonl');
  const nqDev = join(dir, 'NQ-open.dev.jsonl');
  const q = (i: number) => `who was person number ${i} in the list`;
  writeFileSync(
    nqTrain,
    Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({ question: q(i), answer: [`answer ${i}`] }),
    ).join('\n') + '\n',
  );
  // The dev file repeats train questions 3 and 5 (a leak dedup must catch) and has two new ones.
  writeFileSync(
    nqDev,
    [
      { question: q(3), answer: ['answer 3'] },
      { question: 'who was person number 5 in the list ?', answer: ['Answer 5'] },
      { question: 'what colour is the sky', answer: ['blue'] },
      { question: 'how many legs does a spider have', answer: ['8'] },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n'),
  );

  it('samples train and val from the train file, keeps the dev file as test, and removes leaked facts', async () => {
    const out = join(dir, 'nq');
    const { manifest, dedup } = await prepareDataset({
      dataset: 'nq_open',
      trainFile: nqTrain,
      evalFile: nqDev,
      trainSize: 30,
      valSize: 5,
      outDir: out,
      quiet: true,
    });
    expect(manifest.mode).toBe('official-train');
    expect(manifest.sources.map((s) => [s.role, s.file, s.records])).toEqual([
      ['train', 'NQ-open.train.jsonl', 40],
      ['eval', 'NQ-open.dev.jsonl', 4],
    ]);
    expect(manifest.splits.test.count).toBe(4);
    expect(manifest.splits.val.count).toBe(5);
    const removed = new Set(dedup.removedTrain.map((r) => r.question));
    const sampled = new Set(readJsonl(join(out, 'train.jsonl')).map((r) => r.question));
    for (const leak of [q(3), q(5)]) expect(sampled.has(leak)).toBe(false);
    expect(manifest.splits.train.count + removed.size).toBe(30);
  });

  it('reads a TriviaQA official JSON train file', async () => {
    const tqTrain = join(dir, 'unfiltered-web-train.json');
    writeFileSync(
      tqTrain,
      JSON.stringify({
        Data: Array.from({ length: 12 }, (_, i) => ({
          Question: `Which river flows through city ${i}?`,
          QuestionId: `tq_${i}`,
          Answer: { Value: `River ${i}`, Aliases: [`River ${i}`, `R${i}`], NormalizedAliases: [] },
        })),
        Version: 1,
      }),
    );
    const tqDev = join(dir, 'trivia-dev.txt');
    writeFileSync(
      tqDev,
      "Which river flows through city 4?\t['River 4']\nWho wrote Hamlet?\t['Shakespeare']\n",
    );
    const { manifest } = await prepareDataset({
      dataset: 'triviaqa',
      trainFile: tqTrain,
      evalFile: tqDev,
      trainSize: 10,
      valSize: 2,
      outDir: join(dir, 'tq'),
      quiet: true,
    });
    expect(manifest.sources.map((s) => s.format)).toEqual(['triviaqa_json', 'triviaqa_dpr_tsv']);
    // city 4 is in train or val; if in train it is removed as a leak.
    const train = readJsonl(join(dir, 'tq', 'train.jsonl'));
    expect(train.some((r) => r.question === 'Which river flows through city 4?')).toBe(false);
  });

  it('refuses train and val sizes larger than the train file', async () => {
    await expect(
      prepareDataset({
        dataset: 'nq_open',
        trainFile: nqTrain,
        evalFile: nqDev,
        trainSize: 39,
        valSize: 2,
        outDir: join(dir, 'too-few'),
        quiet: true,
      }),
    ).rejects.toMatchObject({ code: 'FR_ERR_SPLITS_TOO_FEW_RECORDS' });
  });

  it('refuses a source with bad rows unless told to skip them, and then records how many', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(
      bad,
      `${readFileSync(nqTrain, 'utf8')}{"question": "no answer here", "answer": []}\n`,
    );
    const opts = {
      dataset: 'nq_open' as const,
      trainFile: bad,
      evalFile: nqDev,
      trainSize: 30,
      valSize: 5,
      quiet: true,
    };
    await expect(prepareDataset({ ...opts, outDir: join(dir, 'bad1') })).rejects.toMatchObject({
      code: 'FR_ERR_SPLITS_SOURCE_INVALID',
    });
    const { manifest } = await prepareDataset({
      ...opts,
      outDir: join(dir, 'bad2'),
      skipBadRows: true,
    });
    expect(manifest.sources[0]).toMatchObject({ rowsRead: 41, records: 40, skippedBadRows: 1 });
  });
});
