/**
 * Protocol throughput and latency, side by side in one process: batched reset + step of
 * 128 questions x 5 (640 episodes, FactWorld, exact judge) in process, over WebSocket+msgpack,
 * the gRPC Session stream and gRPC unary calls of a local `serve`; beside each binding its echo
 * ceiling (the same frames over the same transport, no env) and the HTTP/JSON
 * one-request-per-episode baseline; the in-process env with the exact judge before and after
 * its normalisation memo and with a no-op judge (the env alone). Then single-episode round
 * trips (batch 1, group 1) at low load, latencies from HDR histograms.
 *
 *   node --import tsx benchmarks/protocol.ts [--quick]
 */
import { fileURLToPath } from 'node:url';
import { make } from '../env/registry.ts';
import { exactLabel } from '../judges/exact.ts';
import type { Judge } from '../judges/types.ts';
import { judgeEach } from '../judges/verdicts.ts';
import { fingerprintOf } from '../lib/hash.ts';
import { FactRecallClient } from '../protocol/client/client.ts';
import { envRegistry } from '../protocol/env-registry.ts';
import { serve } from '../protocol/server.ts';
import { summarize } from './lib/hdr.ts';
import type { BenchResult } from './lib/result.ts';
import { int, ms, ratio, renderTable, type Table } from './lib/table.ts';
import {
  envRound,
  interleave,
  type Measured,
  measureEnv,
  type Stepper,
  type Workload,
} from './transport/drive.ts';
import { type Echo, grpcStreamEcho, grpcUnaryEcho, wsEcho } from './transport/echo.ts';
import { captureFrames, type Exchange, exchangeBytes } from './transport/frames.ts';
import { httpJsonBaseline } from './transport/http-json.ts';
import { openUnaryEnv } from './transport/unary.ts';

const B = 128;
const N = 5;
const ENV = 'FactRecall-v0';

/** The exact judge as it was before the memo: every alias normalised on every item. */
const unmemoisedExact = (): Judge => ({
  id: 'exact',
  fingerprint: fingerprintOf({ id: 'exact-unmemoised' }),
  judge: async (items) => judgeEach('exact', items, undefined, (i) => exactLabel(i)),
});
/** A judge that does no work (every answer correct): what is left is the env itself. */
const noopJudge = (): Judge => ({
  id: 'noop',
  fingerprint: fingerprintOf({ id: 'noop' }),
  judge: async (items) => judgeEach('noop', items, undefined, () => 'correct'),
});

interface Row {
  name: string;
  env: Measured;
  echo?: Measured;
  bytes?: number;
}

export async function run(opts: { quick: boolean }): Promise<BenchResult> {
  const t0 = performance.now();
  const batched: Workload = { batch: B, group: N, rounds: opts.quick ? 8 : 40, warmup: 3 };
  const single: Workload = { batch: 1, group: 1, rounds: opts.quick ? 300 : 3000, warmup: 50 };
  const httpRounds = { batch: 16, group: N, rounds: opts.quick ? 2 : 6, warmup: 1 };

  const local = async (judge?: Judge) => make(ENV, judge ? { judge } : {});
  // In process: the three judges in turns, so the before/after ratio shares the machine's load.
  const names = [
    'in process, exact judge (normalisation memo, now)',
    'in process, exact judge without the memo (before)',
    'in process, no-op judge (the env alone)',
  ];
  const envs = [await local(), await local(unmemoisedExact()), await local(noopJudge())];
  const measuredIn = await interleave(
    envs.map((e) => envRound(e, batched)),
    batched,
    B * N,
  );
  const inProc: Array<[string, Measured]> = names.map((n, i) => [n, measuredIn[i]!]);
  // Frames of a real exchange, batched and single, for the echo ceilings.
  const framesB = await captureFrames(envs[0]!, B, N);
  const frames1 = await captureFrames(envs[0]!, 1, 1);
  const singles: Array<[string, Measured]> = [['in process', await measureEnv(envs[0]!, single)]];
  for (const e of envs) await e.close();

  const server = await serve({ registry: envRegistry(), tokens: null, evalRunsPath: '/dev/null' });
  const rows: Row[] = [];
  try {
    const bindings: Array<{
      name: string;
      open: () => Promise<Stepper & { close(): Promise<void> }>;
      echo: (f: typeof framesB) => Promise<Echo>;
      pick: (f: typeof framesB) => Exchange;
    }> = [
      {
        name: 'WebSocket + msgpack',
        open: () => remote(server.wsUrl),
        echo: (f) => wsEcho(f.ws),
        pick: (f) => f.ws,
      },
      {
        name: 'gRPC Session stream',
        open: () => remote(`grpc://${server.grpcAddress}`),
        echo: (f) => grpcStreamEcho(f.grpcStream, f.grpcUnary),
        pick: (f) => f.grpcStream,
      },
      {
        name: 'gRPC unary (Reset, Step calls)',
        open: () => openUnaryEnv(server.grpcAddress, ENV),
        echo: (f) => grpcUnaryEcho(f.grpcStream, f.grpcUnary),
        pick: (f) => f.grpcUnary,
      },
    ];
    for (const b of bindings) {
      const env = await b.open();
      const echo = await b.echo(framesB);
      // The env and its ceiling in turns, batched, then single episodes the same way.
      const [m, e] = await interleave([envRound(env, batched), () => echo.round()], batched, B * N);
      await echo.close();
      const echo1 = await b.echo(frames1);
      const [s, e1] = await interleave([envRound(env, single), () => echo1.round()], single, 1);
      await echo1.close();
      await env.close();
      rows.push({ name: b.name, env: m!, echo: e!, bytes: exchangeBytes(b.pick(framesB)) });
      singles.push([b.name, s!], [`${b.name}: echo ceiling`, e1!]);
    }
  } finally {
    await server.close();
  }
  // HTTP/JSON costs the same per episode whatever the batch, so it runs fewer episodes.
  const httpEnv = await local();
  const http = await httpJsonBaseline(httpEnv);
  const httpBatched = await measureEnv(http.env, httpRounds);
  const httpSingle = await measureEnv(http.env, {
    ...single,
    rounds: Math.ceil(single.rounds / 3),
  });
  await http.close();
  await httpEnv.close();
  singles.push(['HTTP/JSON, one request per verb', httpSingle]);

  const ref = inProc[0]![1].episodesPerSecond;
  const httpEps = httpBatched.episodesPerSecond;
  const lat = (m: Measured) => summarize(m.latency);
  const batchTable: Table = {
    title: `Batched reset + step, ${B} questions x ${N} = ${B * N} episodes a round, FactWorld, exact judge`,
    header: [
      'binding',
      'episodes/s',
      'p50 ms/round',
      'p99 ms/round',
      'bytes/round',
      'echo ceiling episodes/s',
      'of ceiling',
      'of in process',
      'x HTTP/JSON',
    ],
    rows: [
      ...inProc.map(([name, m]) => [
        name,
        int(m.episodesPerSecond),
        ms(lat(m).p50Ms),
        ms(lat(m).p99Ms),
        '-',
        '-',
        '-',
        ratio(m.episodesPerSecond, ref),
        ratio(m.episodesPerSecond, httpEps),
      ]),
      ...rows.map((r) => [
        r.name,
        int(r.env.episodesPerSecond),
        ms(lat(r.env).p50Ms),
        ms(lat(r.env).p99Ms),
        int(r.bytes ?? 0),
        int(r.echo!.episodesPerSecond),
        ratio(r.env.episodesPerSecond, r.echo!.episodesPerSecond),
        ratio(r.env.episodesPerSecond, ref),
        ratio(r.env.episodesPerSecond, httpEps),
      ]),
      [
        'HTTP/JSON, one request per episode step',
        int(httpEps),
        ms(lat(httpBatched).p50Ms),
        ms(lat(httpBatched).p99Ms),
        '-',
        '-',
        '-',
        ratio(httpEps, ref),
        '1.00x',
      ],
    ],
    notes: [
      `Rounds: ${batched.rounds} (+${batched.warmup} warm-up) per row, taken in turns with the rows they are compared with; HTTP/JSON ${httpRounds.rounds} rounds of ${httpRounds.batch} x ${N} (its cost is per episode). ` +
        'Echo ceiling: the same request and response bytes over the same transport, answered without decoding (no env, no session, no codec).',
    ],
  };
  const singleTable: Table = {
    title: 'Single episode (batch 1, group 1) reset + step round trip, one at a time (low load)',
    header: ['binding', 'round trips', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms'],
    rows: singles.map(([name, m]) => {
      const s = lat(m);
      return [name, int(s.count), ms(s.p50Ms), ms(s.p90Ms), ms(s.p99Ms), ms(s.p999Ms), ms(s.maxMs)];
    }),
  };
  const metrics: Record<string, number> = {
    inProcessEps: ref,
    inProcessBeforeMemoEps: inProc[1]![1].episodesPerSecond,
    inProcessNoopJudgeEps: inProc[2]![1].episodesPerSecond,
    httpJsonEps: httpEps,
  };
  for (const r of rows) {
    const k = r.name.split(' ')[0]!.replace(/\W/g, '') + (r.name.includes('unary') ? 'Unary' : '');
    metrics[`${k}Eps`] = r.env.episodesPerSecond;
    metrics[`${k}EchoEps`] = r.echo!.episodesPerSecond;
  }
  for (const [name, m] of singles) metrics[`single p99 ms: ${name}`] = lat(m).p99Ms;
  return {
    name: 'protocol',
    title: 'Protocol: the env against its transport ceiling and HTTP/JSON',
    command: `node --import tsx benchmarks/protocol.ts${opts.quick ? ' --quick' : ''}`,
    status: 'ok',
    seconds: (performance.now() - t0) / 1000,
    tables: [batchTable, singleTable],
    metrics,
  };
}

async function remote(url: string) {
  const client = await FactRecallClient.connect(url, { role: 'policy' });
  const env = await client.make(ENV);
  return {
    reset: env.reset.bind(env),
    step: env.step.bind(env),
    close: async () => {
      await env.close();
      client.close();
    },
  } as Stepper & { close(): Promise<void> };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await run({ quick: process.argv.includes('--quick') });
  for (const t of r.tables) process.stdout.write(`\n${renderTable(t)}\n`);
}
