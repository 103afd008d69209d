/**
 * The serving-backend conformance suite: every backend of the OpenAI-compatible server
 * (`models/server.ts`) runs it from its own test file, so a new backend proves it keeps the
 * contract clients rely on: health and model listing, greedy answers that repeat, n seeded
 * choices that repeat, max_tokens and stop honoured, raw completions, many requests at once,
 * what it cannot do refused as `unsupported_parameter`, and OpenAI-style error bodies.
 *
 * ```ts
 * describeServingConformance('llama on SmolLM2', () => startModelServer({ model: 'smollm2' }));
 * ```
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelServer } from '../../models/server.ts';

interface Choice {
  index: number;
  message: { content: string };
  text: string;
  finish_reason: string;
  logprobs: { content: Array<{ token: string; logprob: number }> } | null;
}
interface Reply {
  choices: Choice[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  system_fingerprint?: string;
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface ServingConformanceOptions {
  /** Per-test timeout (ms; default 120 s: real models on a busy CPU). */
  timeoutMs?: number;
}

export function describeServingConformance(
  name: string,
  start: () => Promise<ModelServer>,
  opts: ServingConformanceOptions = {},
): void {
  const timeout = opts.timeoutMs ?? 120_000;
  describe(`serving conformance: ${name}`, () => {
    let server: ModelServer;
    let model: string;
    const post = async (path: string, body: unknown) => {
      const r = await fetch(`${server.baseURL}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: r.status, body: (await r.json()) as Reply };
    };
    const chat = (content: string, extra: Record<string, unknown> = {}) =>
      post('/chat/completions', { model, messages: [{ role: 'user', content }], ...extra });

    beforeAll(async () => {
      server = await start();
      model = server.modelId;
    }, 300_000);
    afterAll(async () => server?.close());

    it('reports health with its engine and lists exactly its one model', async () => {
      const h = (await (await fetch(`${server.url}/healthz`)).json()) as Record<string, unknown>;
      expect(h).toMatchObject({ status: 'ok', model, engine: server.backend.engine });
      const list = (await (await fetch(`${server.baseURL}/models`)).json()) as {
        data: Array<{ id: string; object: string }>;
      };
      expect(list.data).toEqual([expect.objectContaining({ id: model, object: 'model' })]);
    });

    it(
      'answers greedily with text, the same way twice, within max_tokens',
      async () => {
        const ask = () => chat('What is the capital of France?', { temperature: 0, max_tokens: 8 });
        const a = await ask();
        expect(a.status).toBe(200);
        expect(a.body.choices).toHaveLength(1);
        const c = a.body.choices[0]!;
        expect(typeof c.message.content).toBe('string');
        expect(['stop', 'length']).toContain(c.finish_reason);
        expect(a.body.usage.completion_tokens).toBeLessThanOrEqual(8);
        expect(a.body.usage.prompt_tokens).toBeGreaterThan(0);
        expect(a.body.usage.total_tokens).toBe(
          a.body.usage.prompt_tokens + a.body.usage.completion_tokens,
        );
        expect(a.body.system_fingerprint).toEqual(expect.any(String));
        const b = await ask();
        expect(b.body.choices[0]!.message.content).toBe(c.message.content);
      },
      timeout,
    );

    it(
      'gives n sampled choices that a seed reproduces, and length when max_tokens cuts them',
      async () => {
        const ask = () => chat('Name a fruit.', { temperature: 1, seed: 11, n: 3, max_tokens: 2 });
        const a = await ask();
        expect(a.status).toBe(200);
        expect(a.body.choices.map((c) => c.index)).toEqual([0, 1, 2]);
        for (const c of a.body.choices)
          if (c.finish_reason === 'length') expect(c.message.content.length).toBeGreaterThan(0);
        expect(a.body.usage.completion_tokens).toBeLessThanOrEqual(6);
        const b = await ask();
        expect(b.body.choices.map((c) => c.message.content)).toEqual(
          a.body.choices.map((c) => c.message.content),
        );
      },
      timeout,
    );

    it(
      'ends a choice before its stop string, which is not returned',
      async () => {
        const q = 'Say something about the sea.';
        const full = (await chat(q, { temperature: 0, max_tokens: 12 })).body.choices[0]!;
        const text = full.message.content;
        const words = text.split(' ').filter(Boolean);
        const chars = Array.from(text);
        expect(chars.length).toBeGreaterThanOrEqual(2);
        // The second word with its space; a one-word answer is cut inside the word.
        const stop = words.length >= 2 ? ` ${words[1]}` : chars.slice(1, 3).join('');
        const cut = (await chat(q, { temperature: 0, max_tokens: 12, stop: [stop] })).body
          .choices[0]!;
        expect(cut.message.content).not.toContain(stop);
        expect(text.startsWith(cut.message.content)).toBe(true);
        expect(cut.message.content.length).toBeLessThan(text.length);
        expect(cut.finish_reason).toBe('stop');
      },
      timeout,
    );

    it(
      'completes raw prompts on /v1/completions, n choices per prompt in order',
      async () => {
        const r = await post('/completions', {
          model,
          prompt: ['The sea is', 'Paris is'],
          n: 2,
          max_tokens: 3,
          temperature: 0,
        });
        expect(r.status).toBe(200);
        expect(r.body.choices.map((c) => c.index)).toEqual([0, 1, 2, 3]);
        for (const c of r.body.choices) expect(typeof c.text).toBe('string');
        expect(r.body.choices[0]!.text).toBe(r.body.choices[1]!.text); // greedy: n equal choices
      },
      timeout,
    );

    it(
      'answers many requests at once, each with its own choices',
      async () => {
        const qs = Array.from({ length: 6 }, (_, i) => `Who is person number ${i}?`);
        const rs = await Promise.all(qs.map((q) => chat(q, { temperature: 0, max_tokens: 4 })));
        for (const r of rs) {
          expect(r.status).toBe(200);
          expect(r.body.choices).toHaveLength(1);
        }
        // The same answers one at a time: batching or parallel sequences change nothing.
        const one = await chat(qs[3]!, { temperature: 0, max_tokens: 4 });
        expect(one.body.choices[0]!.message.content).toBe(rs[3]!.body.choices[0]!.message.content);
      },
      timeout,
    );

    it(
      'gives log-probs where the backend has them, else refuses them as unsupported',
      async () => {
        const r = await chat('Hello.', { temperature: 0, max_tokens: 3, logprobs: true });
        if (server.backend.features.logprobs) {
          expect(r.status).toBe(200);
          const lp = r.body.choices[0]!.logprobs!.content;
          expect(lp.length).toBe(r.body.usage.completion_tokens);
          for (const t of lp) expect(t.logprob).toBeLessThanOrEqual(0);
        } else {
          expect(r.status).toBe(400);
          expect(r.body.error).toMatchObject({ param: 'logprobs', code: 'unsupported_parameter' });
        }
        const schema = {
          type: 'json_schema',
          json_schema: { name: 'a', schema: { type: 'object' } },
        };
        const s = await chat('Hello.', { max_tokens: 8, response_format: schema });
        if (!server.backend.features.jsonSchema) {
          expect(s.status).toBe(400);
          expect(s.body.error.code).toBe('unsupported_parameter');
        }
      },
      timeout,
    );

    it('answers bad requests with OpenAI-style error bodies', async () => {
      const unknown = await post('/chat/completions', {
        model: 'no-such-model',
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error).toMatchObject({ param: 'model', code: 'model_not_found' });
      const badType = await chat('hi', { temperature: 'hot' });
      expect(badType.status).toBe(400);
      expect(badType.body.error).toMatchObject({
        type: 'invalid_request_error',
        param: 'temperature',
        code: 'invalid_value',
      });
      const tooMany = await chat('hi', { n: 129 });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.error.param).toBe('n');
      const stream = await chat('hi', { stream: true });
      expect(stream.status).toBe(400);
      expect(stream.body.error.code).toBe('unsupported_parameter');
      const long = await chat('hi', { max_tokens: server.backend.contextSize + 1 });
      expect(long.status).toBe(400);
      expect(long.body.error.code).toBe('context_length_exceeded');
      const route = await fetch(`${server.baseURL}/embeddings`, { method: 'POST' });
      expect(route.status).toBe(404);
      expect(((await route.json()) as Reply).error.code).toBe('unknown_route');
    });
  });
}
