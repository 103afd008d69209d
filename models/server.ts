/**
 * `startModelServer`: an OpenAI-compatible HTTP server (fastify, 127.0.0.1) over a local GGUF
 * model. Routes: GET /healthz, GET /v1/models, POST /v1/chat/completions, POST /v1/completions.
 *
 * Each choice of a request (`n`) takes one context sequence; at most `sequences` run at once,
 * up to `maxQueue` wait in FIFO order, and beyond that the server answers 429 with
 * `retry-after` instead of piling up work. A client that disconnects stops its generations.
 * `seed` makes a request reproducible (choice i samples with seed + i).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { LlamaGrammar, Token } from 'node-llama-cpp';
import { fetchModel } from './fetch.ts';
import { compileChecker, grammarSchema, type SchemaCheck } from './json-schema.ts';
import { type GenerateParams, type Generation, LocalModel } from './local-model.ts';
import {
  ApiError,
  badRequest,
  type ChatRequest,
  type CompletionRequest,
  chatLogprobs,
  chatRequest,
  completionLogprobs,
  completionRequest,
  contentText,
  parseBody,
} from './openai-wire.ts';
import { QueueFullError, Semaphore } from './queue.ts';

export interface ModelServerOptions {
  /** A registry model name (fetched into the cache when missing), e.g. `smollm2`. */
  model?: string;
  /** Or a GGUF file to serve directly (its id is `modelId`, default the file name). */
  modelPath?: string;
  modelId?: string;
  host?: string;
  /** 0 = any free port. */
  port?: number;
  /** Context sequences = generations at once (default 4). */
  sequences?: number;
  /** Choices allowed to wait for a sequence (default 256). */
  maxQueue?: number;
  /** Tokens per sequence, prompt + completion (default 2048). */
  contextSize?: number;
  threads?: number;
  /** Extra generations when a finished JSON-schema answer breaks a constraint the grammar could not carry (default 2). */
  schemaRetries?: number;
  log?: (line: string) => void;
}

export interface ModelServer {
  /** http://host:port */
  readonly url: string;
  /** url + /v1, for OpenAI clients. */
  readonly baseURL: string;
  readonly modelId: string;
  readonly model: LocalModel;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

interface Job {
  prompt: Token[];
  stops: Token[][];
  params: Omit<GenerateParams, 'seed' | 'signal'>;
  seed: number;
  n: number;
  check?: (text: string) => SchemaCheck;
}

export async function startModelServer(opts: ModelServerOptions = {}): Promise<ModelServer> {
  let modelPath = opts.modelPath;
  let modelId = opts.modelId;
  if (!modelPath) {
    const fetched = await fetchModel(opts.model ?? 'smollm2', { log: opts.log });
    modelPath = fetched.path;
    modelId ??= fetched.name;
  }
  modelId ??= modelPath.split('/').pop()!;
  const model = await LocalModel.load({
    modelPath,
    sequences: opts.sequences ?? 4,
    contextSize: opts.contextSize ?? 2048,
    ...(opts.threads ? { threads: opts.threads } : {}),
  });
  const slots = new Semaphore(model.sequences, opts.maxQueue ?? 256);
  const schemaRetries = opts.schemaRetries ?? 2;
  const grammars = new Map<string, Promise<LlamaGrammar>>();
  const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
  const created = Math.floor(Date.now() / 1000);

  const checkModel = (m: string) => {
    if (m !== modelId) {
      throw new ApiError(
        404,
        `The model '${m}' does not exist; this server serves '${modelId}'.`,
        'invalid_request_error',
        'model',
        'model_not_found',
      );
    }
  };

  /** The shared sampling options of both APIs, checked. */
  function sampling(
    body: ChatRequest | CompletionRequest,
    promptTokens: number,
    defaultMax: number,
  ) {
    if (body.stream)
      throw badRequest(
        'stream is not supported by this server; send stream: false.',
        'stream',
        'unsupported_parameter',
      );
    for (const p of ['presence_penalty', 'frequency_penalty'] as const) {
      if (body[p])
        throw badRequest(
          `${p} is not supported by this server (only 0).`,
          p,
          'unsupported_parameter',
        );
    }
    const room = model.contextSize - promptTokens;
    const maxCompletion = 'max_completion_tokens' in body ? body.max_completion_tokens : undefined;
    const asked: number | undefined =
      (maxCompletion as number | null | undefined) ?? body.max_tokens ?? undefined;
    if (room < 1 || (asked && asked > room)) {
      throw badRequest(
        `This model's context holds ${model.contextSize} tokens per request; the prompt has ${promptTokens} and ${asked ?? 1} were asked for.`,
        'messages' in body ? 'messages' : 'prompt',
        'context_length_exceeded',
      );
    }
    const stop = body.stop == null ? [] : typeof body.stop === 'string' ? [body.stop] : body.stop;
    return {
      seed: body.seed ?? randomInt(2 ** 31),
      n: body.n ?? 1,
      params: {
        maxTokens: asked ?? Math.min(defaultMax, room),
        temperature: body.temperature ?? 1,
        topP: body.top_p ?? 1,
        stop,
      },
    };
  }

  async function schemaGrammar(schema: unknown): Promise<LlamaGrammar> {
    const g = grammarSchema(schema);
    const key = JSON.stringify(g);
    let p = grammars.get(key);
    if (!p) {
      // biome-ignore lint/suspicious/noExplicitAny: the translated schema is checked at run time by the compiler
      p = model.llama.createGrammarForJsonSchema(g as any);
      grammars.set(key, p);
      p.catch(() => grammars.delete(key));
    }
    return p;
  }

  /** One choice: a slot, a generation, and for JSON schemas a check with retries. */
  async function choice(job: Job, i: number, signal: AbortSignal): Promise<Generation> {
    let last: Generation | undefined;
    let why = '';
    for (let attempt = 0; attempt <= (job.check ? schemaRetries : 0); attempt++) {
      const release = await slots.acquire(signal);
      try {
        const seed = (job.seed + i + attempt * 1_000_003) % 2 ** 31;
        last = await model.generate(job.prompt, { ...job.params, seed, signal }, job.stops);
      } finally {
        release();
      }
      if (!job.check || last.finishReason === 'length') return last;
      const r = job.check(last.text);
      if (r.ok) return last;
      why = r.error;
    }
    throw new ApiError(
      500,
      `The model's JSON broke the schema on ${schemaRetries + 1} attempts: ${why}`,
      'server_error',
      'response_format',
      'schema_violation',
    );
  }

  async function runAll(job: Job, reply: FastifyReply): Promise<Generation[]> {
    const abort = new AbortController();
    setMaxListeners(0, abort.signal); // one listener per queued choice (n may be 128)
    const onClose = () => {
      if (!reply.raw.writableFinished) abort.abort(new Error('client disconnected'));
    };
    reply.raw.on('close', onClose);
    try {
      return await Promise.all(
        Array.from({ length: job.n }, (_, i) => choice(job, i, abort.signal)),
      );
    } catch (e) {
      abort.abort(e);
      throw e;
    } finally {
      reply.raw.off('close', onClose);
    }
  }

  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof ApiError) {
      if (err.retryAfterS !== undefined) reply.header('retry-after', String(err.retryAfterS));
      return reply.code(err.status).send(err.body());
    }
    if (err instanceof QueueFullError) {
      return reply
        .code(429)
        .header('retry-after', '1')
        .send(
          new ApiError(
            429,
            `The server is busy (${err.message}); retry later.`,
            'rate_limit_exceeded',
            null,
            'queue_full',
          ).body(),
        );
    }
    const e = err as { statusCode?: number; message?: string };
    if (e.statusCode && e.statusCode < 500) {
      return reply.code(e.statusCode).send(badRequest(e.message ?? 'bad request').body());
    }
    if (reply.raw.destroyed) return reply; // the client went away; its generations stopped
    opts.log?.(`internal error: ${(err as Error).stack ?? String(err)}`);
    return reply
      .code(500)
      .send(new ApiError(500, `Internal error: ${(err as Error).message}`, 'server_error').body());
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .send(
        new ApiError(
          404,
          `Unknown route ${req.method} ${req.url}.`,
          'invalid_request_error',
          null,
          'unknown_route',
        ).body(),
      ),
  );

  app.get('/healthz', async () => ({
    status: 'ok',
    model: modelId,
    sequences: model.sequences,
    contextSize: model.contextSize,
    threads: model.threads,
    running: slots.running,
    queued: slots.queued,
  }));

  app.get('/v1/models', async () => ({
    object: 'list',
    data: [{ id: modelId, object: 'model', created, owned_by: 'factrecall' }],
  }));

  app.post('/v1/chat/completions', async (req, reply) => {
    const body = parseBody(chatRequest, req.body);
    checkModel(body.model);
    if (body.top_logprobs && !body.logprobs) {
      throw badRequest('top_logprobs needs logprobs: true.', 'top_logprobs', 'invalid_value');
    }
    const messages = body.messages.map((m) => ({ role: m.role, content: contentText(m.content) }));
    const { tokens, stops } = model.chatPrompt(messages);
    const s = sampling(body, tokens.length, model.contextSize);
    const job: Job = {
      prompt: tokens,
      stops,
      seed: s.seed,
      n: s.n,
      params: {
        ...s.params,
        ...(body.logprobs ? { logprobs: { top: body.top_logprobs ?? 0 } } : {}),
      },
    };
    const rf = body.response_format;
    if (rf && rf.type !== 'text') {
      const schema = rf.type === 'json_schema' ? (rf.json_schema.schema ?? {}) : {};
      try {
        job.check = compileChecker(schema);
        job.params.grammar = await schemaGrammar(schema);
      } catch (e) {
        throw badRequest(
          `response_format schema cannot be used: ${(e as Error).message}`,
          'response_format',
          'invalid_json_schema',
        );
      }
    }
    const gens = await runAll(job, reply);
    return {
      id: `chatcmpl-${randomUUID()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: modelId,
      system_fingerprint: `factrecall-llama-${model.threads}t`,
      choices: gens.map((g, index) => ({
        index,
        message: { role: 'assistant', content: g.text, refusal: null },
        logprobs: g.logprobs ? chatLogprobs(g.logprobs) : null,
        finish_reason: g.finishReason,
      })),
      usage: usage(tokens.length, gens),
    };
  });

  app.post('/v1/completions', async (req, reply) => {
    const body = parseBody(completionRequest, req.body);
    checkModel(body.model);
    if (body.echo)
      throw badRequest('echo is not supported by this server.', 'echo', 'unsupported_parameter');
    if (body.suffix)
      throw badRequest(
        'suffix is not supported by this server.',
        'suffix',
        'unsupported_parameter',
      );
    const prompts = typeof body.prompt === 'string' ? [body.prompt] : body.prompt;
    const tokenized = prompts.map((p) => model.tokenize(p));
    const longest = Math.max(...tokenized.map((t) => t.length));
    const s = sampling(body, longest, 16);
    const results = await Promise.all(
      tokenized.map((prompt) =>
        runAll(
          {
            prompt,
            stops: [],
            seed: s.seed,
            n: s.n,
            params: {
              ...s.params,
              ...(body.logprobs != null ? { logprobs: { top: body.logprobs } } : {}),
            },
          },
          reply,
        ),
      ),
    );
    const gens = results.flat();
    return {
      id: `cmpl-${randomUUID()}`,
      object: 'text_completion',
      created: Math.floor(Date.now() / 1000),
      model: modelId,
      choices: gens.map((g, index) => ({
        index,
        text: g.text,
        logprobs: g.logprobs ? completionLogprobs(g.logprobs) : null,
        finish_reason: g.finishReason,
      })),
      usage: usage(
        tokenized.reduce((a, t) => a + t.length, 0),
        gens,
      ),
    };
  });

  await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://${opts.host ?? '127.0.0.1'}:${port}`;
  return {
    url,
    baseURL: `${url}/v1`,
    modelId,
    model,
    app,
    async close() {
      await app.close();
      await model.close();
    },
  };
}

function usage(promptTokens: number, gens: readonly Generation[]) {
  const completion = gens.reduce((a, g) => a + g.completionTokens, 0);
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completion,
    total_tokens: promptTokens + completion,
  };
}
