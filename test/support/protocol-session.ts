/** An in-process protocol session (no socket) and the FactWorld gold, for role-rule tests. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSource } from '../../env/factrecall-v0.ts';
import { envRegistry } from '../../protocol/env-registry.ts';
import { EvalRunLog } from '../../protocol/eval-runs.ts';
import { Host, type HostOptions } from '../../protocol/host.ts';
import { resolveLimits } from '../../protocol/limits.ts';
import type { Role } from '../../protocol/schema.ts';
import { Session } from '../../protocol/session.ts';

export type Body = Record<string, unknown>;

/** A host writing eval runs to a fresh temporary file. */
export async function testHost(opts: Partial<HostOptions> = {}): Promise<Host> {
  const dir = await mkdtemp(join(tmpdir(), 'fr-host-'));
  return new Host({
    registry: envRegistry(),
    limits: resolveLimits(),
    tokens: null,
    evalRuns: new EvalRunLog(join(dir, 'eval-runs.jsonl')),
    ...opts,
  });
}

export interface TestSession {
  session: Session;
  /** Send a request; resolves to {type, body} (type 'error' with the error body on failure). */
  call(type: string, body?: Body): Promise<{ type: string; body: Body }>;
  /** Like call, but throws unless the reply has the verb's type. */
  ok(type: string, body?: Body): Promise<Body>;
}

let nextId = 0;
export async function openSession(host: Host, role: Role, client?: string): Promise<TestSession> {
  const session = new Session(host, { transport: 'test' });
  const call = async (type: string, body: Body = {}) => {
    const r = await session.handle({ id: `q${nextId++}`, type, body });
    return { type: r.response.type, body: r.response.body as Body };
  };
  const ok = async (type: string, body: Body = {}) => {
    const r = await call(type, body);
    if (r.type !== type) throw new Error(`${type}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  await ok('hello', { version: 'factrecall.v1', role, ...(client ? { client } : {}) });
  return { session, call, ok };
}

/** Gold answers of the FactWorld default world, by question id (tests only). */
export function worldGold(): Map<string, string> {
  const gold = new Map<string, string>();
  const { splits } = defaultSource();
  for (const records of Object.values(splits)) {
    for (const r of records ?? []) gold.set(r.id, r.answers[0]!);
  }
  return gold;
}
