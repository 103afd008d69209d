/** Servers for socket tests: `serve` on 127.0.0.1 port 0, closed after each test, and helpers. */
import { afterEach } from 'vitest';
import { createJudge } from '../../judges/index.ts';
import type { Judge } from '../../judges/types.ts';
import { envRegistry } from '../../protocol/env-registry.ts';
import type { Limits } from '../../protocol/schema.ts';
import { type RunningServer, type ServeOptions, serve } from '../../protocol/server.ts';

let running: RunningServer[] = [];

/** Register the after-each close (call once at the top of a test file). */
export function closeServersAfterEach(): void {
  afterEach(async () => {
    await Promise.all(running.map((s) => s.close()));
    running = [];
  });
}

export async function startServer(
  limits: Partial<Limits> = {},
  extra: Partial<ServeOptions> = {},
): Promise<RunningServer> {
  const s = await serve({
    registry: envRegistry(),
    tokens: null,
    evalRunsPath: '/dev/null',
    limits,
    ...extra,
  });
  running.push(s);
  return s;
}

/** A judge that answers like `exact`, after `ms` (to hold a step in flight). */
export function slowJudge(ms: number): Judge {
  const exact = createJudge('exact');
  return {
    id: exact.id,
    fingerprint: exact.fingerprint,
    judge: async (items) => {
      await new Promise((r) => setTimeout(r, ms));
      return exact.judge(items);
    },
  };
}

export async function until(cond: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const t = Date.now();
  while (!(await cond())) {
    if (Date.now() - t > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
