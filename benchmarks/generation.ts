/**
 * Generation tokens/s on SmolLM2-135M-Instruct (CPU), the same prompts and sampling three ways:
 * - **worker, hf engine**: the policy worker's `generate` (what a GRPO step calls), all prompts x
 *   n samples in one call; tokens/s by the call's round trip and by the worker's own seconds
 *   (the reply's `compute_s`);
 * - **plain transformers `generate`**: `model.generate` on the same weights (the GGUF
 *   dequantised to float32, as the worker loads it), one batched call with
 *   `num_return_sequences = n` (benchmarks/plain_generate.py, in the worker's venv);
 * - **llama.cpp**: node-llama-cpp on the same GGUF (Q4_1, not dequantised), through the local
 *   OpenAI-compatible server (models/server.ts), one request of n choices per prompt, all
 *   prompts at once over `--sequences` context sequences.
 * T = 1, top-p 1, top-k off (as GRPO samples), up to --max-tokens each, one warm-up first; model
 * loading is outside every clock. Tokens: generated ids up to and including the stop token.
 *
 *   node --import tsx benchmarks/generation.ts [--prompts 8] [--n 8] [--max-tokens 32] [--threads 2] [--sequences 4] [--arms worker,plain,llama]
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WorkerClient } from '../cuda-agent/coordinator/worker-client.ts';
import type { ChatPrompt } from '../cuda-agent/coordinator/worker-types.ts';
import { extractDirect } from '../env/extract.ts';
import { REPO_ROOT } from '../lib/paths.ts';
import { fetchModel } from '../models/fetch.ts';
import { startModelServer } from '../models/server.ts';
import { dedupCounts } from './lib/group-dedup.ts';
import { QUESTIONS } from './lib/questions.ts';
import { renderTable } from './lib/table.ts';

const { values } = parseArgs({
  options: {
    prompts: { type: 'string', default: '8' },
    n: { type: 'string', default: '8' },
    'max-tokens': { type: 'string', default: '32' },
    threads: { type: 'string', default: '2' },
    sequences: { type: 'string', default: '4' },
    seed: { type: 'string', default: '0' },
    arms: { type: 'string', default: 'worker,plain,llama' },
  },
});
const nPrompts = Math.min(Number(values.prompts), QUESTIONS.length);
const n = Number(values.n);
const maxTokens = Number(values['max-tokens']);
const threads = Number(values.threads);
const seed = Number(values.seed);
const prompts: ChatPrompt[] = QUESTIONS.slice(0, nPrompts).map((q) => ({
  messages: [{ role: 'user', content: q }],
}));

interface Arm {
  arm: string;
  tokens: number;
  seconds: number;
  /** The worker's own seconds, where known. */
  inside?: number;
  /** The answers sampled, per prompt (worker arm). */
  texts?: string[][];
}

async function workerArm(gguf: string): Promise<Arm> {
  const w = await WorkerClient.start();
  try {
    await w.init({
      engine: 'hf',
      seed,
      device: 'cpu',
      threads,
      model: { path: gguf, dtype: 'auto', max_length: 512 },
    });
    await w.generate({ prompts, n: 1, max_new_tokens: 2 }); // warm-up
    const before = w.computeSeconds('generate');
    const t0 = performance.now();
    const r = await w.generate({ prompts, n, max_new_tokens: maxTokens, temperature: 1, seed });
    const seconds = (performance.now() - t0) / 1000;
    const tokens = r.results.reduce(
      (a, p) => a + p.samples.reduce((b, s) => b + s.token_ids.length, 0),
      0,
    );
    return {
      arm: 'worker, hf engine (generate)',
      tokens,
      seconds,
      inside: w.computeSeconds('generate') - before,
      texts: r.results.map((p) => p.samples.map((x) => x.text)),
    };
  } finally {
    await w.shutdown().catch(() => w.kill());
  }
}

function plainArm(gguf: string): Promise<Arm> {
  const python = join(REPO_ROOT, '.venv', 'bin', 'python');
  const req = {
    gguf,
    prompts: prompts.map((p) => p.messages),
    n,
    max_new_tokens: maxTokens,
    threads,
    seed,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(python, [join(REPO_ROOT, 'benchmarks', 'plain_generate.py')], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err = (err + d).slice(-2000);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`plain_generate.py exited ${code}: ${err}`));
      const r = JSON.parse(out.trim().split('\n').at(-1)!) as { tokens: number; seconds: number };
      resolve({ arm: 'plain transformers model.generate', tokens: r.tokens, seconds: r.seconds });
    });
    child.stdin.end(JSON.stringify(req));
  });
}

async function llamaArm(gguf: string): Promise<Arm> {
  const sequences = Number(values.sequences);
  const server = await startModelServer({
    modelPath: gguf,
    modelId: 'smollm2',
    threads,
    sequences,
    contextSize: 512,
  });
  const ask = async (p: ChatPrompt, i: number, choices: number, max: number) => {
    const r = await fetch(`${server.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'smollm2',
        messages: p.messages,
        temperature: 1,
        top_p: 1,
        seed: seed + i * 1000,
        n: choices,
        max_tokens: max,
      }),
    });
    const body = (await r.json()) as { usage?: { completion_tokens: number }; error?: unknown };
    if (!body.usage) throw new Error(`llama.cpp request failed: ${JSON.stringify(body.error)}`);
    return body.usage.completion_tokens;
  };
  try {
    await ask(prompts[0]!, 0, 1, 2); // warm-up
    const t0 = performance.now();
    const got = await Promise.all(prompts.map((p, i) => ask(p, i, n, maxTokens)));
    const seconds = (performance.now() - t0) / 1000;
    return {
      arm: `llama.cpp (node-llama-cpp, Q4_1, ${sequences} sequences)`,
      tokens: got.reduce((a, b) => a + b, 0),
      seconds,
    };
  } finally {
    await server.close();
  }
}

const fetched = await fetchModel('smollm2');
const gguf = fetched.path;
if (!existsSync(gguf)) throw new Error(`no model at ${gguf}`);
const arms: Arm[] = [];
const failures: string[] = [];
for (const [name, f] of [
  ['worker', workerArm],
  ['plain', plainArm],
  ['llama', llamaArm],
] as const) {
  if (!values.arms.split(',').includes(name)) continue;
  try {
    arms.push(await f(gguf));
  } catch (e) {
    failures.push(`${name}: ${(e as Error).message}`);
  }
}
const plain = arms.find((a) => a.arm.startsWith('plain'));
const rate = (a: Arm) => a.tokens / a.seconds;
const rows = arms.map((a) => [
  a.arm,
  String(a.tokens),
  a.seconds.toFixed(2),
  rate(a).toFixed(1),
  a.inside !== undefined ? (a.tokens / a.inside).toFixed(1) : '-',
  plain ? `${(rate(a) / rate(plain)).toFixed(2)}x` : '-',
]);
// The judge's view of these samples: each prompt's n answers are a GRPO group; how many
// distinct answers (the env's direct-prompt extraction) a judge would see with each dedup.
const texts = arms.find((a) => a.texts)?.texts;
const dedup = texts
  ? dedupCounts(
      texts.flatMap((g, i) =>
        g.map((t) => ({
          group: String(i),
          question: QUESTIONS[i]!,
          answers: [],
          prediction: extractDirect(t, 200).text,
        })),
      ),
    )
  : null;
process.stdout.write(
  `${renderTable({
    title: `SmolLM2-135M-Instruct on CPU, ${nPrompts} prompts x n = ${n} samples, T = 1, up to ${maxTokens} new tokens, ${threads} threads`,
    header: [
      'generation',
      'tokens',
      'seconds',
      'tokens/s',
      "tokens/s by the worker's own seconds",
      'x plain transformers',
    ],
    rows,
    notes: [
      `Load average (1 min) at the end: ${loadavg()[0]!.toFixed(1)}.${failures.length ? ` Failed: ${failures.join('; ')}` : ''}`,
      ...(dedup
        ? [
            `Judge calls these samples would need (the worker's, as GRPO groups of ${n}; blank answers aside): every sample ${dedup.everySample}, identical texts of a group once ${dedup.exactText}, equal normalised answers of a group once ${dedup.normalised} (${(100 * (1 - dedup.normalised / Math.max(1, dedup.everySample))).toFixed(1)}% saved).`,
          ]
        : []),
    ],
  })}\n`,
);
if (failures.length) process.exitCode = 1;
