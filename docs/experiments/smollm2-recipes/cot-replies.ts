/**
 * What SmolLM2's CoT replies hold (docs/experiments/smollm2-recipes.md, the CoT row): of the
 * val replies in a `factrecall eval --baseline cot` episodes file, how many write the
 * "Final answer:" line the env reads, their mean length in words, how many hold a gold alias
 * somewhere (normalised words), and, on the same questions, how many of the direct greedy
 * answers before training (greedy-before-training.jsonl) hold one.
 *
 *   npx tsx docs/experiments/smollm2-recipes/cot-replies.ts <prepared val.jsonl> \
 *     <triviaqa.val.cot.s1.contains.episodes.jsonl> <greedy-before-training.jsonl>
 */
import { FINAL_ANSWER_LABEL } from '../../../env/prompts.ts';
import { goldByQuestion, holdsGold, readJsonl } from './common.ts';

const [valFile, cotFile, beforeFile] = process.argv.slice(2);
if (!valFile || !cotFile || !beforeFile)
  throw new Error('usage: cot-replies.ts <val.jsonl> <cot episodes> <greedy before>');
const gold = goldByQuestion(valFile);
const goldOf = (id: string) => {
  const g = gold.get(id);
  if (!g) throw new Error(`${id} is not a val question of ${valFile}`);
  return g;
};
// The episodes file: a header, then rows; a rerun appends, so the last ok row of a question wins.
const replies = new Map<string, { answer: string; verdict: string | null }>();
interface EpisodeRow {
  questionId: string;
  status: string;
  answer: string;
  verdict: string | null;
}
for (const r of readJsonl<EpisodeRow>(cotFile).slice(1))
  if (r.status === 'ok') replies.set(r.questionId, { answer: r.answer, verdict: r.verdict });
const before = new Map<string, string>(
  readJsonl<{ split: string; questionId: string; answer: string }>(beforeFile)
    .filter((r) => r.split === 'val')
    .map((r) => [r.questionId, r.answer]),
);
const label = FINAL_ANSWER_LABEL.toLowerCase();
let withLabel = 0;
let words = 0;
let holds = 0;
let holdsBefore = 0;
const verdicts = new Map<string, number>();
for (const [id, r] of replies) {
  if (r.answer.toLowerCase().includes(label)) withLabel++;
  words += r.answer.split(/\s+/).filter(Boolean).length;
  if (holdsGold(r.answer, goldOf(id))) holds++;
  const b = before.get(id);
  if (b === undefined) throw new Error(`${id} has no direct answer before training`);
  if (holdsGold(b, goldOf(id))) holdsBefore++;
  const v = r.verdict ?? 'none';
  verdicts.set(v, (verdicts.get(v) ?? 0) + 1);
}
const n = replies.size;
console.log(
  `| val CoT replies | with "${FINAL_ANSWER_LABEL}" | verdicts | mean words | hold a gold alias | direct answers before that hold one |`,
);
console.log('|---:|---:|---|---:|---:|---:|');
console.log(
  `| ${n} | ${withLabel} | ${[...verdicts].map(([v, c]) => `${v} ${c}`).join(', ')} | ${(words / n).toFixed(1)} | ${holds} | ${holdsBefore} |`,
);
