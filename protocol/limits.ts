/** Server limits: defaults, and merging a partial override (checked once, then frozen). */
import { protoError } from './errors.ts';
import { Limits } from './schema.ts';

/** Defaults sized for one trainer doing 128 questions x 5 per step, with headroom. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxFrameBytes: 16 * 1024 * 1024,
  maxBatchEpisodes: 4096,
  maxEnvsPerConnection: 16,
  maxConnections: 256,
  maxInFlightPerConnection: 64,
  maxInFlightTotal: 1024,
  idleTimeoutMs: 10 * 60 * 1000,
  maxBufferedBytes: 8 * 1024 * 1024,
  retryAfterMs: 200,
});

/** Defaults overridden by `partial`; unknown keys and bad values are FR_ERR_PROTO_BAD_CONFIG. */
export function resolveLimits(partial: Partial<Limits> = {}): Readonly<Limits> {
  const parsed = Limits.safeParse({ ...DEFAULT_LIMITS, ...partial });
  if (!parsed.success) {
    throw protoError(
      'FR_ERR_PROTO_BAD_CONFIG',
      `limits: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return Object.freeze(parsed.data);
}
