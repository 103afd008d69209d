/**
 * The SmolLM2 recipe comparison under the current judges (docs/experiments/smollm2-recipes.md):
 * the committed greedy answers (greedy-<when>.jsonl, the model's raw text) extracted with the
 * env's direct rule and judged again by `exact` and `contains` as they are now, beside the
 * rewards the run stored (its judges' versions then: exact v1 and contains v3 for the first
 * run). Nothing is generated again. Golds come from
 * the prepared val and test splits, so an answer whose question is missing there is an error,
 * not a 0.
 *
 *   npx tsx docs/experiments/smollm2-recipes/rescore.ts <prepared dir> <greedy-*.jsonl>...
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { extractDirect } from '../../../env/extract.ts';
import { createJudge, type JudgeItem } from '../../../judges/index.ts';

interface Row {
  split: 'val' | 'test';
  questionId: string;
  question: string;
  answer: string;
  rewards: Record<string, 0 | 1 | null>;
}
interface Question {
  id: string;
  question: string;
  answers: string[];
}
/** The env's default answer cap (env/options.ts), which the run used. */
const MAX_ANSWER_CHARS = 200;

const [preparedDir, ...files] = process.argv.slice(2);
if (!preparedDir || files.length === 0)
  throw new Error('usage: rescore.ts <prepared dir> <greedy-*.jsonl>...');
const lines = <T>(f: string): T[] =>
  readFileSync(f, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
const golds = new Map<string, Question>();
for (const split of ['val', 'test'])
  for (const q of lines<Question>(join(preparedDir, `${split}.jsonl`))) golds.set(q.id, q);

const exact = createJudge('exact');
const contains = createJudge('contains');
const pct = (c: number, n: number) => `${((100 * c) / n).toFixed(1)}% (${c})`;

console.log('| answers | split | n | contains now | contains stored | exact now | exact stored |');
console.log('|---|---|---:|---:|---:|---:|---:|');
for (const file of files) {
  const rows = lines<Row>(file);
  for (const split of ['val', 'test'] as const) {
    const mine = rows.filter((r) => r.split === split);
    const items: JudgeItem[] = mine.map((r) => {
      const q = golds.get(r.questionId);
      if (!q) throw new Error(`${file}: ${r.questionId} is not in ${preparedDir}`);
      return {
        question: q.question,
        answers: q.answers,
        prediction: extractDirect(r.answer, MAX_ANSWER_CHARS).text,
      };
    });
    const [e, c] = await Promise.all([exact.judge(items), contains.judge(items)]);
    const count = (vs: { reward: 0 | 1 | null }[]) => {
      if (vs.some((v) => v.reward === null)) throw new Error(`${file}: an unscored answer`);
      return vs.filter((v) => v.reward === 1).length;
    };
    // test answers went through the eval role, which keeps per-answer rewards on the server:
    // their stored rewards are null, and the server's count is in results.json
    const stored = (j: string) =>
      mine.some((r) => r.rewards[j] === null)
        ? '–'
        : pct(mine.filter((r) => r.rewards[j] === 1).length, mine.length);
    const n = mine.length;
    console.log(
      `| ${basename(file, '.jsonl')} | ${split} | ${n} | ${pct(count(c), n)} | ${stored('contains')} | ${pct(count(e), n)} | ${stored('exact')} |`,
    );
    // the answers whose verdict changed, so that each change can be read
    mine.forEach((r, i) => {
      const now = { contains: c[i]!.reward, exact: e[i]!.reward };
      for (const j of ['contains', 'exact'] as const)
        if (r.rewards[j] !== null && now[j] !== r.rewards[j])
          console.error(
            `${basename(file)} ${split} ${j}: ${r.rewards[j]} -> ${now[j]}  ${JSON.stringify(items[i]!.prediction)} for ${JSON.stringify(r.question)}`,
          );
    });
  }
}
