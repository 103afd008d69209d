/**
 * A small FactWorld organism for tests: 60 people, a 2-layer 64-wide model, pretrained in well
 * under a minute and cached in the OS temp folder (so repeated test runs reuse it).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type OrganismConfigInput,
  parseOrganismConfig,
} from '../../cuda-agent/coordinator/organism/organism-config.ts';
import type { TrainConfigInput } from '../../cuda-agent/coordinator/training/config.ts';

export const TEST_ORGANISM: OrganismConfigInput = {
  world: { seed: 7, people: 60 },
  model: { n_layer: 2, n_head: 4, n_embd: 64, block_size: 64 },
  pretrain: { epochs: 30, batchSize: 16, lr: 3e-3, seed: 0 },
  threads: 1,
};

export const TEST_TRAIN: TrainConfigInput = {
  seed: 0,
  grpo: { lr: 1e-4, questionsPerBatch: 8, groupSize: 4, epochs: 50, microBatchSize: 64 },
  sampling: { maxNewTokens: 8 },
  eval: { everySteps: 0, passAtKSamples: 0 },
  checkpoint: { everySteps: 3, keepLast: 2 },
  worker: { threads: 1 },
};

export const testOrganism = () => parseOrganismConfig(TEST_ORGANISM);

/** Where tests cache pretrained models (FACTRECALL_CACHE wins when set). */
export function testCacheDir(): string {
  return process.env.FACTRECALL_CACHE ?? join(tmpdir(), 'factrecall-test-cache');
}
