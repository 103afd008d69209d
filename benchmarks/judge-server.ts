/**
 * The Chat Completions servers of benchmarks/judge.ts, each in its own process so that the
 * benchmark's CPU figures are the judge client's alone. Prints its base URL on the first line of
 * stdout; a line "cpu" on stdin is answered with one JSON line {cpuUs, requests} (this process's
 * CPU so far, requests served); it stops when stdin closes.
 *
 *   node --import tsx benchmarks/judge-server.ts <latency-ms> <lean|fastify>
 *
 * - `fastify`: the test server of the judge tests (test/support/openai-server.ts), which records
 *   every request and validates with fastify's JSON parser.
 * - `lean`: node:http alone: reads the body, parses it as JSON and checks model and messages
 *   (as a real server must before answering), waits the latency and sends one fixed completion
 *   of `{"grade":"B"}` (built once). It exists so that the server's own cost is small next to
 *   the client's and the benchmark measures the client, not its test double.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { startOpenAiTestServer } from '../test/support/openai-server.ts';
import { completionBody } from './judge-raw.ts';

const latencyMs = Number(process.argv[2] ?? 50);
const kind = process.argv[3] ?? 'lean';
const VERDICT = JSON.stringify({ grade: 'B' });
let served = 0;

async function startLean(): Promise<{ baseURL: string; close(): Promise<void> }> {
  const replies = new Map<string, Buffer>();
  const send = (res: http.ServerResponse, status: number, body: Buffer) => {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  };
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: { model?: unknown; messages?: unknown } | undefined;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = undefined;
      }
      if (
        req.method !== 'POST' ||
        req.url !== '/v1/chat/completions' ||
        typeof body?.model !== 'string' ||
        !Array.isArray(body.messages)
      ) {
        send(res, 400, Buffer.from('{"error":{"message":"bad request"}}'));
        return;
      }
      const model = body.model;
      let reply = replies.get(model);
      if (!reply) {
        reply = completionBody(model);
        replies.set(model, reply);
      }
      const r = reply;
      setTimeout(() => {
        served++;
        send(res, 200, r);
      }, latencyMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function startFastify(): Promise<{ baseURL: string; close(): Promise<void> }> {
  const s = await startOpenAiTestServer({
    latencyMs,
    answerer: () => {
      served++;
      return VERDICT;
    },
  });
  return {
    baseURL: s.baseURL,
    close: async () => {
      await s.close();
    },
  };
}

const server = kind === 'fastify' ? await startFastify() : await startLean();
process.stdout.write(`${server.baseURL}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() !== 'cpu') return;
  const u = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ cpuUs: u.user + u.system, requests: served })}\n`);
});
lines.on('close', () => void server.close().then(() => process.exit(0)));
