/**
 * The env registry, Gymnasium style: `make('FactRecall-v0', options)`.
 *
 * Ids are `Name-vN`. A change that could change learning results (reward semantics, prompts,
 * answer extraction, question order) registers a new version rather than changing an old
 * one, which is why registering an id twice is an error.
 */
import { envError } from './errors.ts';
import { FACTRECALL_V0_ID, openFactRecallV0 } from './factrecall-v0.ts';
import type { LocalEnv } from './types.ts';

/** Builds an env from raw (unvalidated) options; it validates them itself. */
export type EnvFactory = (options: unknown) => LocalEnv | Promise<LocalEnv>;

const ID_PATTERN = /^([A-Za-z][A-Za-z0-9_.:]*(?:-[A-Za-z0-9_.:]+)*)-v(0|[1-9]\d*)$/;

/** Built-in envs are registered here, so every import path sees them. */
const factories = new Map<string, EnvFactory>([[FACTRECALL_V0_ID, openFactRecallV0]]);

/** Split `Name-vN` into its name and version; FR_ERR_ENV_BAD_ID otherwise. */
export function parseEnvId(id: string): { name: string; version: number } {
  const m = typeof id === 'string' ? ID_PATTERN.exec(id) : null;
  if (!m) throw envError('FR_ERR_ENV_BAD_ID', `got ${JSON.stringify(id)}`);
  return { name: m[1]!, version: Number(m[2]) };
}

/** Register a factory under a new id. FR_ERR_ENV_ALREADY_REGISTERED if the id is taken. */
export function register(id: string, factory: EnvFactory): void {
  parseEnvId(id);
  if (factories.has(id)) throw envError('FR_ERR_ENV_ALREADY_REGISTERED', id);
  factories.set(id, factory);
}

/** Registered ids, sorted. */
export function listEnvs(): string[] {
  return [...factories.keys()].sort();
}

/**
 * Build a registered env. FR_ERR_ENV_BAD_ID for a malformed id, FR_ERR_ENV_UNKNOWN_ID (listing
 * the known ids) for an unregistered one; option errors come from the env's own validation.
 */
export async function make(id: string, options: unknown = {}): Promise<LocalEnv> {
  parseEnvId(id);
  const factory = factories.get(id);
  if (!factory) {
    throw envError(
      'FR_ERR_ENV_UNKNOWN_ID',
      `${id}; known ids: ${listEnvs().join(', ') || '(none)'}`,
      {
        details: { known: listEnvs() },
      },
    );
  }
  return factory(options);
}
