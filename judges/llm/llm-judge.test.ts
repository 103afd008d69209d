import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { describeJudgeConformance } from '../../test/support/judge-conformance.ts';
import {
  gradingAnswerer,
  type OpenAiTestServer,
  startOpenAiTestServer,
} from '../../test/support/openai-server.ts';
import type { JudgeItem } from '../types.ts';
import * as gradingPrompt from './grading-prompt.ts';
import { LlmJudge, type LlmJudgeOptions } from './llm-judge.ts';

const dir = mkdtempSync(join(tmpdir(), 'fr-llm-judge-'));
let server: OpenAiTestServer;

beforeAll(async () => {
  server = await startOpenAiTestServer();
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  server.setFaultRule(undefined);
  server.setLatency(0);
});

/** Fast retry settings so fault tests take milliseconds. */
const fast = (extra: LlmJudgeOptions = {}): LlmJudge =>
  new LlmJudge({
    baseURL: server.baseURL,
    model: 'grader',
    cachePath: null,
    initialDelayMs: 2,
    maxDelayMs: 10,
    timeoutMs: 2_000,
    ...extra,
  });

describeJudgeConformance('llm (through the real openai client and an HTTP test server)', () =>
  fast({ cachePath: join(dir, 'conformance.sqlite') }),
);

const q = 'What is the capital of France?';
const paraphrase: JudgeItem = { question: q, answers: ['Paris'], prediction: 'It is Paris' };
const wrong: JudgeItem = { question: q, answers: ['Paris'], prediction: 'Probably Lyon' };
const requestsFor = (prediction: string) =>
  server.requests.filter((r) => JSON.stringify(r.body.messages).includes(prediction)).length;

describe('the llm judge', () => {
  it('asks for a JSON-schema verdict at temperature 0 and returns the model verdicts', async () => {
    const judge = fast();
    const before = server.requests.length;
    const v = await judge.judge([paraphrase, wrong]);
    expect(v.map((x) => x.verdict)).toEqual(['correct', 'incorrect']);
    const sent = server.requests.slice(before).map((r) => r.body);
    expect(sent).toHaveLength(2);
    for (const body of sent) {
      expect(body.temperature).toBe(0);
      expect(body.response_format?.type).toBe('json_schema');
    }
    expect(v[0]!.reasoning).toMatch(/grade A/);
  });

  it('sends a verdict schema of one enum, without maxLength (llama.cpp grammars refuse it)', async () => {
    const judge = fast();
    const before = server.requests.length;
    await judge.judge([{ ...wrong, prediction: 'schema probe' }]);
    const schema = server.requests[before]!.body.response_format?.json_schema?.schema;
    expect(schema).toMatchObject({
      type: 'object',
      properties: { grade: { enum: ['A', 'B', 'C'] } },
      required: ['grade'],
    });
    expect(JSON.stringify(schema)).not.toMatch(/maxLength|minLength|pattern/);
  });

  it('short-circuits only a literal gold alias and a blank answer, without a call', async () => {
    const judge = fast();
    const before = server.requests.length;
    const v = await judge.judge([
      { question: q, answers: ['Paris'], prediction: 'paris.' },
      { question: q, answers: ['Paris'], prediction: ' ' },
    ]);
    expect(v.map((x) => x.verdict)).toEqual(['correct', 'not_attempted']);
    expect(server.requests.length).toBe(before);
    expect(judge.stats.shortCircuits).toBe(2);
  });

  it('neither short-circuits nor shows as a gold an alias the question spells out (Comedo)', async () => {
    const judge = fast();
    const shown: JudgeItem[] = [];
    server.setAnswerer((body) => {
      shown.push(gradingPrompt.itemFromGradingMessages(body.messages)!);
      return JSON.stringify({ grade: 'B' });
    });
    try {
      const question = "A 'Comedo' is the medical name for what?";
      const v = await judge.judge([
        { question, answers: ['Blackhead', 'Comedo', 'Blackheads'], prediction: 'Comedo' },
      ]);
      // Asked, not paid on sight; the grader sees the other aliases only.
      expect(judge.stats.shortCircuits).toBe(0);
      expect(shown).toEqual([
        { question, answers: ['Blackhead', 'Blackheads'], prediction: 'Comedo' },
      ]);
      expect(v[0]!.verdict).toBe('incorrect');
      // A question that offers its gold keeps it: literal, no call.
      const before = server.requests.length;
      const alt = await judge.judge([
        { question: 'Which is larger, Mars or Venus?', answers: ['Venus'], prediction: 'Venus' },
      ]);
      expect(alt[0]!.verdict).toBe('correct');
      expect(server.requests.length).toBe(before);
    } finally {
      server.setAnswerer(gradingAnswerer);
    }
  });

  it('asks the model about a normalised-only match instead of inheriting normalisation (issue 12)', async () => {
    const judge = fast();
    const asked: string[] = [];
    server.setAnswerer((body) => {
      const { itemFromGradingMessages } = gradingPrompt;
      asked.push(itemFromGradingMessages(body.messages)!.prediction);
      return JSON.stringify({ grade: 'C' });
    });
    try {
      const v = await judge.judge([
        // Equal to the gold after normalisation, not literally: the model decides.
        {
          question: 'Which band is led by Matt Johnson?',
          answers: ['The The'],
          prediction: 'THE THE!',
        },
        { question: q, answers: ['Paris'], prediction: 'The Paris' },
      ]);
      expect(asked).toEqual(['THE THE!', 'The Paris']);
      expect(v.map((x) => x.verdict)).toEqual(['not_attempted', 'not_attempted']);
      // shortCircuit 'none' sends even a literal match.
      const strict = fast({ shortCircuit: 'none' });
      await strict.judge([{ question: q, answers: ['Paris'], prediction: 'Paris' }]);
      expect(asked).toContain('Paris');
    } finally {
      server.setAnswerer(gradingAnswerer);
    }
  });

  it('keys its cache by the raw prediction: -40 and 40, 10.10 and 10.1 are two entries (issue 12)', async () => {
    const path = join(dir, 'raw-key.sqlite');
    const judge = fast({ cachePath: path });
    const t = 'At what temperature are Celsius and Fahrenheit equal?';
    const first = await judge.judge([{ question: t, answers: ['-40'], prediction: 'It is -40' }]);
    const second = await judge.judge([{ question: t, answers: ['-40'], prediction: 'It is 40' }]);
    expect(first[0]!.verdict).toBe('correct');
    expect(second[0]).toMatchObject({ verdict: 'incorrect', cached: false });
    const y = 'Which OS X version was Yosemite?';
    await judge.judge([{ question: y, answers: ['10.10'], prediction: 'OS X 10.10' }]);
    const [v] = await judge.judge([{ question: y, answers: ['10.10'], prediction: 'OS X 10.1' }]);
    expect(v).toMatchObject({ cached: false, verdict: 'incorrect' });
    await judge.close();
  });

  it('retries a 429, waiting at least its retry-after-ms, then succeeds', async () => {
    const judge = fast();
    server.queueFaults({ kind: 'status', status: 429, retryAfterMs: 150 });
    const t0 = performance.now();
    const [v] = await judge.judge([paraphrase]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    expect(v!.verdict).toBe('correct');
    expect(judge.stats).toMatchObject({ httpAttempts: 2, retries: 1, failures: 0 });
  });

  it('retries 500s, a dropped connection and a timeout, then succeeds', async () => {
    const judge = fast({ timeoutMs: 200 });
    server.queueFaults(
      { kind: 'status', status: 500 },
      { kind: 'disconnect' },
      { kind: 'hang', ms: 1_000 },
    );
    const [v] = await judge.judge([paraphrase]);
    expect(v).toMatchObject({ verdict: 'correct', status: 'ok', reward: 1 });
    expect(judge.stats).toMatchObject({ httpAttempts: 4, retries: 3 });
  });

  it('reports judge_failed with reward null (never 0) when 429s outlast the retry budget', async () => {
    const judge = fast({ maxRetries: 2 });
    server.queueFaults(
      ...Array.from(
        { length: 3 },
        () => ({ kind: 'status', status: 429, retryAfterMs: 1 }) as const,
      ),
    );
    const [v] = await judge.judge([paraphrase]);
    expect(v).toMatchObject({ status: 'judge_failed', verdict: null, reward: null });
    expect(v!.error?.code).toBe('FR_ERR_JUDGE_RATE_LIMITED');
    expect(judge.stats).toMatchObject({ httpAttempts: 3, failedVerdicts: 1 });
  });

  it('reports FR_ERR_JUDGE_TIMEOUT when every attempt times out', async () => {
    const judge = fast({ timeoutMs: 100, maxRetries: 1 });
    server.queueFaults({ kind: 'hang', ms: 800 }, { kind: 'hang', ms: 800 });
    const [v] = await judge.judge([paraphrase]);
    expect(v!.error?.code).toBe('FR_ERR_JUDGE_TIMEOUT');
    expect(v!.reward).toBeNull();
  });

  it('retries truncated and malformed replies, then grades', async () => {
    const judge = fast();
    server.queueFaults({ kind: 'truncated' }, { kind: 'malformed' });
    const [v] = await judge.judge([wrong]);
    expect(v!.verdict).toBe('incorrect');
    expect(judge.stats).toMatchObject({ parseFailures: 2, httpAttempts: 3 });
  });

  it('never guesses: an always-unparseable reply is FR_ERR_JUDGE_UNPARSEABLE after the parse retries', async () => {
    const judge = fast({ parseRetries: 2 });
    server.setFaultRule(() => ({ kind: 'malformed', content: '{"grade": "probably"}' }));
    const [v] = await judge.judge([wrong]);
    expect(v).toMatchObject({ status: 'judge_failed', verdict: null, reward: null });
    expect(v!.error?.code).toBe('FR_ERR_JUDGE_UNPARSEABLE');
    expect(judge.stats.httpAttempts).toBe(3);
  });

  it('does not retry a 401 and reports FR_ERR_JUDGE_REJECTED', async () => {
    const judge = fast();
    server.queueFaults({ kind: 'status', status: 401 });
    const [v] = await judge.judge([wrong]);
    expect(v!.error?.code).toBe('FR_ERR_JUDGE_REJECTED');
    expect(judge.stats.httpAttempts).toBe(1);
  });

  it('opens its circuit while the endpoint is down and fails fast with retryable FR_ERR_JUDGE_UNAVAILABLE', async () => {
    const judge = fast({
      maxRetries: 1,
      breakerFailures: 3,
      breakerCooldownMs: 60_000,
      concurrency: 1,
    });
    server.setFaultRule(() => ({ kind: 'status', status: 503 }));
    const items = Array.from({ length: 10 }, (_, i) => ({ ...wrong, prediction: `Lyon ${i}` }));
    const before = server.requests.length;
    const v = await judge.judge(items);
    expect(v.every((x) => x.status === 'judge_failed' && x.reward === null)).toBe(true);
    expect(v.every((x) => x.error?.code === 'FR_ERR_JUDGE_UNAVAILABLE')).toBe(true);
    // Three failures open the circuit; the other requests never reach the server.
    expect(server.requests.length - before).toBe(3);
    expect(judge.stats.breakerOpened).toBe(1);
    expect(judge.stats.failedVerdicts).toBe(10);
  });

  it('closes the circuit again after a successful probe', async () => {
    const judge = fast({ maxRetries: 0, breakerFailures: 2, breakerCooldownMs: 50 });
    server.queueFaults({ kind: 'status', status: 500 }, { kind: 'status', status: 500 });
    const first = await judge.judge([
      { ...wrong, prediction: 'Lyon A' },
      { ...wrong, prediction: 'Lyon B' },
    ]);
    expect(first.map((x) => x.error?.code)).toEqual([
      'FR_ERR_JUDGE_UNAVAILABLE',
      'FR_ERR_JUDGE_UNAVAILABLE',
    ]);
    await new Promise((r) => setTimeout(r, 60));
    const [again] = await judge.judge([{ ...wrong, prediction: 'Lyon C' }]);
    expect(again!.verdict).toBe('incorrect');
  });

  it('coalesces identical requests in flight into one call', async () => {
    const judge = fast();
    server.setLatency(50);
    const item = { question: q, answers: ['Paris'], prediction: 'Coalesced Lyon' };
    const v = await judge.judge(Array.from({ length: 8 }, () => item));
    expect(new Set(v.map((x) => x.verdict))).toEqual(new Set(['incorrect']));
    expect(requestsFor('Coalesced Lyon')).toBe(1);
    expect(judge.stats.coalesced).toBe(7);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    server.setAnswerer(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      // Long enough that three requests overlap even on a busy machine.
      await new Promise((r) => setTimeout(r, 150));
      inFlight--;
      return JSON.stringify({ grade: 'B' });
    });
    try {
      const judge = fast({ concurrency: 3 });
      await judge.judge(
        Array.from({ length: 12 }, (_, i) => ({ ...wrong, prediction: `limit ${i}` })),
      );
      expect(peak).toBe(3);
    } finally {
      server.setAnswerer(gradingAnswerer);
    }
  });

  it('falls back to one-word replies when the server refuses json_schema', async () => {
    const plain = await startOpenAiTestServer({ supportsJsonSchema: false });
    try {
      const judge = new LlmJudge({ baseURL: plain.baseURL, model: 'grader', cachePath: null });
      const v = await judge.judge([
        paraphrase,
        wrong,
        { question: q, answers: ['Paris'], prediction: "I don't know" },
      ]);
      expect(v.map((x) => x.verdict)).toEqual(['correct', 'incorrect', 'not_attempted']);
      expect(judge.stats.responseFormat).toBe('text');
    } finally {
      await plain.close();
    }
  });

  it('finds its verdicts in the cache after a restart, keyed by the raw prediction', async () => {
    const path = join(dir, 'restart.sqlite');
    const first = fast({ cachePath: path });
    const a = await first.judge([paraphrase, wrong]);
    expect(a.map((x) => x.cached)).toEqual([false, false]);
    await first.close();

    const before = server.requests.length;
    const second = fast({ cachePath: path });
    const b = await second.judge([paraphrase, wrong]);
    expect(b.map((x) => x.verdict)).toEqual(['correct', 'incorrect']);
    expect(b.map((x) => x.cached)).toEqual([true, true]);
    expect(server.requests.length).toBe(before);
    // Another spelling of the same answer is another question for the model.
    const [other1] = await second.judge([{ ...wrong, prediction: 'PROBABLY, lyon!' }]);
    expect(other1!.cached).toBe(false);

    // Another model is another fingerprint: no stale verdicts.
    const other = fast({ cachePath: path, model: 'another-grader' });
    const [c] = await other.judge([paraphrase]);
    expect(c!.cached).toBe(false);
    await Promise.all([second.close(), other.close()]);
  });

  it('rejects the whole batch with FR_ERR_JUDGE_CANCELLED when the signal fires mid-way', async () => {
    const judge = fast();
    server.setLatency(300);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    await expect(
      judge.judge([{ ...wrong, prediction: 'cancel me' }], { signal: ac.signal }),
    ).rejects.toMatchObject({
      code: 'FR_ERR_JUDGE_CANCELLED',
    });
  });

  it('needs a model and base URL, from options or the environment', () => {
    const saved = { ...process.env };
    try {
      delete process.env.FACTRECALL_JUDGE_MODEL;
      delete process.env.OPENAI_BASE_URL;
      expect(() => new LlmJudge({ cachePath: null })).toThrow(/not configured/);
      process.env.FACTRECALL_JUDGE_MODEL = 'env-model';
      process.env.OPENAI_BASE_URL = server.baseURL;
      const judge = new LlmJudge({ cachePath: null });
      expect(judge.model).toBe('env-model');
      expect(() => new LlmJudge({ cachePath: null, temperature: 1 } as never)).toThrow(
        /unknown or malformed/,
      );
    } finally {
      process.env = saved;
    }
  });

  it('has a fingerprint that follows the model and settings but not the key or URL', () => {
    const base = { baseURL: server.baseURL, model: 'm', cachePath: null } as const;
    const fp = new LlmJudge(base).fingerprint;
    expect(
      new LlmJudge({ ...base, apiKey: 'secret', baseURL: 'http://other:1/v1' }).fingerprint,
    ).toBe(fp);
    expect(new LlmJudge({ ...base, model: 'n' }).fingerprint).not.toBe(fp);
    expect(new LlmJudge({ ...base, maxTokens: 64 }).fingerprint).not.toBe(fp);
    expect(new LlmJudge({ ...base, shortCircuit: 'none' }).fingerprint).not.toBe(fp);
  });
});
