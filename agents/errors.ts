/**
 * Error catalogue of agents/: the OpenAI-compatible policy and `factrecall eval`.
 */
import { defineErrors } from '../lib/errors.ts';

export const agentError = defineErrors('AGENT', {
  FR_ERR_AGENT_BAD_OPTION: {
    message: 'bad option for the OpenAI-compatible agent or `factrecall eval`',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_AGENT_NEEDS_REWARDS: {
    message:
      'sampled metrics (pass@k, maj@k) need per-episode rewards, which the test split withholds (eval role): use --split val, or --samples 1 on test',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
  FR_ERR_AGENT_EPISODES_FILE: {
    message:
      'the episodes file of an earlier run cannot be read or belongs to another configuration',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
});
