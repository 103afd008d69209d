/**
 * A known answer distribution for `factrecall eval` tests: four capital questions and the
 * answer of each sample (the sample index in the request's seed, plus the choice index with `n`), served by the
 * rules-based Chat Completions test server. The numbers it must give are worked out by hand
 * in agents/eval/run-eval.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requestSeed } from '../../agents/openai/policy.ts';
import type { ChatMessage, QARecord, SplitSource } from '../../env/types.ts';
import { envRegistry } from '../../protocol/env-registry.ts';
import { type RunningServer, serve } from '../../protocol/server.ts';
import {
  type ChatRequestBody,
  type OpenAiTestServer,
  startOpenAiTestServer,
} from './openai-server.ts';

/** Question -> the answer of sample 0, 1, 2, 3 (gold first in `answers`). */
export const PLAN: Array<[string, string, string[]]> = [
  ['France', 'Paris', ['Paris', 'Paris', 'Paris', 'Paris']], // c = 4
  ['Italy', 'Rome', ['Rome', 'Milan', 'Milan', 'Turin']], // c = 1, majority Milan from k = 4
  ['Peru', 'Lima', ['Lima', 'Cusco', 'Cusco', 'Lima']], // c = 2, 2-2 tie: Lima came first
  ['Norway', 'Oslo', ["I don't know", 'Bergen', "I don't know", "I don't know"]], // c = 0, 3 not attempted
];
const record = ([country, capital]: readonly [string, string, string[]], i: number): QARecord => ({
  id: `cap:${i}`,
  dataset: 'factworld',
  question: `What is the capital of ${country}?`,
  answers: [capital],
  meta: {},
});
export const source: SplitSource = {
  dataset: 'factworld',
  splits: { train: PLAN.map(record), val: PLAN.map(record), test: PLAN.map(record) },
  hash: 'eval-test-source-v1',
  description: 'eval test source',
};
export const BASE_SEED = 100;

/** Answers by question and sample index: the seed's sample index, plus the choice with `n`. */
export function answerer(body: ChatRequestBody, choice: number): string {
  const q = String(body.messages.at(-1)?.content ?? '');
  const row = PLAN.find(([country]) => q.includes(country));
  if (!row) return 'unknown question';
  // The policy seeds a request with requestSeed(BASE_SEED, prompt, first sample's index).
  const first =
    body.seed === undefined
      ? 0
      : Number(body.seed) - requestSeed(BASE_SEED, body.messages as ChatMessage[], 0);
  const sample = first + (body.n && body.n > 1 ? choice : 0);
  return row[2][sample] ?? 'no such sample';
}

export interface EvalServers {
  llm: OpenAiTestServer;
  env: RunningServer;
  /** A temporary folder for reports and episodes. */
  dir: string;
  close(): Promise<void>;
}

/** The test Chat Completions server with `answerer`, and an env server hosting `source`. */
export async function startEvalServers(): Promise<EvalServers> {
  const dir = mkdtempSync(join(tmpdir(), 'fr-eval-'));
  const llm = await startOpenAiTestServer({ answerer });
  const env = await serve({
    registry: envRegistry(),
    host: '127.0.0.1',
    httpPort: 0,
    grpcPort: 0,
    tokens: null,
    evalRunsPath: join(dir, 'eval-runs.jsonl'),
    makeDefaults: { source },
    drainMs: 1000,
  });
  return {
    llm,
    env,
    dir,
    async close() {
      await env.close();
      await llm.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
