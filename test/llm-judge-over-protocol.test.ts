import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FactRecallClient } from '../protocol/client/client.ts';
import { envRegistry } from '../protocol/env-registry.ts';
import { type RunningServer, serve } from '../protocol/server.ts';
import { type OpenAiTestServer, startOpenAiTestServer } from './support/openai-server.ts';

// Issue 4 item 5, end to end: an env server whose FactRecall-v0 is judged by the llm judge over
// a real OpenAI-compatible endpoint. A verdict the endpoint cannot give reaches the agent over
// the wire as status judge_failed with reward null, and is counted as such, never as 0.
describe('FactRecall-v0 judged by an LLM, over the protocol', () => {
  let llm: OpenAiTestServer;
  let server: RunningServer;
  let client: FactRecallClient;

  beforeAll(async () => {
    llm = await startOpenAiTestServer();
    server = await serve({
      registry: envRegistry(),
      tokens: null,
      evalRunsPath: '/dev/null',
      makeDefaults: {
        judge: {
          kind: 'llm',
          options: {
            baseURL: llm.baseURL,
            apiKey: 'test',
            model: 'grader',
            cachePath: null,
            maxRetries: 1,
            initialDelayMs: 1,
            maxDelayMs: 5,
            breakerFailures: 1000,
          },
        },
      },
    });
    client = await FactRecallClient.connect(server.wsUrl, { role: 'trainer' });
  });

  afterAll(async () => {
    client.close();
    await server.close();
    await llm.close();
  });

  it('rewards a paraphrase the LLM accepts, and reports an endpoint failure as judge_failed with a null reward', async () => {
    const env = await client.make('FactRecall-v0');
    expect(env.spec().judgeId).toBe('llm');
    const { observations } = await env.reset({
      split: 'train',
      batchSize: 3,
      groupSize: 1,
      withGold: true,
    });
    const [a, b, c] = observations;
    const gold = (o: typeof a) => (o as { gold?: string[] }).gold![0]!;
    // Requests that mention the second question's text fail with 500 on every attempt.
    llm.setFaultRule((body) =>
      JSON.stringify(body.messages).includes(b!.question)
        ? { kind: 'status', status: 500 }
        : undefined,
    );
    const before = llm.requests.length;
    const { results } = await env.step([
      // Not an exact match, so the judge has to ask the endpoint (contains rules accept it).
      { episodeId: a!.episodeId, answer: `I believe it is ${gold(a!)}` },
      { episodeId: b!.episodeId, answer: `surely ${gold(b!)}` },
      // An exact match short-circuits: no request at all.
      { episodeId: c!.episodeId, answer: gold(c!) },
    ]);
    llm.setFaultRule(undefined);

    const byId = new Map(results.map((r) => [r.episodeId, r]));
    expect(byId.get(a!.episodeId)).toMatchObject({ status: 'ok', reward: 1, verdict: 'correct' });
    expect(byId.get(b!.episodeId)).toMatchObject({
      status: 'judge_failed',
      reward: null,
      verdict: null,
    });
    expect(byId.get(b!.episodeId)!.info.error?.code).toMatch(/^FR_ERR_JUDGE_/);
    expect(byId.get(c!.episodeId)).toMatchObject({ status: 'ok', reward: 1 });
    // One request for a, two attempts (first try + one retry) for b, none for c.
    expect(llm.requests.length - before).toBe(3);

    const stats = await client.stats();
    expect(stats.totals.judgeFailed).toBe(1);
    expect(stats.totals.answered).toBe(3);
    await env.close();
  });
});
