import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type Fault,
  type OpenAiTestServer,
  startOpenAiTestServer,
} from '../../test/support/openai-server.ts';
import { backoffMs } from '../backoff.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import {
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  policyBackoff,
  retryAfterMs,
} from './retry-policy.ts';
import { type StructuredCache, StructuredClient } from './structured-client.ts';

/** The dedup question: is the test fact contained in the train item? */
const Contained = z.object({ is_contained: z.boolean(), reasoning: z.string() }).strict();

let server: OpenAiTestServer;
beforeAll(async () => {
  server = await startOpenAiTestServer({
    apiKey: 'sk-test',
    answerer: (body) => {
      const text = JSON.stringify(body.messages);
      return JSON.stringify({ is_contained: text.includes('Paris'), reasoning: 'word rule' });
    },
  });
});
afterAll(() => server.close());

const client = (extra: Partial<ConstructorParameters<typeof StructuredClient>[0]> = {}) =>
  new StructuredClient({
    baseURL: server.baseURL,
    apiKey: 'sk-test',
    model: 'dedup',
    retry: { initialDelayMs: 1, maxDelayMs: 5 },
    ...extra,
  });

describe('StructuredClient with a prompt other than grading', () => {
  it('returns the zod-validated object and sends the schema as a strict json_schema', async () => {
    const before = server.requests.length;
    const { value } = await client().request({
      messages: [{ role: 'user', content: 'Test: capital of France is Paris. Train: ...' }],
      schema: Contained,
      schemaName: 'containment',
    });
    expect(value).toEqual({ is_contained: true, reasoning: 'word rule' });
    const sent = server.requests[before]!.body.response_format as unknown as {
      json_schema: { strict: boolean; schema: Record<string, unknown> };
    };
    expect(sent.json_schema.strict).toBe(true);
    expect(sent.json_schema.schema).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['is_contained', 'reasoning'],
    });
    expect(sent.json_schema.schema.$schema).toBeUndefined();
  });

  it('uses and fills a cache given with a key, re-validating what it reads', async () => {
    const store = new Map<string, unknown>();
    const cache: StructuredCache = {
      get: (k) => store.get(k),
      set: (k, v) => void store.set(k, v),
    };
    const c = client({ cache });
    const req = {
      messages: [{ role: 'user' as const, content: 'Lyon' }],
      schema: Contained,
      schemaName: 'c',
      cacheKey: 'k1',
    };
    expect((await c.request(req)).cached).toBe(false);
    expect(store.get('k1')).toEqual({ is_contained: false, reasoning: 'word rule' });
    expect((await c.request(req)).cached).toBe(true);
    store.set('k1', { is_contained: 'yes' });
    expect((await c.request(req)).cached).toBe(false);
  });

  it('rejects a wrong API key without retrying', async () => {
    const before = server.requests.length;
    await expect(
      client({ apiKey: 'wrong' }).request({
        messages: [{ role: 'user', content: 'x' }],
        schema: Contained,
        schemaName: 'c',
      }),
    ).rejects.toMatchObject({ code: 'FR_ERR_LLM_REJECTED', retryable: false });
    expect(server.requests.length - before).toBe(1);
  });

  it('fails with FR_ERR_LLM_UNAVAILABLE when nothing listens at the URL', async () => {
    const dead = new StructuredClient({
      baseURL: 'http://127.0.0.1:9/v1',
      model: 'm',
      retry: { maxRetries: 1, initialDelayMs: 1 },
    });
    await expect(
      dead.request({
        messages: [{ role: 'user', content: 'x' }],
        schema: Contained,
        schemaName: 'c',
      }),
    ).rejects.toMatchObject({
      code: 'FR_ERR_LLM_UNAVAILABLE',
      retryable: true,
    });
  });
});

describe('the two transports (http, the default, and the openai client)', () => {
  const FAULTS: Array<[string, Fault]> = [
    ['a 429 with retry-after-ms', { kind: 'status', status: 429, retryAfterMs: 7 }],
    ['a 503 with retry-after seconds', { kind: 'status', status: 503, retryAfterS: 2 }],
    ['a 400', { kind: 'status', status: 400, message: 'bad things' }],
    ['a 500', { kind: 'status', status: 500 }],
    ['a body cut short', { kind: 'disconnect' }],
    ['a reply that is not the schema', { kind: 'malformed' }],
    ['a hang past the timeout', { kind: 'hang', ms: 300 }],
  ];
  const outcome = async (transport: 'http' | 'openai', fault: Fault) => {
    server.queueFaults(fault);
    const c = client({
      transport,
      timeoutMs: 100,
      parseRetries: 0,
      retry: { maxRetries: 0 },
      responseFormat: 'json_schema',
    });
    const e = (await c
      .request({ messages: [{ role: 'user', content: 'x' }], schema: Contained, schemaName: 'c' })
      .then(
        () => undefined,
        (x: unknown) => x,
      )) as { code: string; retryable: boolean; retryAfterMs?: number } | undefined;
    return e && { code: e.code, retryable: e.retryable, retryAfterMs: e.retryAfterMs };
  };

  for (const [name, fault] of FAULTS) {
    it(`classify ${name} alike`, async () => {
      const viaHttp = await outcome('http', fault);
      expect(viaHttp).toBeDefined();
      expect(viaHttp).toEqual(await outcome('openai', fault));
    });
  }

  it('both fall back to text mode when the server refuses json_schema', async () => {
    const plain = await startOpenAiTestServer({
      supportsJsonSchema: false,
      answerer: () => '{"is_contained": false, "reasoning": "text mode"}',
    });
    try {
      for (const transport of ['http', 'openai'] as const) {
        const c = new StructuredClient({ baseURL: plain.baseURL, model: 'm', transport });
        const r = await c.request({
          messages: [{ role: 'user', content: 'x' }],
          schema: Contained,
          schemaName: 'c',
        });
        expect(r.value.reasoning).toBe('text mode');
        expect(c.stats.responseFormat).toBe('text');
      }
    } finally {
      await plain.close();
    }
  });
});

describe('the test server', () => {
  it('speaks the Chat Completions format to the real openai client, with n choices and usage', async () => {
    const openai = new OpenAI({ baseURL: server.baseURL, apiKey: 'sk-test', maxRetries: 0 });
    const r = await openai.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'Paris' }],
      n: 2,
    });
    expect(r.object).toBe('chat.completion');
    expect(r.choices).toHaveLength(2);
    expect(r.choices[1]!.finish_reason).toBe('stop');
    expect(r.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('injects a 429 with retry-after that the openai client surfaces as a RateLimitError', async () => {
    server.queueFaults({ kind: 'status', status: 429, retryAfterS: 3 });
    const openai = new OpenAI({ baseURL: server.baseURL, apiKey: 'sk-test', maxRetries: 0 });
    const e = await openai.chat.completions
      .create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OpenAI.RateLimitError);
    expect((e as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('3');
  });
});

describe('retry policy and circuit breaker', () => {
  it('retries exactly 408, 409, 429 and 5xx', () => {
    expect([400, 401, 404, 408, 409, 422, 429, 500, 503].filter(isRetryableStatus)).toEqual([
      408, 409, 429, 500, 503,
    ]);
  });

  it('reads retry-after-ms, retry-after seconds and HTTP dates', () => {
    const h = (o: Record<string, string>) => new Headers(o);
    expect(retryAfterMs(h({ 'retry-after-ms': '120' }))).toBe(120);
    expect(retryAfterMs(h({ 'retry-after': '2' }))).toBe(2000);
    expect(retryAfterMs(h({ 'retry-after': new Date(10_000).toUTCString() }), 4_000)).toBe(6000);
    expect(retryAfterMs(h({ 'retry-after': 'soon' }))).toBeUndefined();
  });

  it('backs off exponentially, capped, with at most 25% jitter', () => {
    const p = { ...DEFAULT_RETRY_POLICY, initialDelayMs: 100, maxDelayMs: 1000 };
    const b = policyBackoff(p);
    expect([0, 1, 2, 3, 4].map((r) => backoffMs(r, b, () => 0))).toEqual([
      100, 200, 400, 800, 1000,
    ]);
    expect(backoffMs(1, b, () => 1)).toBe(150);
  });

  it('opens after the threshold, lets one probe through after the cooldown, and closes on success', () => {
    let now = 0;
    const b = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 100, now: () => now });
    b.onFailure();
    expect(b.acquire()).toBe(0);
    b.onFailure();
    expect(b.state).toBe('open');
    expect(b.acquire()).toBe(100);
    now = 100;
    expect(b.acquire()).toBe(0);
    expect(b.acquire()).toBeGreaterThan(0);
    b.onFailure();
    expect(b.state).toBe('open');
    expect(b.timesOpened).toBe(2);
    now = 250;
    expect(b.acquire()).toBe(0);
    b.onSuccess();
    expect(b.state).toBe('closed');
  });
});
