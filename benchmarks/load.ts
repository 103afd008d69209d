/**
 * Load: many concurrent sessions against one `factrecall serve` process, the way a crowd of
 * small clients uses it. The server runs in its own process (spawned here, WebSocket binding,
 * FactWorld default, exact judge); this process drives bare msgpack WebSocket clients so the
 * client side costs little. Phases:
 *
 * 1. storm: every session connects at once and sends hello (each either gets its hello answer,
 *    a coded refusal, or fails without a code: reset / timeout: the last must be 0);
 * 2. load, closed loop: each session makes an env, then runs `rounds` reset+step rounds of
 *    `--batch` questions x `--group` episodes back to back (default 1 x 1: single-episode
 *    rounds; the batched phase is e.g. `--sessions 200 --batch 16 --group 5`); the latency of
 *    one round (reset sent to step answered) gives p50/p99, and the throughput bounds them
 *    (Little's law: mean = sessions / rate). The server's RSS (from /proc) before the storm and
 *    with every session connected and its env made gives its memory per connection;
 * 2b. paced: each session starts a round every interval, sized so the offered load is
 *    `--paced-utilisation` (default 0.5) of the closed loop's throughput: the latency sessions
 *    that think between rounds see while the server has headroom;
 * 3. accounting: every env is closed and the server's `stats` totals are compared with what
 *    the clients were issued and answered, to the episode;
 * 4. fairness: a few clients pipeline big resets while a small client in its own process
 *    (lib/latency-probe.ts) times `stats` and `GET /healthz` (`--big-clients 0` skips it).
 *
 * Run: `npx tsx benchmarks/load.ts [--sessions 2000] [--rounds 5] [--batch 1] [--group 1]
 * [--big-clients 4] [--pipelined 16] [--paced-utilisation 0.5] [--paced-rounds 3]`
 * (prints markdown tables).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { numericFlag } from './lib/flags.ts';
import { rssBytes } from './lib/rss.ts';
import { type Msg, Peer } from './lib/ws-peer.ts';

const SESSIONS = numericFlag('sessions', 2000, { min: 1 });
const ROUNDS = numericFlag('rounds', 5, { min: 1 });
const TIMEOUT_MS = numericFlag('timeout-ms', 60_000, { min: 1 });
const BATCH = numericFlag('batch', 1, { min: 1 });
const GROUP = numericFlag('group', 1, { min: 1 });

/** Resident set of a process in MiB (NaN where there is none). */
const rssMiB = (pid: number | undefined) => rssBytes(pid) / (1024 * 1024);

async function startServer(): Promise<{
  url: string;
  pid: number | undefined;
  stop: () => Promise<void>;
}> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const evalRuns = join(mkdtempSync(join(tmpdir(), 'fr-load-')), 'eval-runs.jsonl');
  const child = spawn(
    process.execPath,
    [
      // FACTRECALL_LOAD_NODE_ARGS: extra node flags for the server (e.g. --cpu-prof).
      ...(process.env.FACTRECALL_LOAD_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      join(root, 'bin/factrecall.js'),
      'serve',
      '--port',
      '0',
      '--grpc-port',
      '0',
      '--eval-runs',
      evalRuns,
      '--limit',
      `maxConnections=${SESSIONS + 16}`,
      '--limit',
      `maxInFlightTotal=${Math.max(1024, SESSIONS * 4)}`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (l) => {
      const m = JSON.parse(l) as { event: string; ws?: string };
      if (m.event === 'listening') resolve(m.ws!);
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  return {
    url,
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;

const server = await startServer();
const rssIdle = rssMiB(server.pid);
const t0 = performance.now();

// ---- 1. storm -------------------------------------------------------------------------------
const peers = Array.from({ length: SESSIONS }, () => new Peer(server.url, TIMEOUT_MS));
const storm = { ok: 0, coded: new Map<string, number>(), uncoded: new Map<string, number>() };
const ready: Peer[] = [];
await Promise.all(
  peers.map(async (p) => {
    const opened = await p.opened();
    const r = opened
      ? await p.call('hello', { version: 'factrecall.v1', role: 'policy' })
      : { type: 'error', body: { code: p.closedWith ?? 'no handshake' } };
    if (r.type === 'hello') {
      storm.ok += 1;
      ready.push(p);
      return;
    }
    const code = String(r.body.code);
    const into = code.startsWith('FR_ERR_') ? storm.coded : storm.uncoded;
    into.set(code, (into.get(code) ?? 0) + 1);
  }),
);
const stormMs = performance.now() - t0;

// ---- 2. load --------------------------------------------------------------------------------
const latencies: number[] = [];
const client = {
  issued: 0,
  answered: 0,
  /** Issued in the fairness phase and never answered: they must end closed. */
  issuedUnanswered: 0,
  closedReported: 0,
  errors: new Map<string, number>(),
};
const noteError = (m: Msg) => {
  const code = String(m.body.code);
  client.errors.set(code, (client.errors.get(code) ?? 0) + 1);
};
const handles = new Map<Peer, string>();
await Promise.all(
  ready.map(async (p) => {
    const made = await p.call('make', { envId: 'FactRecall-v0' });
    if (made.type === 'make') handles.set(p, String(made.body.handle));
    else noteError(made);
  }),
);
const rssLoaded = rssMiB(server.pid);
/** One reset of BATCH x GROUP + its step; its latency (reset sent to step answered), or null. */
async function round(p: Peer, handle: string): Promise<number | null> {
  const start = performance.now();
  const r = await p.call('reset', { handle, split: 'train', batchSize: BATCH, groupSize: GROUP });
  if (r.type !== 'reset') {
    noteError(r);
    return null;
  }
  const obs = r.body.observations as Array<{ episodeId: string }>;
  client.issued += obs.length;
  const s = await p.call('step', {
    handle,
    actions: obs.map((o) => ({ episodeId: o.episodeId, answer: 'Paris' })),
  });
  if (s.type !== 'step') {
    noteError(s);
    return null;
  }
  client.answered += (s.body.results as unknown[]).length;
  return performance.now() - start;
}

// Closed loop: every session starts its next round as soon as the last is answered, so the
// server is saturated and (Little's law) the mean latency is sessions / throughput.
const tLoad = performance.now();
await Promise.all(
  [...handles].map(async ([p, handle]) => {
    for (let i = 0; i < ROUNDS; i++) {
      const ms = await round(p, handle);
      if (ms !== null) latencies.push(ms);
    }
  }),
);
const loadMs = performance.now() - tLoad;
const closedRoundsPerS = (latencies.length / loadMs) * 1000;

// ---- 2b. paced ------------------------------------------------------------------------------
// Real sessions think between rounds (a model generates the answer). Each session starts a
// round every `interval` ms (random phase), sized so the offered load is PACED of the
// closed-loop throughput just measured: the latency a crowd of sessions sees while the server
// has headroom. A round still running when the next is due delays it (counted as late).
const PACED = numericFlag('paced-utilisation', 0.5, { integer: false, min: 0, max: 1 });
const PACED_ROUNDS = numericFlag('paced-rounds', 3);
const paced = { latencies: [] as number[], late: 0, intervalMs: 0, ms: 0 };
if (PACED > 0 && closedRoundsPerS > 0) {
  paced.intervalMs = (handles.size / (PACED * closedRoundsPerS)) * 1000;
  const t = performance.now();
  await Promise.all(
    [...handles].map(async ([p, handle]) => {
      let due = performance.now() + Math.random() * paced.intervalMs;
      for (let i = 0; i < PACED_ROUNDS; i++) {
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        else if (i > 0) paced.late += 1;
        const ms = await round(p, handle);
        if (ms !== null) paced.latencies.push(ms);
        due += paced.intervalMs;
      }
    }),
  );
  paced.ms = performance.now() - t;
}

// ---- 3. accounting --------------------------------------------------------------------------
await Promise.all(
  [...handles].map(async ([p, handle]) => {
    const c = await p.call('close', { handle });
    if (c.type === 'close')
      client.closedReported += Number((c.body.counts as { issued: number }).issued);
    else noteError(c);
  }),
);
for (const p of peers) p.ws.terminate();

// ---- 4. fairness ----------------------------------------------------------------------------
// BIG clients each pipeline PIPELINED resets of 4,096 episodes (reading their answers) while
// one small client sends `stats` every 50 ms and /healthz is polled: their latencies.
const BIG = numericFlag('big-clients', 4);
const PIPELINED = numericFlag('pipelined', 16);
const smallLatencies: number[] = [];
const healthLatencies: number[] = [];
if (BIG > 0) {
  const bigPeers = await Promise.all(
    Array.from({ length: BIG }, async () => {
      const p = new Peer(server.url, TIMEOUT_MS);
      await p.opened();
      await p.call('hello', { version: 'factrecall.v1', role: 'policy' });
      const made = await p.call('make', { envId: 'FactRecall-v0' });
      return { p, handle: String(made.body.handle) };
    }),
  );
  // The small client runs in its own process (lib/latency-probe.ts): here, its timings would
  // include this process decoding the big clients' megabytes of responses.
  const root = fileURLToPath(new URL('.', import.meta.url));
  const probeChild = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'lib/latency-probe.ts'), '--url', server.url],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const probeLines = createInterface({ input: probeChild.stdout! });
  const probeOut: string[] = [];
  await new Promise<void>((resolve) => {
    probeLines.on('line', (l) => {
      if (l === 'ready') resolve();
      else probeOut.push(l);
    });
  });
  await Promise.all(
    bigPeers.flatMap(({ p, handle }) =>
      Array.from({ length: PIPELINED }, async () => {
        const r = await p.call('reset', { handle, split: 'train', batchSize: 4096, groupSize: 1 });
        if (r.type === 'reset')
          client.issuedUnanswered += (r.body.observations as unknown[]).length;
        else noteError(r);
      }),
    ),
  );
  const probeDone = new Promise((r) => probeChild.once('exit', r));
  probeChild.stdin!.end();
  await probeDone;
  const timed = JSON.parse(probeOut.at(-1) ?? '{"stats":[],"health":[]}') as {
    stats: number[];
    health: number[];
  };
  smallLatencies.push(...timed.stats);
  healthLatencies.push(...timed.health);
  for (const { p } of bigPeers) p.ws.terminate();
}

const probe = new Peer(server.url, TIMEOUT_MS);
await probe.opened();
await probe.call('hello', { version: 'factrecall.v1', role: 'policy' });
// Connections just terminated close their envs asynchronously: wait until none is open.
let stats: Msg;
for (;;) {
  stats = await probe.call('stats', {});
  if (stats.type !== 'stats' || Number(stats.body.openEnvs) === 0) break;
  await new Promise((r) => setTimeout(r, 100));
}
probe.ws.terminate();
await server.stop();

const totals = (stats.body.totals ?? {}) as Record<string, number>;
latencies.sort((a, b) => a - b);
const line = (k: string, v: string | number) => process.stdout.write(`| ${k} | ${v} |\n`);
process.stdout.write(
  `\nload: ${SESSIONS} WebSocket sessions, ${ROUNDS} ${BATCH * GROUP === 1 ? 'single-episode' : `batched (${BATCH} questions x ${GROUP} episodes)`} reset+step rounds each; ` +
    `server and clients in two processes on ${availableParallelism()} cores ` +
    `(a machine shared with other work: load average ${loadavg()[0]!.toFixed(2)} at the end)\n\n`,
);
process.stdout.write('| measure | value |\n|---|---:|\n');
line('sessions connected (hello answered)', `${storm.ok} / ${SESSIONS}`);
line('refused with a coded error', JSON.stringify(Object.fromEntries(storm.coded)));
line('failed without a code (reset, timeout)', JSON.stringify(Object.fromEntries(storm.uncoded)));
line('connect storm, ms', stormMs.toFixed(0));
line('rounds completed (closed loop)', latencies.length);
line(
  'closed loop: throughput, rounds/s (episodes/s)',
  `${closedRoundsPerS.toFixed(0)} (${(closedRoundsPerS * BATCH * GROUP).toFixed(0)})`,
);
line('closed loop: round latency p50, ms', pct(latencies, 50).toFixed(1));
line('closed loop: round latency p99, ms', pct(latencies, 99).toFixed(1));
line('closed loop: round latency max, ms', (latencies.at(-1) ?? NaN).toFixed(1));
line(
  "sessions / throughput (Little's law: the closed loop's mean latency), ms",
  ((handles.size / closedRoundsPerS) * 1000).toFixed(1),
);
if (paced.latencies.length > 0) {
  paced.latencies.sort((a, b) => a - b);
  line(
    'paced: offered rounds/s (share of the closed-loop throughput)',
    `${((handles.size / paced.intervalMs) * 1000).toFixed(0)} (${PACED})`,
  );
  line('paced: rounds completed / late starts', `${paced.latencies.length} / ${paced.late}`);
  line('paced: round latency p50, ms', pct(paced.latencies, 50).toFixed(1));
  line('paced: round latency p99, ms', pct(paced.latencies, 99).toFixed(1));
  line('paced: round latency max, ms', (paced.latencies.at(-1) ?? NaN).toFixed(1));
}
line('episodes issued to clients (load rounds)', client.issued);
line('episodes issued to clients (fairness, never answered)', client.issuedUnanswered);
line('episodes answered by clients', client.answered);
line('server totals issued / answered', `${totals.issued} / ${totals.answered}`);
line(
  'server totals closed / expired / open',
  `${totals.closed} / ${totals.expired} / ${totals.open}`,
);
line(
  'accounting',
  totals.issued === client.issued + client.issuedUnanswered &&
    totals.answered === client.answered &&
    totals.closed === client.issuedUnanswered &&
    totals.open === 0
    ? 'exact (server totals = client counts)'
    : 'MISMATCH',
);
line('request errors during load', JSON.stringify(Object.fromEntries(client.errors)));
line(
  'server RSS before the storm / every session connected with its env, MiB',
  `${rssIdle.toFixed(0)} / ${rssLoaded.toFixed(0)}`,
);
line(
  'server memory per connection (RSS delta / sessions with an env), KiB',
  ((1024 * (rssLoaded - rssIdle)) / Math.max(1, handles.size)).toFixed(1),
);
if (BIG > 0) {
  smallLatencies.sort((a, b) => a - b);
  healthLatencies.sort((a, b) => a - b);
  process.stdout.write(
    `\nfairness: ${BIG} clients each pipelining ${PIPELINED} resets of 4,096 episodes; meanwhile\n\n`,
  );
  process.stdout.write('| small request | samples | p50 ms | max ms |\n|---|---:|---:|---:|\n');
  for (const [name, l] of [
    ['stats (WebSocket)', smallLatencies],
    ['GET /healthz', healthLatencies],
  ] as const) {
    process.stdout.write(
      `| ${name} | ${l.length} | ${pct(l, 50).toFixed(0)} | ${(l.at(-1) ?? NaN).toFixed(0)} |\n`,
    );
  }
}
