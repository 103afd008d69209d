/**
 * Local model server throughput: completion tokens per second on SmolLM2-135M-Instruct, for
 * each serving backend (llama: node-llama-cpp on the GGUF; hf: the same weights dequantised in
 * the Python worker, batched) and thread count, side by side in one run:
 * - 1 request at a time and P parallel requests, each one greedy answer of up to --max-tokens;
 * - one request with n = --n samples (temperature 1, seeded): the pass@k case.
 * Ratios of parallel to single throughput beside the raw numbers. The machine's load average
 * is printed too: on a shared machine it moves every number.
 *
 *   node --import tsx benchmarks/model-server.ts [--engines llama,hf] [--threads 1,2] [--parallel 8] [--rounds 2] [--max-tokens 32] [--n 128]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startHfModelServer } from '../cuda-agent/coordinator/serving/start.ts';
import { type ModelServer, startModelServer } from '../models/server.ts';
import { QUESTIONS } from './lib/questions.ts';

const { values } = parseArgs({
  options: {
    engines: { type: 'string', default: 'llama,hf' },
    threads: { type: 'string', default: '1,2' },
    n: { type: 'string', default: '128' },
    parallel: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '2' },
    'max-tokens': { type: 'string', default: '32' },
  },
});
const parallel = Number(values.parallel);
const rounds = Number(values.rounds);
const maxTokens = Number(values['max-tokens']);
const nSamples = Number(values.n);

async function ask(baseURL: string, i: number, n = 1): Promise<number> {
  const r = await fetch(`${baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'smollm2',
      messages: [{ role: 'user', content: QUESTIONS[i % QUESTIONS.length] }],
      temperature: n > 1 ? 1 : 0,
      seed: i,
      n,
      max_tokens: maxTokens,
    }),
  });
  const body = (await r.json()) as { usage?: { completion_tokens: number }; error?: unknown };
  if (!body.usage) throw new Error(`request failed: ${JSON.stringify(body.error)}`);
  return body.usage.completion_tokens;
}

function start(engine: string, threads: number): Promise<ModelServer> {
  if (engine === 'hf') return startHfModelServer({ model: 'smollm2', threads, contextSize: 512 });
  return startModelServer({ model: 'smollm2', threads, sequences: parallel, contextSize: 512 });
}

const rows: string[] = [];
for (const engine of values.engines.split(','))
  for (const threads of values.threads.split(',').map(Number)) {
    const server = await start(engine, threads);
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
      const t0 = performance.now();
      const sampled = await ask(server.baseURL, 1, nSamples);
      const sampledS = (performance.now() - t0) / 1000;
      rows.push(
        `| ${engine} | ${threads} | ${one.perS.toFixed(1)} (${one.tokens} tok) | ${many.perS.toFixed(1)} (${many.tokens} tok) | ${(many.perS / one.perS).toFixed(2)}x | ${(sampled / sampledS).toFixed(1)} (${sampled} tok in ${sampledS.toFixed(1)} s) | ${loadavg()[0]!.toFixed(1)} |`,
      );
    } finally {
      await server.close();
    }
  }
process.stdout.write(
  `SmolLM2-135M-Instruct (Q4_1 GGUF; hf: dequantised to float32), max_tokens ${maxTokens}, ${rounds} rounds\n| engine | threads | tokens/s at 1 request (greedy) | tokens/s at ${parallel} parallel (greedy) | ratio | tokens/s of one request with n = ${nSamples} (T = 1) | load avg (1 min) |\n|---|---|---|---|---|---|---|\n${rows.join('\n')}\n`,
);
