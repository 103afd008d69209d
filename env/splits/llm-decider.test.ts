import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeAnswer } from '../../judges/normalize.ts';
import {
  type Answerer,
  type OpenAiTestServer,
  startOpenAiTestServer,
} from '../../test/support/openai-server.ts';
import { tempDir } from '../../test/support/splits.ts';
import type { QARecord } from '../types.ts';
import { pairFromContainmentMessages } from './containment-prompt.ts';
import { LlmDecider, type LlmDeciderOptions } from './llm-decider.ts';
import { dedupAndWrite, type WriteSplitsInput } from './prepare.ts';

const root = tempDir('llm');
const rec = (id: string, question: string, answers: string[]): QARecord => ({
  id,
  dataset: 'triviaqa',
  question,
  answers,
  meta: {},
});

// Train holds two paraphrases of test facts, one same-answer-other-subject item, and filler.
const train = [
  rec('r1', 'Which playwright wrote the tragedy Hamlet?', ['William Shakespeare']),
  rec('r2', 'Who wrote the play Macbeth?', ['William Shakespeare']),
  rec('r3', 'The Mona Lisa was painted by which artist?', ['Leonardo da Vinci']),
  rec('r4', 'What is the capital city of Australia?', ['Canberra']),
  rec('r5', 'Which river flows through Cairo?', ['Nile']),
  rec('r6', 'Who discovered penicillin?', ['Alexander Fleming']),
];
const test = [
  rec('t1', 'Who wrote Hamlet?', ['William Shakespeare', 'Shakespeare']),
  rec('t2', 'Who painted the Mona Lisa?', ['Leonardo da Vinci', 'Leonardo']),
  rec('t3', 'What is the capital of Canada?', ['Ottawa']),
];
const input: WriteSplitsInput = {
  dataset: 'triviaqa',
  mode: 'partition-eval',
  seed: 0,
  options: {},
  sources: [],
  assigned: { train, val: [], test },
};

/**
 * A stand-in model with a rule a heuristic would not follow exactly: contained when the two
 * share an answer and the test question's last word appears in the training question.
 */
const oracle: Answerer = (body) => {
  const pair = pairFromContainmentMessages(body.messages);
  if (!pair) return 'not a containment request';
  const shared = pair.test.answers.some((a) =>
    pair.training.answers.map(normalizeAnswer).includes(normalizeAnswer(a)),
  );
  const key = normalizeAnswer(pair.test.question).split(' ').at(-1) ?? '';
  const contained = shared && normalizeAnswer(pair.training.question).split(' ').includes(key);
  return JSON.stringify({
    reasoning: `oracle: shared=${shared} key=${key}`,
    is_contained: contained,
  });
};

let server: OpenAiTestServer;
beforeAll(async () => {
  server = await startOpenAiTestServer({ answerer: oracle });
});
afterAll(async () => {
  await server.close();
});

const deciderOpts = (cache: string, extra: Partial<LlmDeciderOptions> = {}): LlmDeciderOptions => ({
  baseURL: server.baseURL,
  model: 'dedup-test-model',
  cachePath: join(root, cache),
  retry: { initialDelayMs: 5, maxDelayMs: 20 },
  ...extra,
});
const run = (out: string, opts: LlmDeciderOptions, extra: { maxFailures?: number } = {}) => {
  const decider = new LlmDecider(opts);
  return {
    decider,
    result: dedupAndWrite(input, join(root, out), {
      topK: 3,
      answerK: 3,
      concurrency: 4,
      decider: () => decider,
      quiet: true,
      ...extra,
    }),
  };
};

describe('the LLM containment decider against an OpenAI-compatible server', () => {
  it('asks about every candidate pair with a JSON schema, removes what the model calls contained, logs its reasoning and marks the manifest llm', async () => {
    const before = server.requests.length;
    const { result } = run('a', deciderOpts('a.sqlite'));
    const { manifest, dedup } = await result;
    const requests = server.requests.slice(before);
    expect(requests).toHaveLength(manifest.dedup.summary.candidatePairs);
    expect(requests[0]!.body.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'containment' },
    });
    expect(requests[0]!.body.temperature).toBe(0);
    expect(manifest.dedup.decider).toMatchObject({
      kind: 'llm',
      settings: { model: 'dedup-test-model', prompt: 'factrecall-containment-v1' },
    });
    expect(manifest.dedup.note).toMatch(/LLM/);
    expect(dedup.removedTrain.map((r) => r.id)).toEqual(['r1', 'r3']);
    expect(dedup.keptTrain.map((r) => r.id)).toContain('r2');
    const r2 = dedup.decisions.find((d) => d.testId === 't1' && d.trainId === 'r2')!;
    expect(r2).toMatchObject({ isContained: false, reasoning: 'oracle: shared=true key=hamlet' });
    expect(dedup.decisions.every((d) => d.reasoning.startsWith('oracle:'))).toBe(true);
  });

  it('serves a rerun from its decision log and a new directory from the SQLite cache, with no new request', async () => {
    await run('b', deciderOpts('b.sqlite')).result;
    const before = server.requests.length;
    const same = await run('b', deciderOpts('b.sqlite')).result;
    expect(same.dedup.run.fromLog).toBe(same.manifest.dedup.summary.candidatePairs);
    const other = await run('b2', deciderOpts('b.sqlite')).result;
    expect(other.dedup.run.servedByDeciderCache).toBe(other.manifest.dedup.summary.candidatePairs);
    expect(server.requests.length).toBe(before);
    expect(other.manifest.hash).toBe(same.manifest.hash);
  });

  it('retries a malformed reply and a 503, then decides as if nothing happened', async () => {
    server.queueFaults({ kind: 'malformed' }, { kind: 'status', status: 503 });
    const { manifest } = await run('c', deciderOpts('c.sqlite')).result;
    const clean = await run('c-clean', deciderOpts('c-clean.sqlite')).result;
    expect(manifest.hash).toBe(clean.manifest.hash);
  });

  it('reports pairs it cannot decide as FR_ERR_SPLITS_DECIDER_FAILED, never as "not contained", and resumes once the endpoint recovers', async () => {
    server.setFaultRule((body) =>
      pairFromContainmentMessages(body.messages)?.test.question === 'Who painted the Mona Lisa?'
        ? { kind: 'status', status: 500 }
        : undefined,
    );
    try {
      await expect(
        run('d', deciderOpts('d.sqlite', { retry: { maxRetries: 1, initialDelayMs: 5 } })).result,
      ).rejects.toMatchObject({ code: 'FR_ERR_SPLITS_DECIDER_FAILED', retryable: true });
    } finally {
      server.setFaultRule(undefined);
    }
    const before = server.requests.length;
    const resumed = await run('d', deciderOpts('d.sqlite')).result;
    const failedPairs = resumed.dedup.decisions.filter((d) => d.testId === 't2').length;
    expect(resumed.dedup.run.decidedNow).toBe(failedPairs);
    expect(server.requests.length - before).toBe(failedPairs);
    expect(resumed.dedup.removedTrain.map((r) => r.id)).toEqual(['r1', 'r3']);
  });

  it('needs an endpoint and a model', () => {
    const saved = { ...process.env };
    try {
      delete process.env.OPENAI_BASE_URL;
      delete process.env.FACTRECALL_DEDUP_MODEL;
      delete process.env.FACTRECALL_JUDGE_MODEL;
      expect(() => new LlmDecider({ cachePath: null })).toThrow(
        expect.objectContaining({ code: 'FR_ERR_SPLITS_LLM_NOT_CONFIGURED' }),
      );
    } finally {
      process.env = saved;
    }
  });
});
