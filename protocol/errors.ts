/**
 * The protocol's error catalogue (see docs/errors.md and docs/protocol.md). Errors raised by
 * the env or a judge travel with their own codes; these are the wire's own.
 */
import {
  defineErrors,
  type FactRecallError,
  GRPC_STATUS,
  isFactRecallError,
} from '../lib/errors.ts';
import type { ErrorBody } from './schema.ts';

export const protoError = defineErrors('PROTO', {
  FR_ERR_PROTO_BAD_FRAME: {
    message: 'frame could not be decoded (WebSocket: one msgpack map per binary frame)',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_PROTO_BAD_REQUEST: {
    message: 'request does not match the schema of its verb (see docs/protocol.md)',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_PROTO_UNKNOWN_VERB: {
    message: 'unknown request type (use hello, list_envs, make, reset, step, close or stats)',
    retryable: false,
    grpc: 'UNIMPLEMENTED',
  },
  FR_ERR_PROTO_FRAME_TOO_LARGE: {
    message:
      'frame exceeds the server limit maxFrameBytes (see hello limits); send smaller batches',
    retryable: false,
    grpc: 'RESOURCE_EXHAUSTED',
  },
  FR_ERR_PROTO_VERSION: {
    message: 'unsupported protocol version (this server speaks factrecall.v1)',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
  FR_ERR_PROTO_HELLO_REQUIRED: {
    message: 'send hello first (exactly once per connection)',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
  FR_ERR_PROTO_UNAUTHENTICATED: {
    message: 'missing or unknown token',
    retryable: false,
    grpc: 'UNAUTHENTICATED',
  },
  FR_ERR_PROTO_FORBIDDEN: {
    message: 'your role may not do this',
    retryable: false,
    grpc: 'PERMISSION_DENIED',
  },
  FR_ERR_PROTO_UNKNOWN_HANDLE: {
    message: 'no open env with this handle on this connection (made elsewhere, or closed)',
    retryable: false,
    grpc: 'NOT_FOUND',
  },
  FR_ERR_PROTO_ENV_LOST: {
    message:
      'the connection that made this env has ended (idle timeout, a drop, a server restart), so the server closed the env and its open episodes; reset again for new ones',
    retryable: false,
    grpc: 'ABORTED',
  },
  FR_ERR_PROTO_DUPLICATE_ID: {
    message: 'a request with this id is still in flight on this connection; ids must be unique',
    retryable: false,
    grpc: 'ALREADY_EXISTS',
  },
  FR_ERR_PROTO_BATCH_SIZE: {
    message:
      'batch size out of range: a batch holds 1..maxBatchEpisodes episodes (see hello limits)',
    retryable: false,
    grpc: 'OUT_OF_RANGE',
  },
  FR_ERR_PROTO_TOO_MANY_ENVS: {
    message: 'this connection holds maxEnvsPerConnection open envs; close one first',
    retryable: false,
    grpc: 'RESOURCE_EXHAUSTED',
  },
  FR_ERR_PROTO_TOO_MANY_CONNECTIONS: {
    message: 'the server holds maxConnections connections; retry after retryAfterMs',
    retryable: true,
    grpc: 'RESOURCE_EXHAUSTED',
  },
  FR_ERR_PROTO_OVERLOADED: {
    message: 'too many requests in flight; retry after retryAfterMs',
    retryable: true,
    grpc: 'RESOURCE_EXHAUSTED',
  },
  FR_ERR_PROTO_SHUTTING_DOWN: {
    message:
      'the server is shutting down and takes no new work; reconnect to another server or later',
    retryable: true,
    grpc: 'UNAVAILABLE',
  },
  FR_ERR_PROTO_IDLE_TIMEOUT: {
    message: 'connection closed after idleTimeoutMs without a request; its envs were closed',
    retryable: true,
    grpc: 'DEADLINE_EXCEEDED',
  },
  FR_ERR_PROTO_DEADLINE: {
    message: 'no response before the client deadline',
    retryable: true,
    grpc: 'DEADLINE_EXCEEDED',
  },
  FR_ERR_PROTO_CONNECTION_LOST: {
    message: 'the connection closed before the response arrived',
    retryable: true,
    grpc: 'UNAVAILABLE',
  },
  FR_ERR_PROTO_INTERNAL: {
    message: 'internal server error (a bug: please report it with the request)',
    retryable: false,
    grpc: 'INTERNAL',
  },
  FR_ERR_PROTO_BAD_CONFIG: {
    message: 'server configuration is invalid',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_PROTO_INSECURE_BIND: {
    message:
      'refusing to bind a non-loopback address without tokens: pass --tokens FILE or set FACTRECALL_TOKENS',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
  FR_ERR_PROTO_EVAL_QUOTA: {
    message:
      'this submitter has used its eval-run quota (complete runs per window, open runs included); retry after retryAfterMs',
    retryable: true,
    grpc: 'RESOURCE_EXHAUSTED',
  },
  FR_ERR_PROTO_RECORD_FAILED: {
    message: 'the eval run could not be recorded durably',
    retryable: true,
    grpc: 'UNAVAILABLE',
  },
});

/** The wire form of any error: coded errors keep their code; anything else is INTERNAL. */
export function toErrorBody(e: unknown): ErrorBody {
  const fe: FactRecallError = isFactRecallError(e)
    ? e
    : protoError('FR_ERR_PROTO_INTERNAL', undefined, { cause: e });
  return {
    code: fe.code,
    message: fe.message,
    retryable: fe.retryable,
    ...(fe.retryAfterMs !== undefined ? { retryAfterMs: fe.retryAfterMs } : {}),
    grpcStatus: GRPC_STATUS[fe.grpcStatus],
    ...(fe.details !== undefined ? { details: fe.details } : {}),
  };
}
