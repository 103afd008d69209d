/**
 * `runEval` end to end against the rules-based Chat Completions test server (a known answer
 * distribution per question and sample) through a real env server on 127.0.0.1; every number
 * of the table is checked against values worked out by hand below.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../env/types.ts';
import { isFactRecallError } from '../../lib/errors.ts';
import { envRegistry } from '../../protocol/env-registry.ts';
import { type RunningServer, serve } from '../../protocol/server.ts';
import {
  answerer,
  BASE_SEED,
  type EvalServers,
  source,
  startEvalServers,
} from '../../test/support/eval-fixture.ts';
import { type OpenAiTestServer, startOpenAiTestServer } from '../../test/support/openai-server.ts';
import { OpenAiPolicy, requestSeed } from '../openai/policy.ts';
import { formatTable } from './report.ts';
import { type EvalOptions, runEval } from './run-eval.ts';

let servers: EvalServers;
let llm: OpenAiTestServer;
let env: RunningServer;
let dir: string;

beforeAll(async () => {
  servers = await startEvalServers();
  ({ llm, env, dir } = servers);
});
afterAll(async () => servers?.close());

const policy = (o: Partial<ConstructorParameters<typeof OpenAiPolicy>[0]> = {}) =>
  new OpenAiPolicy({
    baseURL: llm.baseURL,
    model: 'test-model',
    seed: BASE_SEED,
    retries: 0,
    ...o,
  });

/** A greedy val run unless `o` says otherwise. */
const go = (o: Partial<EvalOptions>) =>
  runEval({
    envUrl: env.wsUrl,
    dataset: 'capitals',
    judge: 'contains',
    ks: [1, 2, 4],
    split: 'val',
    baseline: 'greedy',
    policy: policy(),
    samples: 1,
    episodesPath: join(dir, 'greedy.episodes.jsonl'),
    ...o,
  });
const rowsOf = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => JSON.parse(l));

describe('factrecall eval against the rules-based test server', () => {
  it('computes accuracy, not attempted, correct given attempted, F-score, pass@k and maj@k as worked out by hand', async () => {
    const r = await go({
      split: 'val',
      baseline: 'maj',
      policy: policy({ temperature: 1 }),
      samples: 4,
      episodesPath: join(dir, 'maj.episodes.jsonl'),
    });
    // 16 samples: correct 4 + 1 + 2 + 0 = 7, not attempted 3 (Norway), incorrect 6.
    expect(r.metrics).toMatchObject({
      episodes: 16,
      scored: 16,
      correct: 7,
      incorrect: 6,
      notAttempted: 3,
      judgeFailed: 0,
      generationFailed: 0,
    });
    expect(r.metrics.accuracy).toBeCloseTo(7 / 16, 12);
    expect(r.metrics.notAttemptedRate).toBeCloseTo(3 / 16, 12);
    expect(r.metrics.correctGivenAttempted).toBeCloseTo(7 / 13, 12);
    // F = 2 (7/16)(7/13) / (7/16 + 7/13) = (98/208) / (203/208) = 14/29
    expect(r.metrics.fScore).toBeCloseTo(14 / 29, 12);
    // pass@k = 1 - C(n-c,k)/C(n,k), n = 4:
    //   k=1: (1 + 1/4 + 2/4 + 0) / 4 = 0.4375
    //   k=2: (1 + (1 - 3/6) + (1 - 1/6) + 0) / 4 = (1 + 1/2 + 5/6) / 4 = 7/12
    //   k=4: (1 + 1 + 1 + 0) / 4 = 3/4
    expect(r.passAtK.map((p) => p.k)).toEqual([1, 2, 4]);
    expect(r.passAtK[0]!.value).toBeCloseTo(0.4375, 12);
    expect(r.passAtK[1]!.value).toBeCloseTo(7 / 12, 12);
    expect(r.passAtK[2]!.value).toBeCloseTo(0.75, 12);
    expect(r.passAtK.every((p) => p.questions === 4)).toBe(true);
    // maj@k over the first k samples: k=1 France, Italy (Rome), Peru (Lima) right, Norway a
    // non-answer; k=2 Italy Rome/Milan tie -> Rome (first), Peru Lima/Cusco -> Lima, Norway
    // Bergen; k=4 Italy Milan wins 2-1, Peru 2-2 -> Lima. So 3/4, 3/4, 2/4.
    expect(r.majAtK.map((m) => m.value)).toEqual([0.75, 0.75, 0.5]);
    // One request per question carried n = 4.
    expect(llm.requests.filter((q) => q.body.n === 4)).toHaveLength(4);
    expect(formatTable([r])).toContain(
      '| capitals | val | maj | contains | 4 | 4 | 43.8% | 18.8% | 53.8% | 48.3% | 0 | 0 |',
    );
  });

  it('scores greedy answers with the direct prompt: one sample at temperature 0', async () => {
    const before = llm.requests.length;
    const r = await go({
      split: 'val',
      baseline: 'greedy',
      policy: policy(),
      samples: 1,
      episodesPath: join(dir, 'greedy.episodes.jsonl'),
    });
    // Sample 0 of each: Paris, Rome, Lima right; Norway not attempted. F = 2 (3/4)(1) / (7/4) = 6/7.
    expect(r.metrics).toMatchObject({ scored: 4, correct: 3, incorrect: 0, notAttempted: 1 });
    expect(r.metrics.fScore).toBeCloseTo(6 / 7, 12);
    expect(r.passAtK).toEqual([]);
    const sent = llm.requests.slice(before);
    expect(sent.every((q) => q.body.temperature === 0 && q.body.n === undefined)).toBe(true);
    expect(sent[0]!.body.messages[0]).toMatchObject({ role: 'system' });
  });

  it('falls back to one request per sample when the server refuses n, with the same numbers', async () => {
    llm.setFaultRule((b) =>
      b.n && b.n > 1
        ? { kind: 'status', status: 400, message: "'n' must be 1 on this server" }
        : undefined,
    );
    try {
      const r = await go({
        split: 'val',
        baseline: 'maj',
        policy: policy({ temperature: 1 }),
        samples: 4,
        episodesPath: join(dir, 'maj-single.episodes.jsonl'),
      });
      expect(r.metrics.correct).toBe(7);
      expect(r.passAtK[1]!.value).toBeCloseTo(7 / 12, 12);
      expect(r.majAtK.map((m) => m.value)).toEqual([0.75, 0.75, 0.5]);
    } finally {
      llm.setFaultRule(undefined);
    }
  });

  it('splits a large n into requests of at most maxNPerRequest samples, with the same numbers', async () => {
    const before = llm.requests.length;
    const r = await go({
      baseline: 'maj',
      policy: policy({ temperature: 1, maxNPerRequest: 3 }),
      samples: 4,
      episodesPath: join(dir, 'chunks', 'maj.episodes.jsonl'),
    });
    const sent = llm.requests
      .slice(before)
      .map((q) => [
        q.body.n ?? 1,
        Number(q.body.seed) - requestSeed(BASE_SEED, q.body.messages as ChatMessage[], 0),
      ]);
    expect(sent.sort()).toEqual([...Array(4).fill([1, 3]), ...Array(4).fill([3, 0])]);
    // Each question has its own random stream: the 4 questions' first requests differ.
    const firsts = llm.requests
      .slice(before)
      .filter((q) => (q.body.n ?? 1) === 3)
      .map((q) => q.body.seed);
    expect(new Set(firsts).size).toBe(4);
    expect(r.passAtK[1]!.value).toBeCloseTo(7 / 12, 12);
    expect([r.passAtK[0]!.value, r.passAtK[2]!.value]).toEqual([0.4375, 0.75]);
    expect(r.majAtK.map((m) => m.value)).toEqual([0.75, 0.75, 0.5]);
  });

  it('reports a failed generation as failed, never as an empty answer, and a rerun generates only what is missing', async () => {
    // Its own folder: files beside it with the same generation settings would lend their answers.
    const path = join(dir, 'faults', 'faults.episodes.jsonl');
    llm.setFaultRule((b) =>
      String(b.messages.at(-1)?.content).includes('Peru')
        ? { kind: 'status', status: 500 }
        : undefined,
    );
    try {
      const r = await go({
        split: 'val',
        baseline: 'greedy',
        policy: policy(),
        samples: 1,
        episodesPath: path,
      });
      expect(r.metrics).toMatchObject({
        scored: 3,
        correct: 2,
        notAttempted: 1,
        generationFailed: 1,
      });
      const rows = rowsOf(path);
      expect(rows.find((x) => x.question.includes('Peru'))).toMatchObject({
        status: 'generation_failed',
        answer: null,
        reward: null,
      });
    } finally {
      llm.setFaultRule(undefined);
    }
    const before = llm.requests.length;
    const again = await go({
      split: 'val',
      baseline: 'greedy',
      policy: policy(),
      samples: 1,
      episodesPath: path,
    });
    expect(llm.requests.length - before).toBe(1); // only Peru asked again
    expect(again.generatedNow).toBe(1);
    expect(again.metrics).toMatchObject({ scored: 4, correct: 3, generationFailed: 0 });
  });

  it('reports only the questions of this run when its episodes file holds more from a larger earlier run', async () => {
    const path = join(dir, 'subset', 'subset.episodes.jsonl');
    const all = await go({ episodesPath: path });
    expect(all.metrics).toMatchObject({ scored: 4, correct: 3 });
    const first = await go({ episodesPath: path, questions: 2 });
    expect(first.questions).toBe(2);
    expect(first.generatedNow).toBe(0);
    // The first two questions of the order only: their rows, not the file's four.
    expect(first.metrics.episodes).toBe(2);
    expect(first.metrics.scored).toBe(2);
    expect(first.passAtK?.every((p) => p.questions <= 2) ?? true).toBe(true);
  });

  it('never lends the answers of one local engine to a run of another engine on the same model', async () => {
    const folder = join(dir, 'engines');
    const llama = await go({
      episodesPath: join(folder, 'a.episodes.jsonl'),
      generator: 'engine:llama',
    });
    expect(llama.generatedNow).toBe(4);
    // Another file in the folder, same model and settings: another engine generates anew.
    const hf = await go({ episodesPath: join(folder, 'b.episodes.jsonl'), generator: 'engine:hf' });
    expect(hf.generatedNow).toBe(4);
    // The same engine again borrows everything.
    const again = await go({
      episodesPath: join(folder, 'c.episodes.jsonl'),
      generator: 'engine:hf',
    });
    expect(again.generatedNow).toBe(0);
  });

  it('on the test split reports only the server aggregate (eval role) and refuses sampled metrics', async () => {
    const r = await go({
      split: 'test',
      baseline: 'greedy',
      policy: policy(),
      samples: 1,
      episodesPath: join(dir, 'test.episodes.jsonl'),
    });
    expect(r.serverCounts).toMatchObject({ scored: 4, correct: 3, judgeFailed: 0 });
    expect(r.metrics.accuracy).toBe(0.75);
    expect(r.metrics.fScore).toBeNull();
    const rows = rowsOf(join(dir, 'test.episodes.jsonl'));
    expect(
      rows.every((x) => x.status === 'withheld' && x.reward === null && x.verdict === null),
    ).toBe(true);
    await expect(
      go({
        split: 'test',
        baseline: 'maj',
        policy: policy({ temperature: 1 }),
        samples: 4,
        episodesPath: join(dir, 't2.episodes.jsonl'),
      }),
    ).rejects.toSatisfy((e) => isFactRecallError(e, 'FR_ERR_AGENT_NEEDS_REWARDS'));
  });

  it('refuses to resume an episodes file written under another configuration', async () => {
    await expect(
      go({
        split: 'val',
        baseline: 'greedy',
        policy: policy({ maxTokens: 7 }),
        samples: 1,
        episodesPath: join(dir, 'greedy.episodes.jsonl'),
      }),
    ).rejects.toSatisfy((e) => isFactRecallError(e, 'FR_ERR_AGENT_EPISODES_FILE'));
  });
});

describe('factrecall eval with a slow model', () => {
  it('keeps its connection and episodes alive while the model takes longer than the idle timeout and the server default episode TTL', async () => {
    const slow = await startOpenAiTestServer({ answerer, latencyMs: 2_000 });
    const strict = await serve({
      registry: envRegistry(),
      host: '127.0.0.1',
      httpPort: 0,
      grpcPort: 0,
      tokens: null,
      evalRunsPath: join(dir, 'slow-eval-runs.jsonl'),
      // Both deadlines far below the model's 2 s: without the heartbeat the connection and
      // its env are closed; without the eval's own episode TTL the episodes expire.
      makeDefaults: { source, episodeTtlMs: 700 },
      limits: { idleTimeoutMs: 700 },
      drainMs: 1000,
    });
    try {
      const r = await go({
        envUrl: strict.wsUrl,
        policy: new OpenAiPolicy({
          baseURL: slow.baseURL,
          model: 'test-model',
          seed: BASE_SEED,
          retries: 0,
        }),
        episodesPath: join(dir, 'slow.episodes.jsonl'),
      });
      expect(r.metrics).toMatchObject({ episodes: 4, scored: 4 });
      expect(r.metrics.correct).toBe(3); // greedy = sample 0: Paris, Rome, Lima; Norway not attempted
    } finally {
      await strict.close();
      await slow.close();
    }
  }, 60_000);
});
