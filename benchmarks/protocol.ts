/**
 * Protocol throughput: episodes per second for a batched reset + step of 128 questions x 5
 * (640 episodes) on FactRecall-v0 (FactWorld default, exact judge), in process and over each
 * binding of a local `serve` (same process, 127.0.0.1). Run: `npx tsx benchmarks/protocol.ts [rounds]`.
 */
import { make } from '../env/registry.ts';
import type { EnvApi } from '../env/types.ts';
import { FactRecallClient } from '../protocol/client/client.ts';
import { envRegistry } from '../protocol/env-registry.ts';
import { serve } from '../protocol/server.ts';

const B = 128;
const N = 5;
const rounds = Number(process.argv[2] ?? 30);

async function measure(env: EnvApi): Promise<{ eps: number; msPerRound: number }> {
  const round = async () => {
    const { observations } = await env.reset({ split: 'train', batchSize: B, groupSize: N });
    await env.step(observations.map((o) => ({ episodeId: o.episodeId, answer: 'Paris' })));
  };
  for (let i = 0; i < 3; i++) await round(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) await round();
  const ms = performance.now() - t0;
  return { eps: (rounds * B * N) / (ms / 1000), msPerRound: ms / rounds };
}

const rows: Array<[string, { eps: number; msPerRound: number }]> = [];
const local = await make('FactRecall-v0', {});
rows.push(['in process (no wire)', await measure(local)]);
await local.close();

const server = await serve({ registry: envRegistry(), tokens: null, evalRunsPath: '/dev/null' });
for (const [name, url] of [
  ['WebSocket + msgpack', server.wsUrl],
  ['gRPC Session stream', `grpc://${server.grpcAddress}`],
] as const) {
  const client = await FactRecallClient.connect(url, { role: 'policy' });
  const env = await client.make('FactRecall-v0');
  rows.push([name, await measure(env)]);
  await env.close();
  client.close();
}
await server.close();

process.stdout.write(
  `\nbatched reset+step, ${B} questions x ${N} = ${B * N} episodes, ${rounds} rounds\n\n`,
);
process.stdout.write('| binding | episodes/s | ms per reset+step |\n|---|---:|---:|\n');
for (const [name, r] of rows) {
  process.stdout.write(
    `| ${name} | ${Math.round(r.eps).toLocaleString('en-US')} | ${r.msPerRound.toFixed(1)} |\n`,
  );
}
