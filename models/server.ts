/**
 * An OpenAI-compatible HTTP server (fastify, 127.0.0.1) over a `ServingBackend`: llama.cpp on a
 * GGUF file by default (`startModelServer`), or any backend (`serveBackend`; cuda-agent's
 * transformers worker is one). Routes: GET /healthz, GET /v1/models, POST /v1/chat/completions,
 * POST /v1/completions.
 *
 * The server validates requests (OpenAI-style 400s naming the field), checks the context
 * length where the backend knows the prompt's, refuses what the backend cannot do
 * (`unsupported_parameter`), and stops a request's generations when its client disconnects.
 * `seed` makes a request reproducible (choice i samples with seed + i).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { ChoiceParams, Generation, PreparedPrompt, ServingBackend } from './backend.ts';
import { fetchModel } from './fetch.ts';
import { LlamaBackend } from './llama-backend.ts';
import { LocalModel } from './local-model.ts';
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
import { QueueFullError } from './queue.ts';

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

export interface ServeOptions {
  /** The id clients name in `model` (the only one served). */
  modelId: string;
  host?: string;
  /** 0 = any free port. */
  port?: number;
  log?: (line: string) => void;
}

export interface ModelServer<B extends ServingBackend = ServingBackend> {
  /** http://host:port */
  readonly url: string;
  /** url + /v1, for OpenAI clients. */
  readonly baseURL: string;
  readonly modelId: string;
  readonly backend: B;
  readonly app: FastifyInstance;
  /** Stops the server, then the backend. */
  close(): Promise<void>;
}

/** The llama.cpp server over a registry model (fetched when missing) or a GGUF file. */
export async function startModelServer(
  opts: ModelServerOptions = {},
): Promise<ModelServer<LlamaBackend>> {
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
  const backend = new LlamaBackend(model, {
    ...(opts.maxQueue !== undefined ? { maxQueue: opts.maxQueue } : {}),
    ...(opts.schemaRetries !== undefined ? { schemaRetries: opts.schemaRetries } : {}),
  });
  try {
    return await serveBackend(backend, {
      modelId,
      ...(opts.host ? { host: opts.host } : {}),
      ...(opts.port !== undefined ? { port: opts.port } : {}),
      ...(opts.log ? { log: opts.log } : {}),
    });
  } catch (e) {
    await backend.close();
    throw e;
  }
}

/** Serve `backend` OpenAI-style; `close()` also closes the backend. */
export async function serveBackend<B extends ServingBackend>(
  backend: B,
  opts: ServeOptions,
): Promise<ModelServer<B>> {
  const { modelId } = opts;
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

  const unsupported = (param: string, what: string) =>
    badRequest(
      `${what} is not supported by this server's ${backend.engine} backend.`,
      param,
      'unsupported_parameter',
    );

  /** The shared sampling options of both APIs, checked. */
  function sampling(
    body: ChatRequest | CompletionRequest,
    promptTokens: number | undefined,
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
    // Where the backend learns the prompt's length only when it generates, the whole context
    // is the bound here and the backend refuses a prompt that leaves too little room.
    const room = backend.contextSize - (promptTokens ?? 0);
    const maxCompletion = 'max_completion_tokens' in body ? body.max_completion_tokens : undefined;
    const asked: number | undefined =
      (maxCompletion as number | null | undefined) ?? body.max_tokens ?? undefined;
    if (room < 1 || (asked && asked > room)) {
      throw badRequest(
        `This model's context holds ${backend.contextSize} tokens per request; the prompt has ${promptTokens ?? 'some'} and ${asked ?? 1} were asked for.`,
        'messages' in body ? 'messages' : 'prompt',
        'context_length_exceeded',
      );
    }
    const stop = body.stop == null ? [] : typeof body.stop === 'string' ? [body.stop] : body.stop;
    const params: ChoiceParams = {
      maxTokens: asked ?? Math.min(defaultMax, room),
      temperature: body.temperature ?? 1,
      topP: body.top_p ?? 1,
      seed: body.seed ?? randomInt(2 ** 31),
      seeded: body.seed != null,
      stop,
    };
    return { n: body.n ?? 1, params };
  }

  /** The backend's choices of one prompt, stopped when the client goes away. */
  async function runAll(
    prompt: PreparedPrompt,
    n: number,
    params: ChoiceParams,
    reply: FastifyReply,
  ): Promise<{ promptTokens: number; generations: Generation[] }> {
    const abort = new AbortController();
    setMaxListeners(0, abort.signal); // one listener per queued choice (n may be 128)
    const onClose = () => {
      if (!reply.raw.writableFinished) abort.abort(new Error('client disconnected'));
    };
    reply.raw.on('close', onClose);
    try {
      return await backend.generate(prompt, n, params, abort.signal);
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

  app.get('/healthz', async (_req, reply) => {
    const { ok, ...rest } = backend.health();
    return reply
      .code(ok ? 200 : 503)
      .send({ status: ok ? 'ok' : 'failed', model: modelId, engine: backend.engine, ...rest });
  });

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
    if (body.logprobs && !backend.features.logprobs) throw unsupported('logprobs', 'logprobs');
    if ((body.top_logprobs ?? 0) > backend.features.topLogprobs)
      throw unsupported('top_logprobs', `top_logprobs above ${backend.features.topLogprobs}`);
    const rf = body.response_format;
    if (rf && rf.type !== 'text' && !backend.features.jsonSchema)
      throw unsupported('response_format', `response_format ${rf.type}`);
    const messages = body.messages.map((m) => ({ role: m.role, content: contentText(m.content) }));
    const prompt = await backend.chatPrompt(messages);
    const s = sampling(body, prompt.tokens, backend.contextSize);
    if (body.logprobs) s.params.logprobs = { top: body.top_logprobs ?? 0 };
    if (rf && rf.type !== 'text')
      s.params.jsonSchema = rf.type === 'json_schema' ? (rf.json_schema.schema ?? {}) : {};
    const { promptTokens, generations } = await runAll(prompt, s.n, s.params, reply);
    return {
      id: `chatcmpl-${randomUUID()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: modelId,
      system_fingerprint: backend.fingerprint,
      choices: generations.map((g, index) => ({
        index,
        message: { role: 'assistant', content: g.text, refusal: null },
        logprobs: g.logprobs ? chatLogprobs(g.logprobs) : null,
        finish_reason: g.finishReason,
      })),
      usage: usage(promptTokens, generations),
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
    if (body.logprobs != null && !backend.features.logprobs)
      throw unsupported('logprobs', 'logprobs');
    if ((body.logprobs ?? 0) > backend.features.topLogprobs)
      throw unsupported('logprobs', `logprobs above ${backend.features.topLogprobs}`);
    const texts = typeof body.prompt === 'string' ? [body.prompt] : body.prompt;
    const prompts = await Promise.all(texts.map((t) => backend.textPrompt(t)));
    const known = prompts.every((p) => p.tokens !== undefined);
    const longest = known ? Math.max(...prompts.map((p) => p.tokens!)) : undefined;
    const s = sampling(body, longest, 16);
    if (body.logprobs != null) s.params.logprobs = { top: body.logprobs };
    const results = await Promise.all(prompts.map((p) => runAll(p, s.n, s.params, reply)));
    const gens = results.flatMap((r) => r.generations);
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
        results.reduce((a, r) => a + r.promptTokens, 0),
        gens,
      ),
    };
  });

  const host = opts.host ?? '127.0.0.1';
  await app.listen({ host, port: opts.port ?? 0 });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  return {
    url,
    baseURL: `${url}/v1`,
    modelId,
    backend,
    app,
    async close() {
      await app.close();
      await backend.close();
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
