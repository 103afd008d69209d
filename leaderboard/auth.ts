/**
 * Who is calling: the bearer token checked against its stored hash (constant time), and the
 * guards routes use. Also the context every route file gets.
 */
import type { FastifyRequest } from 'fastify';
import type { Judge } from '../judges/index.ts';
import type { BoardConfig } from './config.ts';
import { boardError } from './errors.ts';
import type { PinnedSplit } from './pinned.ts';
import type { Scorer } from './scorer.ts';
import type { Store } from './store.ts';
import { bearer, parseToken, secretMatches } from './tokens.ts';

/** What route files get from the server. */
export interface BoardContext {
  store: Store;
  scorer: Scorer;
  judge: Judge;
  config: BoardConfig;
  splits: ReadonlyMap<string, PinnedSplit>;
}

export type Auth =
  | { kind: 'team'; teamId: number; team: string; tokenId: string }
  | { kind: 'admin'; tokenId: string };

declare module 'fastify' {
  interface FastifyRequest {
    auth: Auth | null;
  }
}

/** The bearer token's identity, or null when there is none; a bad token is an error. */
export function authenticate(store: Store, header: string | undefined): Auth | null {
  const presented = bearer(header);
  if (header !== undefined && presented === undefined) {
    throw boardError('FR_ERR_LEADERBOARD_UNAUTHENTICATED', 'use Authorization: Bearer <token>');
  }
  if (presented === undefined) return null;
  const parsed = parseToken(presented);
  // A malformed token still costs one hash comparison, like an unknown one.
  const row = parsed ? store.token(parsed.id) : undefined;
  const ok = secretMatches(parsed?.secret ?? '', row?.hash ?? null);
  if (!ok || !row || row.revoked_at !== null) {
    throw boardError('FR_ERR_LEADERBOARD_UNAUTHENTICATED');
  }
  if (row.admin) return { kind: 'admin', tokenId: row.id };
  return { kind: 'team', teamId: row.team_id!, team: row.team!, tokenId: row.id };
}

export function requireTeam(req: FastifyRequest): Extract<Auth, { kind: 'team' }> {
  if (!req.auth)
    throw boardError('FR_ERR_LEADERBOARD_UNAUTHENTICATED', 'this route needs a team token');
  if (req.auth.kind !== 'team') {
    throw boardError(
      'FR_ERR_LEADERBOARD_FORBIDDEN',
      'submissions need a team token, not the admin token',
    );
  }
  return req.auth;
}

export function requireAdmin(req: FastifyRequest): void {
  if (!req.auth)
    throw boardError('FR_ERR_LEADERBOARD_UNAUTHENTICATED', 'admin routes need the admin token');
  if (req.auth.kind !== 'admin')
    throw boardError('FR_ERR_LEADERBOARD_FORBIDDEN', 'admin routes need the admin token');
}
