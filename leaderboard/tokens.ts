/**
 * Team and admin tokens: `frlb_<id>_<secret>`, where `id` (12 hex) names the row and `secret`
 * (32 random bytes, base64url) is stored only as its sha256. A token is checked by looking its
 * row up by id and comparing hashes with `timingSafeEqual`; an unknown id is compared against a
 * dummy hash, so the time taken says nothing about which part was wrong. The secret is high
 * entropy, so a plain sha256 (no slow KDF) is enough: guessing it is hopeless either way.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const TOKEN_RE = /^frlb_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
const DUMMY_HASH = Buffer.alloc(32);

export interface NewToken {
  /** Shown once to whoever created it; never stored. */
  token: string;
  id: string;
  hash: Buffer;
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export function newToken(): NewToken {
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { token: `frlb_${id}_${secret}`, id, hash: hashSecret(secret) };
}

/** The id and secret of a well-formed token; null for anything else. */
export function parseToken(token: string): { id: string; secret: string } | null {
  const m = TOKEN_RE.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : null;
}

/** Constant-time comparison of a presented secret with a stored hash (null: unknown id). */
export function secretMatches(secret: string, stored: Buffer | null): boolean {
  const presented = hashSecret(secret);
  const against = stored && stored.length === 32 ? stored : DUMMY_HASH;
  const equal = timingSafeEqual(presented, against);
  return equal && stored !== null;
}

/** The token from an `Authorization: Bearer <token>` header, or undefined. */
export function bearer(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : undefined;
}
