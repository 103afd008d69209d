/**
 * Scripted sessions for the conformance suite: a golden vector is a list of requests (with
 * `$name` placeholders filled from earlier responses) and the responses expected, normalised
 * so that volatile values (session ids, handles, episode and group ids, latencies) compare
 * equal across runs and bindings. protocol/python runs the same file with the same rules.
 */
import { readFileSync } from 'node:fs';
import { canonicalJson } from '../../lib/hash.ts';
import { type FactRecallClient, ProtocolError } from '../../protocol/client/client.ts';
import type { Verb } from '../../protocol/schema.ts';

export interface GoldenStep {
  type: string;
  body: unknown;
}
export interface GoldenVector {
  description: string;
  /** hello options for the client (role). */
  role: 'policy' | 'trainer' | 'eval';
  requests: GoldenStep[];
  /** Normalised `{type, body}` per request. */
  expected: Array<{ type: string; body: unknown }>;
}

export function readGolden(path: string): GoldenVector {
  return JSON.parse(readFileSync(path, 'utf8')) as GoldenVector;
}

type Obj = Record<string, unknown>;

/** Replace `$name` strings (whole values) with captured variables. */
function fill(value: unknown, vars: Map<string, unknown>): unknown {
  if (typeof value === 'string' && value.startsWith('$')) {
    if (!vars.has(value)) throw new Error(`golden: ${value} is not captured yet`);
    return vars.get(value);
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, vars));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, vars)]));
  }
  return value;
}

/** Variables a response provides to later requests, and volatile values to normalise. */
function capture(
  type: string,
  body: Obj,
  vars: Map<string, unknown>,
  volatile: Map<string, string>,
): void {
  if (type === 'hello') volatile.set(body.sessionId as string, '<session>');
  if (type === 'make') {
    vars.set('$handle', body.handle);
    volatile.set(body.handle as string, `<handle:${countPrefix(volatile, '<handle:')}>`);
  }
  if (type === 'reset') {
    (body.observations as Obj[]).forEach((o, i) => {
      vars.set(`$ep${i}`, o.episodeId);
      if (Array.isArray(o.gold)) vars.set(`$gold${i}`, o.gold[0]);
      if (!volatile.has(o.groupId as string)) {
        volatile.set(o.groupId as string, `<group:${countPrefix(volatile, '<group:')}>`);
      }
      volatile.set(o.episodeId as string, `<episode:${countPrefix(volatile, '<episode:')}>`);
    });
  }
}

function countPrefix(m: Map<string, string>, prefix: string): number {
  let n = 0;
  for (const v of m.values()) if (v.startsWith(prefix)) n++;
  return n;
}

/** Normalise one response: volatile substrings replaced (longest first), latencies zeroed. */
export function normalise(value: unknown, volatile: Map<string, string>): unknown {
  const keys = [...volatile.keys()].sort((a, b) => b.length - a.length);
  const walk = (v: unknown, key?: string): unknown => {
    if (key === 'latencyMs' && typeof v === 'number') return 0;
    if (typeof v === 'string') {
      let s = v;
      for (const k of keys) if (s.includes(k)) s = s.split(k).join(volatile.get(k)!);
      return s;
    }
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    }
    return v;
  };
  return JSON.parse(canonicalJson(walk(value)));
}

/** Run a vector's requests one by one on a connected client; returns normalised responses. */
export async function runScript(
  client: FactRecallClient,
  vector: Pick<GoldenVector, 'requests'>,
  helloBody: Obj,
): Promise<Array<{ type: string; body: unknown }>> {
  const vars = new Map<string, unknown>();
  const volatile = new Map<string, string>();
  const raw: Array<{ type: string; body: unknown }> = [];
  for (const step of vector.requests) {
    let out: { type: string; body: unknown };
    if (step.type === 'hello') {
      out = { type: 'hello', body: helloBody };
    } else {
      try {
        const body = await client.request(step.type as Verb, fill(step.body, vars) as never);
        out = { type: step.type, body };
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        const { code, message, retryable, grpcStatus, retryAfterMs } = e;
        out = {
          type: 'error',
          body: {
            code,
            message,
            retryable,
            grpcStatus,
            ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
          },
        };
      }
    }
    if (out.type !== 'error') capture(out.type, out.body as Obj, vars, volatile);
    raw.push(out);
  }
  return raw.map((r) => normalise(r, volatile) as { type: string; body: unknown });
}
