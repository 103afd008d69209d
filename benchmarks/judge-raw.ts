/**
 * The server alone, for benchmarks/judge.ts: the request bodies the llm judge would send (its
 * grading prompt, json_schema response format), serialised before the clock starts, posted by
 * the leanest client Node has (node:http on keep-alive sockets, one per concurrent request,
 * the reply read into a buffer and its status checked) at a fixed concurrency. What it reaches
 * is what the server and the loopback sustain with almost no client in the way: if it is near
 * the ideal, the server is not what bounds the judge's rows.
 */
import http from 'node:http';
import { z } from 'zod';
import { gradedVerdictSchema, gradingMessages } from '../judges/llm/grading-prompt.ts';
import { BufferedResponse } from '../lib/llm/http-fetch.ts';

const { $schema: _drop, ...schema } = z.toJSONSchema(gradedVerdictSchema) as Record<
  string,
  unknown
>;

/** The body of one judge request, as the judge's client sends it. */
export function judgeRequestBody(i: number, model = 'bench'): Buffer {
  return Buffer.from(
    JSON.stringify({
      model,
      messages: gradingMessages(
        {
          question: `Benchmark question ${i}?`,
          answers: [`gold ${i}`],
          prediction: `candidate raw-${i}`,
        },
        'full',
      ),
      temperature: 0,
      max_tokens: 16,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'factrecall_verdict', strict: true, schema },
      },
    }),
  );
}

/** The completion the benchmark servers send back: one verdict of grade B. */
export function completionBody(model: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      id: 'chatcmpl-bench',
      object: 'chat.completion',
      created: 0,
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: JSON.stringify({ grade: 'B' }), refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 900, completion_tokens: 5, total_tokens: 905 },
    }),
  );
}

/**
 * A fetch with no socket: it answers every request with completionBody after `latencyMs`, as a
 * buffered Response. The judge over it costs what its own layers (judge, StructuredClient, the
 * openai client) cost, without the HTTP stack.
 */
export function inProcessFetch(latencyMs: number): typeof fetch {
  const reply = completionBody('bench');
  const headers = { 'content-type': 'application/json', 'content-length': String(reply.length) };
  return ((_input: unknown, init: RequestInit = {}) =>
    new Promise<Response>((resolve, reject) => {
      const t = setTimeout(
        () => resolve(new BufferedResponse(reply, { status: 200, headers }).asResponse()),
        latencyMs,
      );
      init.signal?.addEventListener('abort', () => {
        clearTimeout(t);
        reject(init.signal!.reason);
      });
    })) as typeof fetch;
}

/** Post every body, `concurrency` at a time; resolves when all replied 200. */
export async function postAll(
  baseURL: string,
  bodies: readonly Buffer[],
  concurrency: number,
): Promise<void> {
  const url = new URL(`${baseURL}/chat/completions`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  const one = (body: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': body.length },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`)),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const worker = async () => {
    while (next < bodies.length) await one(bodies[next++]!);
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
}
