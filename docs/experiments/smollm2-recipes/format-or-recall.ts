/**
 * Format or recall, per question, for the SmolLM2 recipe comparison (docs/experiments/
 * smollm2-recipes.md): for each recipe's greedy val answers (greedy-after-<recipe>.jsonl) beside
 * the answers before training (greedy-before-training.jsonl), count the questions the reward
 * judge (contains) turned from wrong to right and from right to wrong, and split the
 * wrong-to-right ones by whether the answer before training already held a gold alias
 * somewhere (normalised words, any length): then the gain is the answer's form (contains pays
 * only answers of at most 10 words), not a fact the model did not say before.
 *
 *   npx tsx docs/experiments/smollm2-recipes/format-or-recall.ts <prepared val.jsonl> \
 *     <greedy-before-training.jsonl> <greedy-after-<recipe>.jsonl>...
 */
import { basename } from 'node:path';
import { goldByQuestion, holdsGold, readJsonl } from './common.ts';

interface Row {
  split: string;
  questionId: string;
  answer: string;
  rewards: Record<string, 0 | 1 | null>;
}
const [valFile, beforeFile, ...afterFiles] = process.argv.slice(2);
if (!valFile || !beforeFile || afterFiles.length === 0)
  throw new Error('usage: format-or-recall.ts <val.jsonl> <greedy before> <greedy after>...');
const gold = goldByQuestion(valFile);
const val = (f: string) =>
  new Map(
    readJsonl<Row>(f)
      .filter((r) => r.split === 'val')
      .map((r) => [r.questionId, r]),
  );
const before = val(beforeFile);
console.log(
  '| recipe | val questions | wrong → right | of which the answer before held the gold (form) | new (gold not in the answer before) | right → wrong | mean words before → after |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
const words = (m: Map<string, Row>) =>
  [...m.values()].reduce((a, r) => a + r.answer.split(/\s+/).filter(Boolean).length, 0) / m.size;
for (const f of afterFiles) {
  const after = val(f);
  let up = 0;
  let form = 0;
  let down = 0;
  for (const [id, a] of after) {
    const b = before.get(id);
    if (!b) throw new Error(`${id} has no answer before training`);
    const wasRight = b.rewards.contains === 1;
    const isRight = a.rewards.contains === 1;
    if (!wasRight && isRight) {
      up++;
      if (holdsGold(b.answer, gold.get(id) ?? [])) form++;
    }
    if (wasRight && !isRight) down++;
  }
  const name = basename(f).replace(/^greedy-after-|\.jsonl$/g, '');
  console.log(
    `| ${name} | ${after.size} | ${up} | ${form} | ${up - form} | ${down} | ${words(before).toFixed(1)} → ${words(after).toFixed(1)} |`,
  );
}
