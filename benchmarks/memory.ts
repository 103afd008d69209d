/**
 * Memory under two loads that used to grow without bound (issue 18):
 *
 * 1. one long-lived env doing 4,096-episode reset+step rounds, in process: heap after each
 *    block of rounds (a flat line means finished groups are pruned);
 * 2. clients that pipeline big resets and never read a byte, against a spawned `serve`: the
 *    server's resident memory (VmRSS from /proc) while they hold their sockets open.
 *
 * Run: `npx tsx --expose-gc benchmarks/memory.ts [--episodes 1000000] [--clients 12]`.
 */
import { spawn } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { makeFactRecallV0 } from '../env/factrecall-v0.ts';
import { encodeFrame } from '../protocol/codec.ts';
import { numericFlag } from './lib/flags.ts';
import { rssBytes } from './lib/rss.ts';

const EPISODES = numericFlag('episodes', 1_000_000, { min: 1 });
const CLIENTS = numericFlag('clients', 12, { min: 1 });
const PIPELINED = numericFlag('pipelined', 64, { min: 1 });
const MiB = (n: number) => (n / 2 ** 20).toFixed(0);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const out = (s: string) => process.stdout.write(s);

// ---- 1. a long-lived env -------------------------------------------------------------------
const env = makeFactRecallV0({});
const ROUND = 4096;
const rounds = Math.ceil(EPISODES / ROUND);
const marks: Array<[number, number]> = [];
gc();
marks.push([0, process.memoryUsage().heapUsed]);
for (let r = 1; r <= rounds; r++) {
  const { observations } = await env.reset({ split: 'train', batchSize: ROUND, groupSize: 1 });
  await env.step(observations.map((o) => ({ episodeId: o.episodeId, answer: 'x' })));
  if (r % Math.max(1, Math.floor(rounds / 5)) === 0 || r === rounds) {
    gc();
    marks.push([r * ROUND, process.memoryUsage().heapUsed]);
  }
}
await env.close();
out(`\none env, ${ROUND}-episode reset+step rounds (heap used after a full GC)\n\n`);
out('| episodes | heap used, MiB |\n|---:|---:|\n');
for (const [n, heap] of marks) out(`| ${n.toLocaleString('en-US')} | ${MiB(heap)} |\n`);

// ---- 2. never-reading clients --------------------------------------------------------------
const root = fileURLToPath(new URL('..', import.meta.url));
const child = spawn(
  process.execPath,
  [
    join(root, 'bin/factrecall.js'),
    'serve',
    '--port',
    '0',
    '--grpc-port',
    '0',
    '--eval-runs',
    '/dev/null',
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const url = await new Promise<string>((resolve) => {
  createInterface({ input: child.stdout! }).on('line', (l) => {
    const m = JSON.parse(l) as { event: string; ws?: string };
    if (m.event === 'listening') resolve(m.ws!);
  });
});
const rss = () => rssBytes(child.pid);
const rssBefore = rss();
const sockets: WebSocket[] = [];
for (let c = 0; c < CLIENTS; c++) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise((r) => ws.once('open', r));
  // Read the hello and make answers, then stop reading for good.
  const replies: Array<Record<string, unknown>> = [];
  const { unpack } = await import('msgpackr');
  const onMessage = (d: Buffer) => replies.push(unpack(d) as Record<string, unknown>);
  ws.on('message', onMessage);
  ws.send(
    encodeFrame({ id: 'h', type: 'hello', body: { version: 'factrecall.v1', role: 'policy' } }),
  );
  ws.send(encodeFrame({ id: 'm', type: 'make', body: { envId: 'FactRecall-v0' } }));
  while (replies.length < 2) await new Promise((r) => setTimeout(r, 10));
  const handle = (replies[1]!.body as { handle: string }).handle;
  ws.off('message', onMessage);
  (ws as unknown as { _socket: { pause(): void } })._socket.pause();
  for (let i = 0; i < PIPELINED; i++) {
    ws.send(
      encodeFrame({
        id: `r${i}`,
        type: 'reset',
        body: { handle, split: 'train', batchSize: 4096, groupSize: 1 },
      }),
    );
  }
  sockets.push(ws);
}
let peak = rss();
for (let t = 0; t < 20; t++) {
  await new Promise((r) => setTimeout(r, 500));
  peak = Math.max(peak, rss());
}
out(
  `\n${CLIENTS} clients each pipelining ${PIPELINED} resets of 4,096 episodes and never reading\n\n`,
);
out('| server RSS | MiB |\n|---|---:|\n');
out(`| before the clients | ${MiB(rssBefore)} |\n| peak over 10 s | ${MiB(peak)} |\n`);
for (const ws of sockets) ws.terminate();
child.kill('SIGTERM');
out(
  `\n(${availableParallelism()} cores shared with other work; load average ${loadavg()[0]!.toFixed(2)})\n`,
);
