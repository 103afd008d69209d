/**
 * Judge-client throughput: the llm judge (real openai client, StructuredClient, no cache)
 * against a Chat Completions server with a fixed latency per request, at several concurrency
 * limits, next to the ideal concurrency / latency and next to the server alone.
 *
 *   node --import tsx benchmarks/judge.ts [--latency-ms 50] [--items 3000] [--concurrency 16,64]
 *     [--rounds 2] [--servers lean,fastify] [--arms now,alone]
 *
 * Arms, in turns within each round (a burst of load hits every arm alike):
 * - **server alone**: the same request bytes posted by a bare node:http client (judge-raw.ts).
 *   Near the ideal means the server (and the loopback) is not the bound of the judge's rows.
 * - **transport alone**: the same bytes through the client's keep-alive fetch
 *   (lib/llm/http-fetch.ts), with the headers the openai client sends, each reply parsed: what
 *   the transport adds to the bare client.
 * - **judge, openai client, no socket**: the judge over a fetch that answers in this process after the same
 *   latency (judge-raw.ts inProcessFetch): its own layers (judge, StructuredClient, the openai
 *   client) with no HTTP stack. Its server column is idle.
 * - **judge, global fetch**: the client's transport before issue 12 (undici's fetch).
 * - **judge, keep-alive http**: lib/llm/http-fetch.ts as first written (a node:http request,
 *   the reply handed to the SDK as a standard streaming `Response`).
 * - **judge, now**: the client's default transport today.
 *
 * Servers run in child processes (judge-server.ts), so this process's CPU is the client's; each
 * server's own CPU per request is read from the child. `lean` is node:http; `fastify` is the
 * judge tests' server (test/support/openai-server.ts), which the issue's 71% was measured on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LlmJudge } from '../judges/llm/llm-judge.ts';
import type { JudgeItem } from '../judges/types.ts';
import { keepAliveFetch } from '../lib/llm/http-fetch.ts';
import { SqliteCache } from '../lib/llm/sqlite-cache.ts';
import { textTable } from '../lib/text-table.ts';
import { inProcessFetch, judgeRequestBody, postAll } from './judge-raw.ts';
import { type JudgeServer, serverUsage, startJudgeServer } from './lib/judge-server-process.ts';

const { values } = parseArgs({
  options: {
    'latency-ms': { type: 'string', default: '50' },
    items: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '16,64' },
    rounds: { type: 'string', default: '2' },
    servers: { type: 'string', default: 'lean,fastify' },
    /** Only the arms whose name contains one of these (comma-separated), for profiling. */
    arms: { type: 'string', default: '' },
  },
});
const latencyMs = Number(values['latency-ms']);
const total = Number(values.items);
const levels = values.concurrency.split(',').map(Number);
const rounds = Number(values.rounds);
const serverKinds = values.servers.split(',');

type Server = JudgeServer;
const startServer = (kind: string) => startJudgeServer(kind, latencyMs);
const serverCpuUs = async (s: Server) => (await serverUsage(s)).cpuUs;

type Arm = [string, (s: Server, concurrency: number, tag: string, n: number) => Promise<void>];

const tmp = mkdtempSync(join(tmpdir(), 'fr-judge-bench-'));

function judgeArm(transport: ((c: number) => typeof fetch) | undefined, cache = false) {
  return async (s: Server, concurrency: number, tag: string, n: number) => {
    const cachePath = cache ? join(tmp, `${tag.replace(/[^\w-]/g, '_')}.sqlite`) : null;
    const judge = new LlmJudge(
      { baseURL: s.baseURL, model: 'bench', cachePath, concurrency },
      transport ? { fetch: transport(concurrency) } : {},
    );
    try {
      // Distinct predictions, none a literal gold, so every item is one HTTP request.
      const items: JudgeItem[] = Array.from({ length: n }, (_, i) => ({
        question: `Benchmark question ${i}?`,
        answers: [`gold ${i}`],
        prediction: `candidate ${tag}-${i}`,
      }));
      const verdicts = await judge.judge(items);
      const failed = verdicts.filter((v) => v.status !== 'ok').length;
      if (failed > 0) throw new Error(`${failed} verdicts failed`);
    } finally {
      await judge.close();
    }
  };
}

let rawBodies: Buffer[] | undefined;
/** The headers the openai client sends with a chat request (as of openai 6.x). */
const SDK_LIKE_HEADERS = new Headers({
  accept: 'application/json',
  'content-type': 'application/json',
  'user-agent': 'OpenAI/JS 6.49.0',
  'x-stainless-retry-count': '0',
  'x-stainless-timeout': '30',
  'x-stainless-lang': 'js',
  'x-stainless-package-version': '6.49.0',
  'x-stainless-os': 'Linux',
  'x-stainless-arch': 'x64',
  'x-stainless-runtime': 'node',
  'x-stainless-runtime-version': process.version,
  authorization: 'Bearer no-key',
});
const ALL_ARMS: Arm[] = [
  [
    'server alone (bare node:http client)',
    (s, c, _tag, n) => {
      rawBodies ??= Array.from({ length: total }, (_, i) => judgeRequestBody(i));
      return postAll(s.baseURL, rawBodies.slice(0, n), c);
    },
  ],
  [
    'transport alone (keep-alive fetch, same bytes)',
    async (s, c, _tag, n) => {
      rawBodies ??= Array.from({ length: total }, (_, i) => judgeRequestBody(i));
      const f = keepAliveFetch({ maxSockets: c });
      const url = `${s.baseURL}/chat/completions`;
      let next = 0;
      const worker = async () => {
        while (next < n) {
          const body = rawBodies![next++]!;
          const res = await f(url, { method: 'POST', headers: SDK_LIKE_HEADERS, body });
          if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
          await res.json();
        }
      };
      await Promise.all(Array.from({ length: c }, worker));
    },
  ],
  ['judge, openai client, no socket (in-process reply)', judgeArm(() => inProcessFetch(latencyMs))],
  ['judge, openai client, global fetch (before)', judgeArm(() => globalThis.fetch)],
  [
    'judge, openai client, keep-alive fetch, streamed Response',
    judgeArm((c) => keepAliveFetch({ maxSockets: c, response: 'stream' })),
  ],
  [
    'judge, openai client, keep-alive fetch, buffered Response',
    judgeArm((c) => keepAliveFetch({ maxSockets: c })),
  ],
  ['judge, now (http transport, the default)', judgeArm(undefined)],
  ['judge, now, with the SQLite verdict cache', judgeArm(undefined, true)],
];

const armFilter = values.arms.split(',').filter(Boolean);
const ARMS = armFilter.length
  ? ALL_ARMS.filter(([name]) => armFilter.some((f) => name.includes(f)))
  : ALL_ARMS;

interface Rate {
  perSecond: number;
  clientCpuMs: number;
  serverCpuMs: number;
}

async function measure(arm: Arm, s: Server, concurrency: number, tag: string): Promise<Rate> {
  // A short warm-up on the same path (JIT, sockets), not timed.
  await arm[1](s, concurrency, `warm-${tag}`, Math.min(total, 4 * concurrency));
  const server0 = await serverCpuUs(s);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await arm[1](s, concurrency, tag, total);
  const cpu = process.cpuUsage(cpu0);
  const seconds = (performance.now() - t0) / 1000;
  const server1 = await serverCpuUs(s);
  return {
    perSecond: total / seconds,
    clientCpuMs: (cpu.user + cpu.system) / 1000 / total,
    serverCpuMs: (server1 - server0) / 1000 / total,
  };
}

const servers: Server[] = [];
const rows: string[][] = [];
/** Every round's rate and client CPU, by concurrency, server and arm (for the summary). */
const byArm = new Map<string, { c: number; server: string; arm: string; rates: Rate[] }>();
const hitRows: string[][] = [];
try {
  for (const kind of serverKinds) servers.push(await startServer(kind));
  for (const concurrency of levels) {
    const ideal = concurrency / (latencyMs / 1000);
    for (let r = 1; r <= rounds; r++) {
      for (const s of servers) {
        for (const arm of ARMS) {
          const v = await measure(arm, s, concurrency, `${concurrency}-${r}-${s.kind}-${arm[0]}`);
          const k = `${concurrency}\u0000${s.kind}\u0000${arm[0]}`;
          if (!byArm.has(k))
            byArm.set(k, { c: concurrency, server: s.kind, arm: arm[0], rates: [] });
          byArm.get(k)!.rates.push(v);
          rows.push([
            String(concurrency),
            String(r),
            s.kind,
            arm[0],
            v.perSecond.toFixed(0),
            `${((100 * v.perSecond) / ideal).toFixed(1)}%`,
            v.clientCpuMs.toFixed(3),
            v.serverCpuMs.toFixed(3),
          ]);
        }
      }
    }
  }
  // A cache hit's latency: the same items judged a second time by a judge on the same SQLite
  // file, one verdict at a time, beside a miss (the model asked) and a literal match (no call).
  const s = servers[0]!;
  const hitPath = join(tmp, 'hits.sqlite');
  const items: JudgeItem[] = Array.from({ length: Math.min(total, 400) }, (_, i) => ({
    question: `Hit question ${i}?`,
    answers: [`gold ${i}`],
    prediction: `candidate ${i}`,
  }));
  const timeEach = async (judge: LlmJudge, list: JudgeItem[]) => {
    const ms: number[] = [];
    for (const item of list) {
      const t = performance.now();
      const [v] = await judge.judge([item]);
      ms.push(performance.now() - t);
      if (v!.status !== 'ok') throw new Error(`verdict failed: ${v!.error?.message}`);
    }
    return ms.sort((a, b) => a - b);
  };
  const first = new LlmJudge({ baseURL: s.baseURL, model: 'bench', cachePath: hitPath });
  const misses = await timeEach(first, items);
  await first.close();
  const second = new LlmJudge({ baseURL: s.baseURL, model: 'bench', cachePath: hitPath });
  const hits = await timeEach(second, items);
  const literal = await timeEach(
    second,
    items.map((it) => ({ ...it, prediction: it.answers[0]! })),
  );
  if (second.stats.shortCircuits !== items.length) throw new Error('literal matches were asked');
  await second.close();
  const at = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
  hitRows.push(
    ...(
      [
        ['miss (the model asked, 50 ms server)', misses],
        ['cache hit (SQLite, a new judge on the file)', hits],
        ['literal gold alias (no call, no cache)', literal],
      ] as const
    ).map(([name, xs]) => [
      name,
      String(xs.length),
      at(xs, 0.5).toFixed(3),
      at(xs, 0.99).toFixed(3),
    ]),
  );
} finally {
  for (const s of servers) s.child.stdin!.end();
}

/**
 * The verdict cache's writes alone: `total` entries written one transaction each (what every
 * set did before batching) and batched (one transaction per loop turn, what it does now), in
 * turns. Event-loop ms per entry: the time the judge's loop is blocked per verdict.
 */
function cacheWrites(batched: boolean, r: number): number {
  const c = new SqliteCache(join(tmp, `writes-${batched}-${r}.sqlite`));
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    c.set('bench', `key-${i}`, { grade: 'B' });
    if (!batched) c.flush();
    else if (i % 64 === 63) c.flush(); // a loop turn's worth of verdicts
  }
  c.flush();
  const ms = (performance.now() - t0) / total;
  c.close();
  return ms;
}
const cacheRows: string[][] = [];
for (let r = 1; r <= rounds; r++) {
  const one = cacheWrites(false, r);
  const batched = cacheWrites(true, r);
  cacheRows.push([String(r), one.toFixed(4), batched.toFixed(4), `${(one / batched).toFixed(1)}x`]);
}
rmSync(tmp, { recursive: true, force: true });

const header = [
  'concurrency',
  'round',
  'server',
  'arm',
  'verdicts/s',
  'of ideal',
  'client cpu ms/verdict',
  'server cpu ms/request',
];
const table = textTable([header, ...rows], {
  align: header.map((_, i) => (i === 2 || i === 3 ? 'left' : 'right')),
});
console.log(
  `llm judge throughput, ${total} items, server latency ${latencyMs} ms, ideal = concurrency / latency (${levels.map((c) => `${c}: ${(c / (latencyMs / 1000)).toFixed(0)}/s`).join(', ')})`,
);
for (const line of table) console.log(line);

// The best round of each arm: on a shared machine a round is slowed by whatever else ran in it,
// never sped up, so the fastest round is the closest to what the code sustains (the same rule
// for every arm, the server alone included).
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const summary = [...byArm.values()].map((e) => {
  const best = Math.max(...e.rates.map((x) => x.perSecond));
  const ideal = e.c / (latencyMs / 1000);
  return [
    String(e.c),
    e.server,
    e.arm,
    best.toFixed(0),
    `${((100 * best) / ideal).toFixed(1)}%`,
    median(e.rates.map((x) => x.clientCpuMs)).toFixed(3),
  ];
});
console.log('');
console.log(`best of ${rounds} rounds per arm (median client CPU)`);
for (const line of textTable(
  [
    ['concurrency', 'server', 'arm', 'best verdicts/s', 'of ideal', 'client cpu ms/verdict'],
    ...summary,
  ],
  { align: ['right', 'left', 'left', 'right', 'right', 'right'] },
))
  console.log(line);
console.log('');
console.log(
  `verdict cache writes, ${total} entries, event-loop ms per entry (batched: 64 per transaction)`,
);
for (const line of textTable(
  [['round', 'one transaction each (before)', 'batched (now)', 'before/now'], ...cacheRows],
  { align: ['right', 'right', 'right', 'right'] },
))
  console.log(line);
console.log('');
console.log('one verdict at a time: latency of a cache hit beside a miss and a literal match');
for (const line of textTable([['verdict', 'items', 'p50 ms', 'p99 ms'], ...hitRows], {
  align: ['left', 'right', 'right', 'right'],
}))
  console.log(line);
