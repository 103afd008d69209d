/**
 * A real HTTP server on 127.0.0.1 (port 0) that speaks the OpenAI Chat Completions wire format,
 * for tests and benchmarks: the real `openai` client talks to it over sockets, so retries,
 * timeouts and parsing are exercised for real.
 *
 * What it answers is pluggable (`answerer`): by default it grades FactRecall judge requests by
 * the `contains` rules; policy-model tests can plug in their own. Faults are injected on
 * request: a queue consumed one per request (`queueFaults`), or a rule that picks a fault per
 * request (`setFaultRule`).
 */
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { containsDecision } from '../../judges/contains.ts';
import { itemFromGradingMessages } from '../../judges/llm/grading-prompt.ts';

export interface ChatRequestBody {
  model: string;
  messages: Array<{ role: string; content?: unknown }>;
  temperature?: number;
  max_tokens?: number;
  n?: number;
  stream?: boolean;
  response_format?: { type: string; json_schema?: { name: string; schema: unknown } };
  [key: string]: unknown;
}

/** Returns the assistant message content for one choice. */
export type Answerer = (body: ChatRequestBody, choiceIndex: number) => string | Promise<string>;

export type Fault =
  /** Answer after a delay (ms). */
  | { kind: 'latency'; ms: number }
  /** An HTTP error status, with optional retry hints. */
  | {
      kind: 'status';
      status: number;
      retryAfterS?: number;
      retryAfterMs?: number;
      message?: string;
    }
  /** Never answer within `ms` (the client's timeout should fire first). */
  | { kind: 'hang'; ms: number }
  /** A 200 whose content is the real answer cut in half, finish_reason "length". */
  | { kind: 'truncated' }
  /** A 200 whose content is not what was asked for. */
  | { kind: 'malformed'; content?: string }
  /** Headers sent, then the connection is destroyed mid-body. */
  | { kind: 'disconnect' };

export interface OpenAiTestServerOptions {
  answerer?: Answerer;
  /** Latency added to every request (ms). */
  latencyMs?: number;
  /** When false, a request with response_format json_schema gets a 400, like servers without it. */
  supportsJsonSchema?: boolean;
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
}

export interface RecordedRequest {
  body: ChatRequestBody;
  fault: Fault | undefined;
  status: number;
}

export interface OpenAiTestServer {
  /** Base URL for the openai client, ending in /v1. */
  readonly baseURL: string;
  readonly requests: RecordedRequest[];
  setAnswerer(answerer: Answerer): void;
  setLatency(ms: number): void;
  queueFaults(...faults: Fault[]): void;
  setFaultRule(rule: ((body: ChatRequestBody) => Fault | undefined) | undefined): void;
  close(): Promise<void>;
}

/**
 * The default answerer: grades a FactRecall grading request by the `contains` rules, replying
 * in JSON when a JSON schema was asked for, else with one upper-case word.
 */
export const gradingAnswerer: Answerer = (body) => {
  const item = itemFromGradingMessages(body.messages);
  if (!item) return 'I can only grade FactRecall judge requests.';
  const d = containsDecision(item);
  const grade = d.label === 'correct' ? 'A' : d.label === 'incorrect' ? 'B' : 'C';
  if (body.response_format?.type === 'json_schema') return JSON.stringify({ grade });
  return grade;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startOpenAiTestServer(
  opts: OpenAiTestServerOptions = {},
): Promise<OpenAiTestServer> {
  let answerer = opts.answerer ?? gradingAnswerer;
  let latencyMs = opts.latencyMs ?? 0;
  let faultRule: ((body: ChatRequestBody) => Fault | undefined) | undefined;
  const queue: Fault[] = [];
  const requests: RecordedRequest[] = [];
  let completionId = 0;

  const app: FastifyInstance = Fastify({
    logger: false,
    forceCloseConnections: true,
    bodyLimit: 8 << 20,
  });

  app.post('/v1/chat/completions', async (req, reply) => {
    const body = req.body as ChatRequestBody;
    const fault = queue.shift() ?? faultRule?.(body);
    const record: RecordedRequest = { body, fault, status: 200 };
    requests.push(record);
    const fail = (status: number, message: string, type = 'invalid_request_error') => {
      record.status = status;
      return reply.code(status).send({ error: { message, type, code: null, param: null } });
    };

    if (opts.apiKey && req.headers.authorization !== `Bearer ${opts.apiKey}`) {
      return fail(401, 'Incorrect API key provided');
    }
    if (!body || typeof body.model !== 'string' || !Array.isArray(body.messages)) {
      return fail(400, 'model and messages are required');
    }
    if (body.stream) return fail(400, 'stream is not supported by this test server');
    if (opts.supportsJsonSchema === false && body.response_format?.type === 'json_schema') {
      return fail(400, "response_format of type 'json_schema' is not supported by this server");
    }
    if (latencyMs > 0) await sleep(latencyMs);

    switch (fault?.kind) {
      case 'latency':
        await sleep(fault.ms);
        break;
      case 'hang':
        await sleep(fault.ms);
        return fail(504, 'hung request released');
      case 'status': {
        if (fault.retryAfterS !== undefined) reply.header('retry-after', String(fault.retryAfterS));
        if (fault.retryAfterMs !== undefined)
          reply.header('retry-after-ms', String(fault.retryAfterMs));
        return fail(fault.status, fault.message ?? `injected ${fault.status}`, 'server_error');
      }
      case 'disconnect':
        record.status = -1;
        reply.raw.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
        reply.raw.write('{"id":"chatcmpl-cut","object":"chat.com');
        reply.raw.destroy();
        return reply;
      default:
    }

    const n = Math.max(1, Math.min(body.n ?? 1, 128));
    const choices = [];
    for (let i = 0; i < n; i++) {
      let content = await answerer(body, i);
      let finish = 'stop';
      if (fault?.kind === 'truncated') {
        content = content.slice(0, Math.floor(content.length / 2));
        finish = 'length';
      } else if (fault?.kind === 'malformed') {
        content = fault.content ?? 'Sure! The verdict is: {correct';
      }
      choices.push({
        index: i,
        message: { role: 'assistant', content, refusal: null },
        logprobs: null,
        finish_reason: finish,
      });
    }
    const promptChars = body.messages.reduce(
      (s, m) => s + (typeof m.content === 'string' ? m.content.length : 0),
      0,
    );
    const completionChars = choices.reduce((s, c) => s + c.message.content.length, 0);
    return {
      id: `chatcmpl-test-${++completionId}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices,
      usage: {
        prompt_tokens: Math.ceil(promptChars / 4),
        completion_tokens: Math.ceil(completionChars / 4),
        total_tokens: Math.ceil((promptChars + completionChars) / 4),
      },
    };
  });

  app.get('/v1/models', async () => ({
    object: 'list',
    data: [{ id: 'test-model', object: 'model', created: 0, owned_by: 'factrecall-tests' }],
  }));

  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    setAnswerer(a) {
      answerer = a;
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    queueFaults(...faults) {
      queue.push(...faults);
    },
    setFaultRule(rule) {
      faultRule = rule;
    },
    async close() {
      await app.close();
    },
  };
}
