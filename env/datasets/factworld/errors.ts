/**
 * Coded errors of FactWorld, the synthetic world of fictional people (area `FACTWORLD`).
 * Documented in docs/errors.md.
 */
import { defineErrors } from '../../../lib/errors.ts';

export const factworldError = defineErrors('FACTWORLD', {
  FR_ERR_FACTWORLD_BAD_CONFIG: {
    message: 'invalid FactWorld config (see `WorldConfig` for every field and its default)',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_FACTWORLD_CONFIG_FILE: {
    message: 'cannot read the FactWorld config file (it must be a JSON object)',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_FACTWORLD_UNKNOWN_ATTRIBUTE: {
    message: 'this FactWorld has no such attribute',
    retryable: false,
    grpc: 'NOT_FOUND',
  },
  FR_ERR_FACTWORLD_NAMES_EXHAUSTED: {
    message:
      'the name generator could not invent enough distinct names; lower `people` or the pool sizes',
    retryable: false,
    grpc: 'RESOURCE_EXHAUSTED',
  },
});
