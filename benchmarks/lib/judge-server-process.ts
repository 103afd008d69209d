/**
 * A Chat Completions test server (benchmarks/judge-server.ts) in a child process, so a
 * benchmark's own CPU figures are the judge client's alone.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';

export interface JudgeServer {
  kind: string;
  baseURL: string;
  child: ChildProcess;
  lines: Interface;
}

/** Start a `lean` or `fastify` server answering after `latencyMs`; resolves with its base URL. */
export async function startJudgeServer(kind: string, latencyMs: number): Promise<JudgeServer> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, '..', 'judge-server.ts'),
      String(latencyMs),
      kind,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  const baseURL = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
    lines.once('line', (l) => resolve(l.trim()));
  });
  return { kind, baseURL, child, lines };
}

/** The server's CPU so far (µs) and the requests it has answered, asked over its stdin. */
export function serverUsage(s: JudgeServer): Promise<{ cpuUs: number; requests: number }> {
  return new Promise((resolve) => {
    s.lines.once('line', (l) => resolve(JSON.parse(l) as { cpuUs: number; requests: number }));
    s.child.stdin!.write('cpu\n');
  });
}

/** Close its stdin: the server stops. */
export function stopJudgeServer(s: JudgeServer): void {
  s.child.stdin!.end();
}
