/**
 * Coded errors shared by every part of FactRecall.
 *
 * Each part (env, datasets, judges, protocol, agent, ...) declares its own catalogue with
 * `defineErrors`: a code `FR_ERR_<AREA>_<WHAT>`, a human message, whether a retry can help,
 * and the gRPC status the protocol maps it to. Every code is documented in docs/errors.md;
 * `lib/errors.test.ts` keeps the two in step.
 */

/** gRPC status names, as in the gRPC spec (the protocol maps them to numbers). */
export const GRPC_STATUS = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;
export type GrpcStatusName = keyof typeof GRPC_STATUS;

export interface ErrorSpec {
  /** What went wrong, and where useful how to fix it. Details are appended after a colon. */
  readonly message: string;
  /** True when the same request may succeed later (overload, timeout, endpoint down). */
  readonly retryable: boolean;
  readonly grpc: GrpcStatusName;
}

const registry = new Map<string, ErrorSpec & { area: string }>();

/** Every code of every catalogue loaded so far (for docs and conformance tests). */
export function allErrorCodes(): ReadonlyMap<string, ErrorSpec & { area: string }> {
  return registry;
}

export interface ErrorOptions {
  /** Server hint: wait this long before retrying (only for retryable errors). */
  retryAfterMs?: number;
  /** Structured context (file, line, field...), safe to send to clients. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class FactRecallError extends Error {
  override readonly name = 'FactRecallError';
  readonly code: string;
  readonly retryable: boolean;
  readonly grpcStatus: GrpcStatusName;
  readonly retryAfterMs: number | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, detail?: string, opts: ErrorOptions = {}) {
    const spec = registry.get(code);
    if (!spec) throw new Error(`FactRecallError: code ${code} is not in any catalogue`);
    super(detail ? `${spec.message}: ${detail}` : spec.message, { cause: opts.cause });
    this.code = code;
    this.retryable = spec.retryable;
    this.grpcStatus = spec.grpc;
    this.retryAfterMs = opts.retryAfterMs;
    this.details = opts.details;
  }

  /** Plain object for logs and the wire. */
  toJSON(): {
    code: string;
    message: string;
    retryable: boolean;
    retryAfterMs?: number;
    details?: Record<string, unknown>;
  } {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}),
      ...(this.details !== undefined ? { details: this.details } : {}),
    };
  }
}

/**
 * Declare a part's catalogue. Returns a typed factory: `err('FR_ERR_ENV_UNKNOWN_ID', 'Foo-v1')`.
 * Codes must start with `FR_ERR_<AREA>_` and be unique across the project.
 */
export function defineErrors<const C extends Record<string, ErrorSpec>>(
  area: string,
  catalogue: C,
) {
  for (const [code, spec] of Object.entries(catalogue)) {
    if (!code.startsWith(`FR_ERR_${area}_`)) {
      throw new Error(`error code ${code} must start with FR_ERR_${area}_`);
    }
    const known = registry.get(code);
    if (known && known.area !== area) throw new Error(`error code ${code} is defined twice`);
    registry.set(code, { ...spec, area });
  }
  const make = (code: keyof C & string, detail?: string, opts?: ErrorOptions): FactRecallError =>
    new FactRecallError(code, detail, opts);
  return Object.assign(make, { catalogue, area });
}

export function isFactRecallError(e: unknown, code?: string): e is FactRecallError {
  return e instanceof FactRecallError && (code === undefined || e.code === code);
}
