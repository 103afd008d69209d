/**
 * Judge-client throughput: the llm judge (real openai client, StructuredClient, no cache)
 * against the Chat Completions test server with a fixed latency per request, at several
 * concurrency limits, next to the ideal concurrency / latency.
 *
 *   node --import tsx benchmarks/judge.ts [--latency-ms 50] [--items 2000] [--concurrency 1,16,64]
 */
import { parseArgs } from 'node:util';
import { LlmJudge } from '../judges/llm/llm-judge.ts';
import type { JudgeItem } from '../judges/types.ts';
import { textTable } from '../lib/text-table.ts';
import { startOpenAiTestServer } from '../test/support/openai-server.ts';

const { values } = parseArgs({
  options: {
    'latency-ms': { type: 'string', default: '50' },
    items: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '16,64' },
  },
});
const latencyMs = Number(values['latency-ms']);
const total = Number(values.items);
const levels = values.concurrency.split(',').map(Number);

const server = await startOpenAiTestServer({ latencyMs });
const rows: string[][] = [];
try {
  for (const concurrency of levels) {
    const judge = new LlmJudge({
      baseURL: server.baseURL,
      model: 'bench',
      cachePath: null,
      concurrency,
    });
    // Distinct predictions, none an exact match, so every item is one HTTP request.
    const items: JudgeItem[] = Array.from({ length: total }, (_, i) => ({
      question: `Benchmark question ${i}?`,
      answers: [`gold ${i}`],
      prediction: `candidate ${concurrency}-${i}`,
    }));
    await judge.judge(
      items
        .slice(0, Math.min(concurrency, 64))
        .map((x) => ({ ...x, prediction: `warm ${x.prediction}` })),
    );
    const t0 = performance.now();
    const verdicts = await judge.judge(items);
    const seconds = (performance.now() - t0) / 1000;
    const failed = verdicts.filter((v) => v.status !== 'ok').length;
    const ideal = concurrency / (latencyMs / 1000);
    const rate = total / seconds;
    rows.push([
      String(concurrency),
      String(total),
      seconds.toFixed(2),
      rate.toFixed(0),
      ideal.toFixed(0),
      `${((100 * rate) / ideal).toFixed(0)}%`,
      String(failed),
    ]);
    await judge.close();
  }
} finally {
  await server.close();
}

const header = ['concurrency', 'items', 'seconds', 'verdicts/s', 'ideal/s', 'of ideal', 'failed'];
const table = textTable([header, ...rows], { align: header.map(() => 'right' as const) });
console.log(
  `llm judge throughput, test server latency ${latencyMs} ms (ideal = concurrency / latency)`,
);
for (const line of table) console.log(line);
