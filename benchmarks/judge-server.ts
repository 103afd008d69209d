/**
 * The Chat Completions test server of benchmarks/judge.ts, in its own process so that the
 * benchmark's CPU figures are the judge client's alone. Prints its base URL on the first line of
 * stdout and stops when stdin closes.
 *
 *   node --import tsx benchmarks/judge-server.ts <latency-ms>
 */
import { startOpenAiTestServer } from '../test/support/openai-server.ts';

const server = await startOpenAiTestServer({
  latencyMs: Number(process.argv[2] ?? 50),
  answerer: () => JSON.stringify({ grade: 'B' }),
});
process.stdout.write(`${server.baseURL}\n`);
process.stdin.resume();
process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
