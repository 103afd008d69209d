/**
 * Error catalogue of benchmarks/: the measuring scripts' own input.
 */
import { defineErrors } from '../lib/errors.ts';

export const benchError = defineErrors('BENCH', {
  FR_ERR_BENCH_BAD_FLAG: {
    message: 'bad command-line flag for a benchmark script',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
});
