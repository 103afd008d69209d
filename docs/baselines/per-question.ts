/**
 * Per question, for the sampled val runs of docs/baselines/smollm2.md: how many of each
 * question's samples each judge paid, the questions ever paid (pass@128 counts them), and the
 * answer paid most often, from the episodes files `factrecall eval` keeps; the questions whose
 * majority answer over all samples is right (maj@n, by the eval's own vote: majorityCorrect).
 * Also the share of samples the judge read as not attempted, and the failures (judge,
 * generation), which the report's table counts too.
 *
 *   npx tsx docs/baselines/per-question.ts runs/baselines/smollm2-hf/triviaqa.val.maj.s128.{exact,contains}.episodes.jsonl
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type EpisodeRow, majorityCorrect } from '../../agents/eval/metrics.ts';

/** One question's samples, and how often each paid answer came. */
interface Question {
  question: string;
  paid: Map<string, number>;
  rows: EpisodeRow[];
}

const files = process.argv.slice(2);
if (files.length === 0) throw new Error('usage: per-question.ts <episodes.jsonl>...');
for (const file of files) {
  const rows = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as EpisodeRow)
    .filter((r) => r.questionId !== undefined); // the first line is the file's header
  const byQuestion = new Map<string, Question>();
  let notAttempted = 0;
  let failed = 0;
  for (const r of rows) {
    const q: Question = byQuestion.get(r.questionId) ?? {
      question: r.question,
      paid: new Map(),
      rows: [],
    };
    byQuestion.set(r.questionId, q);
    q.rows.push(r);
    if (r.status !== 'ok') failed++;
    if (r.verdict === 'not_attempted') notAttempted++;
    if (r.reward === 1) q.paid.set(r.answer ?? '', (q.paid.get(r.answer ?? '') ?? 0) + 1);
  }
  const ever = [...byQuestion.values()]
    .map((q) => ({ ...q, total: [...q.paid.values()].reduce((a, b) => a + b, 0) }))
    .filter((q) => q.total > 0)
    .sort((a, b) => b.total - a.total);
  console.log(
    `${basename(file)}: ${byQuestion.size} questions, ${rows.length} samples, ${ever.reduce((a, q) => a + q.total, 0)} paid, ${ever.length} questions ever paid, not attempted ${notAttempted} (${((100 * notAttempted) / rows.length).toFixed(1)}%), failed ${failed}`,
  );
  for (const q of ever) {
    const [top, count] = [...q.paid.entries()].sort((a, b) => b[1] - a[1])[0]!;
    console.log(
      `  ${q.total}/${q.rows.length}  ${q.question}  (most paid: ${JSON.stringify(top)} x${count})`,
    );
  }
  const majority = [...byQuestion.values()].filter((q) =>
    majorityCorrect(q.rows.filter((r) => r.reward !== null).sort((a, b) => a.index - b.index)),
  );
  console.log(`  majority answer right (maj@n): ${majority.length}`);
  for (const q of majority) console.log(`    ${q.question}`);
}
