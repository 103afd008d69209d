/**
 * Candidate retrieval for fact-level dedup: 10,000 train x 3,610 test questions, indexed
 * (minisearch BM25+, plus answer sharers) against a brute-force scorer that computes the same
 * BM25+ for every (test, train) pair. Prints a table with the ratio and the top-k agreement.
 *
 * Only NQ-open's 3,610 dev questions exist on this machine, so they are the test side; the
 * train side is the first 10,000 TriviaQA questions (a real question distribution, not NQ's).
 *
 *   npx tsx benchmarks/retrieval.ts [--train 10000] [--top-k 10]
 */
import { cpus } from 'node:os';
import { loadSharedDataset } from '../env/datasets/index.ts';
import { CandidateIndex } from '../env/splits/retrieval.ts';
import { textTable } from '../lib/text-table.ts';
import { BruteForceBm25 } from '../test/support/bm25-reference.ts';
import { numericFlag } from './lib/flags.ts';

const trainSize = numericFlag('train', 10_000, { min: 1 });
const topK = numericFlag('top-k', 10, { min: 1 });
const answerK = 5;

const train = (await loadSharedDataset('triviaqa')).records.slice(0, trainSize);
const test = (await loadSharedDataset('nq_open')).records;

let t = performance.now();
const index = CandidateIndex.build(train);
const buildMs = performance.now() - t;
t = performance.now();
let candidates = 0;
const fastTop: number[][] = [];
for (const q of test) {
  const found = index.candidates(q, { topK, answerK });
  candidates += found.length;
  // Lexical hits come first (via lexical or both); answer-only sharers follow.
  fastTop.push(found.filter((c) => c.via !== 'answer').map((c) => c.trainIndex));
}
const queryMs = performance.now() - t;

t = performance.now();
const brute = new BruteForceBm25(train.map((r) => r.question));
const bruteBuildMs = performance.now() - t;
t = performance.now();
let agree = 0;
let total = 0;
test.forEach((q, i) => {
  const top = brute.topK(q.question, topK);
  const fast = new Set(fastTop[i]);
  total += top.length;
  for (const h of top) if (fast.has(h.trainIndex)) agree++;
});
const bruteMs = performance.now() - t;

const indexed = buildMs + queryMs;
const bruteTotal = bruteBuildMs + bruteMs;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const rows = [
  ['method', 'build', 'query', 'total', 'per test question'],
  [
    'indexed (minisearch BM25+ + answers)',
    s(buildMs),
    s(queryMs),
    s(indexed),
    `${(queryMs / test.length).toFixed(2)} ms`,
  ],
  [
    'brute force, every pair',
    s(bruteBuildMs),
    s(bruteMs),
    s(bruteTotal),
    `${(bruteMs / test.length).toFixed(2)} ms`,
  ],
];
console.log(
  `retrieval: ${train.length} train (TriviaQA dev questions standing in for a train set) x ${test.length} test (NQ-open dev), top-k ${topK}, answer-k ${answerK}, ${cpus().length} cores, node ${process.version}`,
);
for (const line of textTable(rows, { markdown: true })) console.log(line);
console.log(
  `speed-up: ${(bruteTotal / indexed).toFixed(1)}x; lexical top-${topK} agreement with brute force: ${((100 * agree) / total).toFixed(2)}% (${agree}/${total}, the rest are ties of equal score); ${candidates} candidates in all`,
);
