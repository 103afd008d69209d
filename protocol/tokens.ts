/**
 * Tokens and roles. A token file is JSON: `{"tokens": [{"token": "...", "role": "policy",
 * "name": "alice"}]}`; FACTRECALL_TOKENS holds the same JSON, or `role:token,role:token` for
 * shell use (the name is then the role). Without tokens (a loopback dev server) a client
 * picks its role in hello.
 */

import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { protoError } from './errors.ts';
import type { EvalQuota } from './eval-quota.ts';
import { ROLES, type Role } from './schema.ts';

export interface TokenEntry {
  readonly token: string;
  readonly role: Role;
  /** Who holds it (team, person); recorded with eval runs, and the key of eval quotas. */
  readonly name: string;
  /** eval tokens: this holder's quota instead of the server's (see eval-quota.ts). */
  readonly evalQuota?: Readonly<EvalQuota>;
}

const TokenFile = z.strictObject({
  tokens: z
    .array(
      z.strictObject({
        token: z.string().min(16, 'tokens must be at least 16 characters'),
        role: z.enum(ROLES),
        name: z.string().min(1).max(128).optional(),
        evalQuota: z
          .strictObject({ runs: z.number().int().min(0), windowMs: z.number().int().min(1) })
          .optional(),
      }),
    )
    .min(1),
});

/** Parse token JSON or the `role:token,...` short form; FR_ERR_PROTO_BAD_CONFIG says what is wrong. */
export function parseTokens(text: string, where: string): TokenEntry[] {
  const trimmed = text.trim();
  let raw: unknown;
  if (trimmed.startsWith('{')) {
    try {
      raw = JSON.parse(trimmed);
    } catch (e) {
      throw protoError('FR_ERR_PROTO_BAD_CONFIG', `${where}: not JSON: ${(e as Error).message}`);
    }
  } else {
    raw = {
      tokens: trimmed
        .split(',')
        .filter(Boolean)
        .map((pair) => {
          const i = pair.indexOf(':');
          return { role: pair.slice(0, i).trim(), token: pair.slice(i + 1).trim() };
        }),
    };
  }
  const parsed = TokenFile.safeParse(raw);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw protoError('FR_ERR_PROTO_BAD_CONFIG', `${where}: ${why}`);
  }
  const seen = new Set<string>();
  return parsed.data.tokens.map((t) => {
    if (seen.has(t.token))
      throw protoError('FR_ERR_PROTO_BAD_CONFIG', `${where}: a token appears twice`);
    seen.add(t.token);
    return {
      token: t.token,
      role: t.role,
      name: t.name ?? t.role,
      ...(t.evalQuota ? { evalQuota: t.evalQuota } : {}),
    };
  });
}

/** Tokens from a file path, else FACTRECALL_TOKENS, else none (null). */
export function loadTokens(file: string | undefined, env = process.env): TokenEntry[] | null {
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw protoError(
        'FR_ERR_PROTO_BAD_CONFIG',
        `cannot read token file ${file}: ${(e as Error).message}`,
      );
    }
    return parseTokens(text, file);
  }
  const fromEnv = env.FACTRECALL_TOKENS;
  return fromEnv ? parseTokens(fromEnv, 'FACTRECALL_TOKENS') : null;
}

/** The entry for a presented token, compared in constant time; undefined when unknown. */
export function findToken(
  tokens: readonly TokenEntry[],
  presented: string,
): TokenEntry | undefined {
  const p = Buffer.from(presented);
  let found: TokenEntry | undefined;
  for (const t of tokens) {
    const k = Buffer.from(t.token);
    if (k.length === p.length && timingSafeEqual(k, p)) found = t;
  }
  return found;
}

/** True for 127.0.0.0/8, ::1 and localhost: addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
