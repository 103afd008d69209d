/**
 * How often a prepared dataset's question spells out one of its own gold aliases, and what a
 * policy that only copies words of the question is paid by `exact`, with every alias a gold
 * (exact v1) and with judges/restated.ts's payable aliases (exact v2). Reads
 * .cache/prepared/<dataset>/{train,val,test}.jsonl (`factrecall data prepare`); writes a
 * table to stdout. Run:  npx tsx judges/eval/restated-count.ts [prepared-dir] [--list]
 * (--list also prints every question whose golds change, to stderr).
 *
 * "best copy" is an upper bound for any copying policy: a question counts when some run of its
 * normalised words is paid. "quoted" is the cheapest such policy: answer the first span the
 * question puts in quotes ('Comedo', "Good to the last drop").
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exactLabel, memoizedNormalize } from '../exact.ts';
import { wordsOf } from '../normalize.ts';
import { payableAnswers } from '../restated.ts';

const DATASETS = ['triviaqa', 'nq_open', 'popqa', 'simpleqa'];
const SPLITS = ['train', 'val', 'test'];
/** Longest run of question words tried as a copied answer (aliases are rarely longer). */
const MAX_RUN = 8;
const QUOTED = /['\u2018"\u201c]([^'\u2019"\u201d]{2,60})['\u2019"\u201d]/;

interface Row {
  question: string;
  answers: string[];
}

const normalize = memoizedNormalize();

/** exact v1: any alias, whatever the question says. */
const paidV1 = (r: Row, prediction: string) => {
  const p = normalize(prediction);
  return p !== '' && r.answers.some((a) => normalize(a) === p);
};
const paidV2 = (r: Row, prediction: string) =>
  exactLabel({ ...r, prediction }, normalize) === 'correct';

function runs(question: string): string[] {
  const w = wordsOf(normalize(question));
  const out: string[] = [];
  for (let i = 0; i < w.length; i++) {
    for (let n = 1; n <= MAX_RUN && i + n <= w.length; n++) out.push(w.slice(i, i + n).join(' '));
  }
  return out;
}

function count(rows: readonly Row[], split: string, list: boolean, dataset: string) {
  const c = { questions: rows.length, changed: 0, bestV1: 0, bestV2: 0, quotedV1: 0, quotedV2: 0 };
  for (const r of rows) {
    const payable = payableAnswers(r.question, r.answers, normalize);
    if (payable.length !== r.answers.length) {
      c.changed++;
      if (list) {
        const dropped = r.answers.filter((a) => !payable.includes(a));
        process.stderr.write(`${dataset}/${split}\t${r.question}\t${JSON.stringify(dropped)}\n`);
      }
    }
    const copies = runs(r.question);
    if (copies.some((p) => paidV1(r, p))) c.bestV1++;
    if (copies.some((p) => paidV2(r, p))) c.bestV2++;
    const quoted = QUOTED.exec(r.question)?.[1];
    if (quoted !== undefined && paidV1(r, quoted)) c.quotedV1++;
    if (quoted !== undefined && paidV2(r, quoted)) c.quotedV2++;
  }
  return c;
}

const pct = (n: number, d: number) => `${n} (${((100 * n) / Math.max(d, 1)).toFixed(2)}%)`;

function main(argv: string[]): void {
  const list = argv.includes('--list');
  const dir = argv.find((a) => !a.startsWith('--')) ?? '.cache/prepared';
  console.log(
    '| dataset | split | questions | golds change | best copy, v1 | best copy, v2 | quoted span, v1 | quoted span, v2 |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const dataset of DATASETS) {
    for (const split of SPLITS) {
      const file = join(dir, dataset, `${split}.jsonl`);
      if (!existsSync(file)) continue;
      const rows = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Row);
      const c = count(rows, split, list, dataset);
      const q = c.questions;
      console.log(
        `| ${dataset} | ${split} | ${q} | ${pct(c.changed, q)} | ${pct(c.bestV1, q)} | ${pct(c.bestV2, q)} | ${pct(c.quotedV1, q)} | ${pct(c.quotedV2, q)} |`,
      );
    }
  }
}

main(process.argv.slice(2));
