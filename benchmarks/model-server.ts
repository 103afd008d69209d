/**
 * Local model server throughput: completion tokens per second of `startModelServer` on
 * SmolLM2-135M-Instruct at 1 and at P parallel requests (each request one answer of up to
 * --max-tokens tokens at temperature 0.7, fixed seeds), for each thread count. Prints the
 * ratio of parallel to single throughput beside the raw numbers. The machine's load average
 * is printed too: on a shared machine it moves every number.
 *
 *   node --import tsx benchmarks/model-server.ts [--threads 1,2] [--parallel 8] [--rounds 2] [--max-tokens 32]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startModelServer } from '../models/server.ts';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '1,2' },
    parallel: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '2' },
    'max-tokens': { type: 'string', default: '32' },
  },
});
const parallel = Number(values.parallel);
const rounds = Number(values.rounds);
const maxTokens = Number(values['max-tokens']);
const QUESTIONS = [
  'Who wrote the novel Moby-Dick?',
  'What is the capital of Australia?',
  'In which year did the Berlin Wall fall?',
  'Which planet is known as the Red Planet?',
  'Who painted the Mona Lisa?',
  'What is the chemical symbol for gold?',
  'Which country hosted the 2016 Summer Olympics?',
  'Who discovered penicillin?',
];

async function ask(baseURL: string, i: number): Promise<number> {
  const r = await fetch(`${baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'smollm2',
      messages: [{ role: 'user', content: QUESTIONS[i % QUESTIONS.length] }],
      temperature: 0.7,
      seed: i,
      max_tokens: maxTokens,
    }),
  });
  const body = (await r.json()) as { usage: { completion_tokens: number } };
  return body.usage.completion_tokens;
}

const rows: string[] = [];
for (const threads of values.threads.split(',').map(Number)) {
  const server = await startModelServer({
    model: 'smollm2',
    threads,
    sequences: parallel,
    contextSize: 512,
  });
  try {
    await ask(server.baseURL, 0); // warm-up
    const rate = async (p: number) => {
      let tokens = 0;
      const t0 = performance.now();
      for (let r = 0; r < rounds; r++) {
        const got = await Promise.all(
          Array.from({ length: p }, (_, i) => ask(server.baseURL, r * p + i)),
        );
        tokens += got.reduce((a, b) => a + b, 0);
      }
      return { tokens, perS: tokens / ((performance.now() - t0) / 1000) };
    };
    const one = await rate(1);
    const many = await rate(parallel);
    rows.push(
      `| ${threads} | ${one.perS.toFixed(1)} (${one.tokens} tok) | ${many.perS.toFixed(1)} (${many.tokens} tok) | ${(many.perS / one.perS).toFixed(2)}x | ${loadavg()[0]!.toFixed(1)} |`,
    );
  } finally {
    await server.close();
  }
}
process.stdout.write(
  `SmolLM2-135M-Instruct Q4_1, max_tokens ${maxTokens}, ${rounds} rounds\n| threads | tokens/s at 1 request | tokens/s at ${parallel} parallel | ratio | load avg (1 min) |\n|---|---|---|---|---|\n${rows.join('\n')}\n`,
);
