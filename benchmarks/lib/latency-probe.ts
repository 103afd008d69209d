/**
 * A small client in its own process, timing `stats` over WebSocket and `GET /healthz` every
 * `--every-ms` until its stdin closes, then printing `{stats: ms[], health: ms[]}` as JSON.
 * The load benchmark runs it beside clients that pipeline big requests: in their process its
 * timings would include their own decoding of megabytes of responses, not the server's delay.
 *
 * Run: `node --import tsx benchmarks/lib/latency-probe.ts --url ws://... [--every-ms 50]`
 */
import { numericFlag, stringFlag } from './flags.ts';
import { Peer } from './ws-peer.ts';

const url = stringFlag('url', '');
const everyMs = numericFlag('every-ms', 50, { min: 1 });
const httpBase = url.replace('ws://', 'http://').replace(/\/v1\/ws$/, '');

let stop = false;
process.stdin.on('end', () => {
  stop = true;
});
process.stdin.resume();

const p = new Peer(url);
await p.opened();
await p.call('hello', { version: 'factrecall.v1', role: 'policy' });
process.stdout.write('ready\n');
const stats: number[] = [];
const health: number[] = [];
while (!stop) {
  const t = performance.now();
  const r = await p.call('stats', {});
  if (r.type === 'stats') stats.push(performance.now() - t);
  const h = performance.now();
  if ((await fetch(`${httpBase}/healthz`)).ok) health.push(performance.now() - h);
  await new Promise((r) => setTimeout(r, everyMs));
}
p.ws.terminate();
process.stdout.write(`${JSON.stringify({ stats, health })}\n`);
