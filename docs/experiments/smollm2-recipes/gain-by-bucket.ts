/**
 * Where the SmolLM2 recipes' held-out gains sit (docs/experiments/smollm2-recipes.md, claims 2
 * and 3): the 200 val questions bucketed by how often the starting model said a gold answer in
 * 128 samples (the issue-11 val run, `factrecall eval --baseline maj --samples 128`, whose
 * episodes file holds every sample), then each recipe's greedy val change (wrong to right minus
 * right to wrong) counted per bucket, and the starting model's pass@k beside each recipe's
 * greedy accuracy after. Every answer, sampled or greedy, is judged here by the current
 * `contains` (greedy answers extracted with the env's direct rule first), so the buckets and the
 * gains are under one judge. Nothing is generated.
 *
 *   npx tsx docs/experiments/smollm2-recipes/gain-by-bucket.ts <prepared val.jsonl> \
 *     <triviaqa.val.maj.s128.contains.episodes.jsonl> <greedy-before-training.jsonl> \
 *     <greedy-after-<recipe>.jsonl>...
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import {
  ACCESS_BUCKETS,
  accessBucket,
  gainByBucket,
} from '../../../cuda-agent/coordinator/analysis/access-buckets.ts';
import { extractDirect } from '../../../env/extract.ts';
import { createJudge, type JudgeItem } from '../../../judges/index.ts';
import { meanPassAtK } from '../../../lib/pass-at-k.ts';

interface Question {
  id: string;
  question: string;
  answers: string[];
}
interface GreedyRow {
  split: string;
  questionId: string;
  answer: string;
}
interface Sample {
  questionId?: string;
  status?: string;
  extracted?: string;
}
/** The env's default answer cap (env/options.ts), which the recipe run used. */
const MAX_ANSWER_CHARS = 200;

const [valFile, episodesFile, beforeFile, ...afterFiles] = process.argv.slice(2);
if (!valFile || !episodesFile || !beforeFile || afterFiles.length === 0)
  throw new Error(
    'usage: gain-by-bucket.ts <val.jsonl> <episodes.jsonl> <greedy before> <greedy after>...',
  );
const lines = <T>(f: string): T[] =>
  readFileSync(f, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
const gold = new Map(lines<Question>(valFile).map((q) => [q.id, q]));
const contains = createJudge('contains');
const item = (id: string, prediction: string): JudgeItem => {
  const q = gold.get(id);
  if (!q) throw new Error(`${id} is not in ${valFile}`);
  return { question: q.question, answers: q.answers, prediction };
};
async function judged(items: JudgeItem[]): Promise<boolean[]> {
  const vs = await contains.judge(items);
  return vs.map((v) => {
    if (v.reward === null) throw new Error('an unscored answer (judge failed)');
    return v.reward === 1;
  });
}
async function greedy(file: string): Promise<Map<string, boolean>> {
  const rows = lines<GreedyRow>(file).filter((r) => r.split === 'val');
  const ok = await judged(
    rows.map((r) => item(r.questionId, extractDirect(r.answer, MAX_ANSWER_CHARS).text)),
  );
  return new Map(rows.map((r, i) => [r.questionId, ok[i]!]));
}

// every sample of the starting model, rejudged; a sample whose generation failed is an error
// here rather than a miss (the run had none)
const samples = lines<Sample>(episodesFile).filter((s) => s.questionId !== undefined);
const bad = samples.find((s) => s.status !== 'ok' || s.extracted === undefined);
if (bad) throw new Error(`a sample without an answer: ${JSON.stringify(bad)}`);
const sampleOk = await judged(samples.map((s) => item(s.questionId!, s.extracted!)));
const counts = new Map<string, { n: number; c: number }>();
samples.forEach((s, i) => {
  const k = counts.get(s.questionId!) ?? { n: 0, c: 0 };
  k.n += 1;
  k.c += Number(sampleOk[i]);
  counts.set(s.questionId!, k);
});

const before = await greedy(beforeFile);
const missing = [...before.keys()].filter((id) => !counts.has(id));
if (missing.length > 0) throw new Error(`${missing.length} val questions have no samples`);
const n = Math.min(...[...before.keys()].map((id) => counts.get(id)!.n));
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

const ks = [1, 4, 8, 16, 32, 64, 128].filter((k) => k <= n);
const asCounts = [...before.keys()].map((id) => counts.get(id)!);
console.log(`Starting model, ${before.size} val questions x ${n} samples, contains now:\n`);
console.log(`| k | ${ks.join(' | ')} |`);
console.log(`|---|${ks.map(() => '---:').join('|')}|`);
console.log(`| pass@k before | ${ks.map((k) => pct(meanPassAtK(asCounts, k))).join(' | ')} |\n`);

const bucketOf = (id: string) => {
  const c = counts.get(id)!;
  return accessBucket(c.c, c.n, before.get(id)!);
};
console.log(
  `| recipe | greedy before | greedy after | ${ACCESS_BUCKETS.map((b) => `${b} (${[...before.keys()].filter((id) => bucketOf(id) === b).length} q)`).join(' | ')} |`,
);
console.log(`|---|---:|---:|${ACCESS_BUCKETS.map(() => '---:').join('|')}|`);
for (const file of afterFiles) {
  const after = await greedy(file);
  const rows = gainByBucket(
    [...before.keys()].map((id) => {
      const c = counts.get(id)!;
      const a = after.get(id);
      if (a === undefined) throw new Error(`${file}: no answer for ${id}`);
      return {
        questionId: id,
        correctSamples: c.c,
        samples: c.n,
        greedyBefore: before.get(id)!,
        greedyAfter: a,
      };
    }),
  );
  const acc = (m: Map<string, boolean>) => [...m.values()].filter(Boolean).length / m.size;
  const cell = (r: (typeof rows)[number]) => {
    const up = r.greedyAfter * r.questions;
    return r.questions
      ? `${r.netGain >= 0 ? '+' : ''}${r.netGain} (${Math.round(up)} right after)`
      : '–';
  };
  console.log(
    `| ${basename(file, '.jsonl').replace('greedy-after-', '')} | ${pct(acc(before))} | ${pct(acc(after))} | ${rows.map(cell).join(' | ')} |`,
  );
}
