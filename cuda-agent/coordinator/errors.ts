/**
 * The policy worker's error catalogue (area WORKER): the codes the Python worker sends in its
 * error frames (cuda-agent/worker/factrecall_worker/errors.py, kept in step by
 * worker-client.test.ts) and the ones the TypeScript side raises about the worker process
 * itself (no Python, crashed, deadline, closed). Documented in docs/errors.md.
 */
import { defineErrors } from '../../lib/errors.ts';

export const workerError = defineErrors('WORKER', {
  // Sent by the Python worker.
  FR_ERR_WORKER_INTERNAL: {
    message: 'the policy worker failed unexpectedly (a bug; see its stderr)',
    retryable: false,
    grpc: 'INTERNAL',
  },
  FR_ERR_WORKER_BAD_FRAME: {
    message: 'a frame to the policy worker was not a msgpack map of {id, method, params}',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_WORKER_UNKNOWN_METHOD: {
    message: 'the policy worker has no such method',
    retryable: false,
    grpc: 'UNIMPLEMENTED',
  },
  FR_ERR_WORKER_BAD_PARAMS: {
    message: 'a policy worker parameter is missing, unknown, of the wrong type or out of range',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_WORKER_NOT_READY: {
    message: 'the policy worker has no model yet (call `tokenizer` and `init`, or `load`, first)',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
  FR_ERR_WORKER_UNSUPPORTED_ENGINE: {
    message: 'the generation engine is unknown or cannot be imported in this Python',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
  FR_ERR_WORKER_TOO_LONG: {
    message: "prompt plus completion exceed the model's context (tiny: block_size; hf: max_length)",
    retryable: false,
    grpc: 'OUT_OF_RANGE',
  },
  FR_ERR_WORKER_CHECKPOINT_NOT_FOUND: {
    message: 'no worker checkpoint at that path',
    retryable: false,
    grpc: 'NOT_FOUND',
  },
  FR_ERR_WORKER_CHECKPOINT_INVALID: {
    message: 'the worker checkpoint is unreadable, of another format version, or does not fit',
    retryable: false,
    grpc: 'DATA_LOSS',
  },
  FR_ERR_WORKER_NON_FINITE: {
    message: 'the loss or gradient was NaN/inf; the step was refused and the weights are unchanged',
    retryable: false,
    grpc: 'ABORTED',
  },
  FR_ERR_WORKER_OUT_OF_MEMORY: {
    message: 'the worker device ran out of memory; use smaller micro-batches or batches',
    retryable: true,
    grpc: 'RESOURCE_EXHAUSTED',
  },
  FR_ERR_WORKER_MODEL_NOT_FOUND: {
    message:
      'the model to load (a directory, a GGUF file or a Hugging Face id) is not there or not readable',
    retryable: false,
    grpc: 'NOT_FOUND',
  },
  // Raised by the TypeScript side.
  FR_ERR_WORKER_NO_PYTHON: {
    message:
      'no Python with torch found: run `node scripts/setup.mjs` (makes .venv from cuda-agent/worker/requirements.txt), or `pip install -r cuda-agent/worker/requirements.txt`, or set FACTRECALL_PYTHON to an interpreter that has torch, numpy and msgpack',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
  FR_ERR_WORKER_SPAWN_FAILED: {
    message: 'the policy worker process could not be started',
    retryable: false,
    grpc: 'UNAVAILABLE',
  },
  FR_ERR_WORKER_CRASHED: {
    message:
      'the policy worker process exited or was killed; its pending calls are lost (start a new worker and resume from the last checkpoint)',
    retryable: true,
    grpc: 'UNAVAILABLE',
  },
  FR_ERR_WORKER_TIMEOUT: {
    message: 'a policy worker call passed its deadline',
    retryable: true,
    grpc: 'DEADLINE_EXCEEDED',
  },
  FR_ERR_WORKER_CLOSED: {
    message: 'the policy worker client was shut down',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
  FR_ERR_WORKER_PROTOCOL: {
    message: 'the policy worker sent an unreadable or unexpected frame',
    retryable: false,
    grpc: 'INTERNAL',
  },
});

export type WorkerErrorCode = keyof typeof workerError.catalogue;
