/**
 * Judge-client throughput: the llm judge (real openai client, StructuredClient, no cache)
 * against the Chat Completions test server with a fixed latency per request, at several
 * concurrency limits, next to the ideal concurrency / latency, for two HTTP transports side by
 * side: the platform's global fetch (what the client used before) and the keep-alive node:http
 * transport that is now its default (lib/llm/http-fetch.ts). The server replies with a fixed
 * verdict and runs in a child process (judge-server.ts), so what is measured is the client, not
 * the test server.
 *
 *   node --import tsx benchmarks/judge.ts [--latency-ms 50] [--items 3000] [--concurrency 16,64] [--rounds 2]
 *
 * Rounds alternate the transports, so a busy machine slows both alike; the table gives each
 * round and the ratio of the rates. On a shared machine the wall-clock rate says more about the
 * neighbours than the client, so it also gives the client process's CPU per verdict and the
 * share of the ideal one idle core at that cost sustains: min(ideal, 1000 / cpu ms) / ideal.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LlmJudge } from '../judges/llm/llm-judge.ts';
import type { JudgeItem } from '../judges/types.ts';
import { keepAliveFetch } from '../lib/llm/http-fetch.ts';
import { textTable } from '../lib/text-table.ts';

const { values } = parseArgs({
  options: {
    'latency-ms': { type: 'string', default: '50' },
    items: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '16,64' },
    rounds: { type: 'string', default: '2' },
  },
});
const latencyMs = Number(values['latency-ms']);
const total = Number(values.items);
const levels = values.concurrency.split(',').map(Number);
const rounds = Number(values.rounds);

const TRANSPORTS: ReadonlyArray<[string, (concurrency: number) => typeof fetch]> = [
  ['global fetch (before)', () => globalThis.fetch],
  ['keep-alive http (now)', (c) => keepAliveFetch({ maxSockets: c })],
];

// The server runs in a child process (judge-server.ts): this process's CPU is the client's.
const child = spawn(
  process.execPath,
  ['--import', 'tsx', join(import.meta.dirname, 'judge-server.ts'), String(latencyMs)],
  {
    stdio: ['pipe', 'pipe', 'inherit'],
  },
);
const baseURL = await new Promise<string>((resolve, reject) => {
  child.once('error', reject);
  child.once('exit', (code) => reject(new Error(`test server exited with ${code}`)));
  child.stdout!.once('data', (d: Buffer) => resolve(d.toString().split('\n')[0]!.trim()));
});
const server = { baseURL, close: async () => void child.stdin!.end() };

interface Rate {
  /** Verdicts per wall-clock second. */
  perSecond: number;
  /** CPU of this process (client and in-process server) per verdict, ms. */
  cpuMs: number;
}

async function rate(concurrency: number, transport: typeof fetch, tag: string): Promise<Rate> {
  const judge = new LlmJudge(
    { baseURL: server.baseURL, model: 'bench', cachePath: null, concurrency },
    { fetch: transport },
  );
  try {
    // Distinct predictions, none a literal gold, so every item is one HTTP request.
    const items: JudgeItem[] = Array.from({ length: total }, (_, i) => ({
      question: `Benchmark question ${i}?`,
      answers: [`gold ${i}`],
      prediction: `candidate ${tag}-${i}`,
    }));
    await judge.judge(
      items.slice(0, concurrency).map((x) => ({ ...x, prediction: `warm ${x.prediction}` })),
    );
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const verdicts = await judge.judge(items);
    const cpu = process.cpuUsage(cpu0);
    const seconds = (performance.now() - t0) / 1000;
    const failed = verdicts.filter((v) => v.status !== 'ok').length;
    if (failed > 0) throw new Error(`${failed} verdicts failed`);
    return { perSecond: total / seconds, cpuMs: (cpu.user + cpu.system) / 1000 / total };
  } finally {
    await judge.close();
  }
}

const rows: string[][] = [];
try {
  for (const concurrency of levels) {
    const ideal = concurrency / (latencyMs / 1000);
    for (let r = 1; r <= rounds; r++) {
      const rates: Rate[] = [];
      for (const [name, make] of TRANSPORTS) {
        const v = await rate(concurrency, make(concurrency), `${concurrency}-${r}-${name}`);
        rates.push(v);
        // One core at cpuMs per verdict sustains 1000 / cpuMs verdicts/s: the bound on an idle
        // machine is min(ideal, that).
        const idle = Math.min(ideal, 1000 / v.cpuMs);
        rows.push([
          String(concurrency),
          String(r),
          name,
          v.perSecond.toFixed(0),
          `${((100 * v.perSecond) / ideal).toFixed(0)}%`,
          v.cpuMs.toFixed(3),
          `${((100 * idle) / ideal).toFixed(0)}%`,
          rates.length === 2 ? `${(rates[1]!.perSecond / rates[0]!.perSecond).toFixed(2)}x` : '',
          rates.length === 2 ? `${(rates[0]!.cpuMs / rates[1]!.cpuMs).toFixed(2)}x` : '',
        ]);
      }
    }
  }
} finally {
  await server.close();
}

const header = [
  'concurrency',
  'round',
  'transport',
  'verdicts/s',
  'of ideal',
  'cpu ms/verdict',
  'of ideal on 1 idle core',
  'rate now/before',
  'cpu before/now',
];
const table = textTable([header, ...rows], { align: header.map(() => 'right' as const) });
console.log(
  `llm judge throughput, ${total} items, test server latency ${latencyMs} ms, ideal = concurrency / latency (${levels.map((c) => `${c}: ${(c / (latencyMs / 1000)).toFixed(0)}/s`).join(', ')})`,
);
for (const line of table) console.log(line);
