/**
 * Verdicts deduplicated within a GRPO group, on real rollouts: a FactWorld model of 40 people
 * pretrained 16 epochs (pretrained here when not cached: about a minute; the GRPO step
 * benchmark's 2-epoch model has barely learnt its world, so its samples are noise that never
 * repeat), and the demo's model (200 people, 16 epochs) when `npm start` has left it in the
 * cache, sample groupSize answers for each of --questions train questions, exactly as a GRPO step does (the demo
 * preset's sampling, through the in-process env: reset, the worker's generate, step for the
 * extracted answers). On those answers:
 * - how many judge calls each policy makes: every sample, identical texts of a group once
 *   (what the LLM judge's in-flight coalescing does), equal normalised answers of a group once
 *   (lib/group-dedup.ts); blank and literal-gold answers never reach the server (short-circuits);
 * - the LLM judge's wall time on those items against the test server at --latency-ms, one arm
 *   per policy, in turns for --rounds rounds (the best round of each is kept: a busy machine
 *   only slows a round).
 * "Every sample" sends each sample as its own request: each item's question carries its sample
 * slot, so neither coalescing nor a cache can join them; the requests are the same size.
 *
 *   node --import tsx benchmarks/judge-groups.ts [--questions 64] [--rounds 3] [--latency-ms 50] [--concurrency 16]
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startRlWorker } from '../cuda-agent/coordinator/organism/factworld-run.ts';
import {
  DEMO_TRAIN_PRESET,
  pretrainKey,
} from '../cuda-agent/coordinator/organism/organism-config.ts';
import { ensurePretrained, modelDir } from '../cuda-agent/coordinator/organism/pretrain.ts';
import { loadRunConfig } from '../cuda-agent/coordinator/organism/run-config.ts';
import {
  actionsOf,
  generateForGroups,
  groupObservations,
} from '../cuda-agent/coordinator/training/rollout.ts';
import { generateWorld, worldSplitSource } from '../env/datasets/factworld/index.ts';
import { make } from '../env/registry.ts';
import { LlmJudge } from '../judges/llm/llm-judge.ts';
import type { JudgeItem } from '../judges/types.ts';
import { dedupCounts, type GroupedItem, judgeDeduplicated } from './lib/group-dedup.ts';
import { serverUsage, startJudgeServer, stopJudgeServer } from './lib/judge-server-process.ts';
import { renderTable, type Table } from './lib/table.ts';

const { values } = parseArgs({
  options: {
    questions: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '3' },
    'latency-ms': { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '16' },
  },
});
const questions = Number(values.questions);
const rounds = Number(values.rounds);
const latencyMs = Number(values['latency-ms']);
const concurrency = Number(values.concurrency);

/** Real rollouts: groups of the FactWorld model's sampled answers, as judge items. */
const MODELS = [
  {
    label: 'FactWorld, 40 people, pretrained 16 epochs',
    overrides: ['organism.world.people=40'],
    onlyIfCached: false,
  },
  {
    label: "FactWorld demo model (npm start's: 200 people, 16 epochs)",
    overrides: [],
    onlyIfCached: true,
  },
];

async function rollouts(
  overrides: string[],
  onlyIfCached: boolean,
): Promise<{ items: GroupedItem[]; groupSize: number; temperature: number } | null> {
  const { train: cfg, organism } = await loadRunConfig({ preset: DEMO_TRAIN_PRESET, overrides });
  const world = generateWorld(organism.world);
  const cached = join(modelDir(pretrainKey(organism, world.fingerprint)), 'model.pt');
  if (onlyIfCached && !existsSync(cached)) return null;
  const source = worldSplitSource(world);
  const gold = new Map((source.splits.train ?? []).map((r) => [r.id, r.answers]));
  const pretrained = await ensurePretrained(organism, { world, quiet: true });
  const worker = await startRlWorker(cfg, pretrained.path);
  const env = await make('FactRecall-v0', { source });
  const items: GroupedItem[] = [];
  try {
    const sampling = {
      temperature: cfg.sampling.temperature,
      top_p: cfg.sampling.topP,
      top_k: cfg.sampling.topK,
      max_new_tokens: cfg.sampling.maxNewTokens,
      seed: cfg.seed,
    };
    for (let done = 0; done < questions; ) {
      const batch = Math.min(cfg.grpo.questionsPerBatch, questions - done);
      const r = await env.reset({
        split: 'train',
        batchSize: batch,
        groupSize: cfg.grpo.groupSize,
      });
      const groups = await generateForGroups(
        groupObservations(r.observations),
        (p) => worker.generate(p),
        sampling,
      );
      const stepped = await env.step(actionsOf(groups));
      const extracted = new Map(stepped.results.map((x) => [x.episodeId, x.info.extracted]));
      for (const g of groups)
        for (const s of g.samples)
          items.push({
            group: g.groupId,
            question: g.question,
            answers: gold.get(g.questionId) ?? [],
            prediction: extracted.get(s.episodeId) ?? s.text,
          });
      done += batch;
    }
  } finally {
    await env.close();
    await worker.shutdown().catch(() => worker.kill());
  }
  return { items, groupSize: cfg.grpo.groupSize, temperature: cfg.sampling.temperature };
}

const server = await startJudgeServer('lean', latencyMs);
const tables: Table[] = [];
const skipped: string[] = [];
try {
  for (const m of MODELS) {
    const r = await rollouts(m.overrides, m.onlyIfCached);
    if (!r) {
      skipped.push(`${m.label}: not in the cache (npm start pretrains it)`);
      continue;
    }
    tables.push(await measure(m.label, r.items, r.groupSize, r.temperature));
  }
} finally {
  stopJudgeServer(server);
}
for (const t of tables) process.stdout.write(`${renderTable(t)}\n\n`);
if (skipped.length) process.stdout.write(`Skipped: ${skipped.join('; ')}\n`);

async function measure(
  label: string,
  items: GroupedItem[],
  groupSize: number,
  temperature: number,
): Promise<Table> {
  if (items.some((it) => it.answers.length === 0))
    throw new Error('a sample without its gold answers');
  const counts = dedupCounts(items);
  const saved = (calls: number) =>
    `${(100 * (1 - calls / Math.max(1, counts.everySample))).toFixed(1)}%`;
  type Policy = [string, (judge: LlmJudge) => Promise<unknown[]>];
  const policies: Policy[] = [
    [
      'every sample judged (no dedup)',
      (j) =>
        j.judge(
          items.map((it, i): JudgeItem => ({ ...it, question: `${it.question} [sample ${i}]` })),
        ),
    ],
    ['identical texts coalesced (the LLM judge today)', (j) => j.judge(items)],
    [
      'equal normalised answers of a group judged once',
      (j) => judgeDeduplicated(items, (xs) => j.judge(xs)),
    ],
  ];
  const best = new Map<string, { seconds: number; requests: number }>();
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of policies) {
      const judge = new LlmJudge({
        baseURL: server.baseURL,
        model: 'bench',
        cachePath: null,
        concurrency,
      });
      try {
        const before = (await serverUsage(server)).requests;
        const t0 = performance.now();
        const verdicts = (await run(judge)) as { status: string }[];
        const seconds = (performance.now() - t0) / 1000;
        const requests = (await serverUsage(server)).requests - before;
        if (verdicts.length !== items.length || verdicts.some((v) => v.status !== 'ok'))
          throw new Error(
            `${name}: ${verdicts.length} verdicts for ${items.length} items, or one failed`,
          );
        const prev = best.get(name);
        if (!prev || seconds < prev.seconds) best.set(name, { seconds, requests });
      } finally {
        await judge.close();
      }
    }
  }
  const noDedup = best.get(policies[0]![0])!.seconds;
  const callsOf = [counts.everySample, counts.exactText, counts.normalised];
  const first = items
    .filter((it) => it.group === items[0]!.group)
    .map((it) => JSON.stringify(it.prediction));
  return {
    title: `Judge calls on real rollouts of ${label}: ${counts.groups} questions x ${groupSize} samples (T = ${temperature}, the GRPO step's sampling)`,
    header: [
      'policy',
      'judge calls',
      'of samples',
      'calls saved',
      'server requests',
      'best wall s',
      'x no dedup',
    ],
    rows: policies.map(([name], i) => {
      const b = best.get(name)!;
      return [
        name,
        String(callsOf[i]),
        `${((100 * callsOf[i]!) / counts.samples).toFixed(1)}%`,
        saved(callsOf[i]!),
        String(b.requests),
        b.seconds.toFixed(2),
        `${(noDedup / b.seconds).toFixed(2)}x`,
      ];
    }),
    notes: [
      `${counts.samples} samples; ${counts.shortCircuited} decided without a call (blank, or literally a gold alias). LLM judge, no cache, concurrency ${concurrency}, against the lean test server answering after ${latencyMs} ms; best of ${rounds} rounds per policy, policies in turns. "Calls saved" is against judging every sample; "server requests" is what the server counted in the best round (identical texts coalesce only while the first is in flight). The first group's answers: ${first.join(', ')}.`,
    ],
  };
}
