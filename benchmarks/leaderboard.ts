/**
 * Leaderboard scoring throughput with the exact judge on the real SimpleQA test split: N
 * uploads (each every question of the split) through the HTTP API (fastify inject), from the
 * first POST until every one is scored, committed to SQLite (WAL, synchronous FULL). Prints
 * the upload+validation time, the scoring time, and submissions / predictions per second,
 * beside the exact judge alone on the same items (no server, no database) for the ratio.
 *
 *   npx factrecall data prepare --dataset simpleqa     # once
 *   node --import tsx benchmarks/leaderboard.ts [--submissions 20] [--splits simpleqa] [--chunk 500]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ExactJudge, type Judge } from '../judges/index.ts';
import { createLeaderboard } from '../leaderboard/server.ts';

const { values } = parseArgs({
  options: {
    submissions: { type: 'string', default: '20' },
    splits: { type: 'string', default: 'simpleqa' },
    chunk: { type: 'string', default: '500' },
  },
});
const n = Number(values.submissions);
const dir = await mkdtemp(join(tmpdir(), 'fr-board-bench-'));
// The exact judge behind a gate, so uploads and scoring are timed apart: the scorer waits at
// its first chunk until every upload is in.
const exact = new ExactJudge();
let open: () => void = () => {};
const gate = new Promise<void>((r) => {
  open = r;
});
const gated: Judge = {
  id: exact.id,
  fingerprint: exact.fingerprint,
  judge: async (items) => {
    await gate;
    return exact.judge(items);
  },
};
const board = await createLeaderboard(
  {
    dbPath: join(dir, 'board.sqlite'),
    splits: [values.splits],
    quota: n + 1,
    rateLimitPerMinute: 1_000_000,
    scoreChunk: Number(values.chunk),
  },
  { judge: gated },
);
try {
  const split = [...board.splits.values()][0]!;
  const records = [...split.records.values()];
  board.store.createTeam('bench');
  const token = board.store.createToken('bench').token;
  // Every third answer right, the rest wrong: both verdicts, no shortcut.
  const files = Array.from({ length: n }, (_, s) =>
    records
      .map((r, i) =>
        JSON.stringify({ id: r.id, answer: (i + s) % 3 ? `wrong ${i}` : r.answers[0] }),
      )
      .join('\n'),
  );
  const t0 = performance.now();
  for (const predictions of files) {
    const res = await board.app.inject({
      method: 'POST',
      url: '/v1/submissions',
      headers: { authorization: `Bearer ${token}` },
      payload: { dataset: split.dataset, model: { name: 'bench' }, predictions },
    });
    if (res.statusCode !== 202) throw new Error(res.body);
  }
  const t1 = performance.now();
  open();
  await board.scorer.idle();
  const t2 = performance.now();
  const scored = board.store.allSubmissions().filter((s) => s.state === 'scored').length;

  const judge = new ExactJudge();
  const items = records.map((r, i) => ({
    question: r.question,
    answers: r.answers,
    prediction: i % 3 ? `wrong ${i}` : r.answers[0]!,
  }));
  const j0 = performance.now();
  for (let s = 0; s < n; s++) await judge.judge(items);
  const j1 = performance.now();

  const preds = n * records.length;
  const sec = (ms: number) => ms / 1000;
  console.log(
    `${split.dataset} test split: ${records.length} questions, ${n} submissions, ${scored} scored, chunk ${values.chunk}`,
  );
  console.log('| stage | seconds | submissions/s | predictions/s |');
  console.log('|---|---:|---:|---:|');
  const row = (name: string, ms: number) =>
    console.log(
      `| ${name} | ${sec(ms).toFixed(2)} | ${(n / sec(ms)).toFixed(1)} | ${Math.round(preds / sec(ms))} |`,
    );
  row('upload + validate (POST, 202)', t1 - t0);
  row('scoring (judge + SQLite commits)', t2 - t1);
  row('end to end', t2 - t0);
  row('exact judge alone (no server, no DB)', j1 - j0);
  console.log(`scoring / judge-alone time: ${((t2 - t1) / (j1 - j0)).toFixed(1)}x`);
} finally {
  await board.close();
  await rm(dir, { recursive: true, force: true });
}
