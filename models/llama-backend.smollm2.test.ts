/**
 * The llama.cpp serving backend on the real SmolLM2-135M-Instruct (fetched once into the cache)
 * through the serving conformance suite that every backend runs. 1 thread: on a shared 2-core
 * machine llama.cpp with 2 threads was ~10x slower than with 1.
 */
import { describeServingConformance } from '../test/support/serving-conformance.ts';
import { startModelServer } from './server.ts';

describeServingConformance('llama on SmolLM2', () =>
  startModelServer({ model: 'smollm2', sequences: 2, contextSize: 512, threads: 1 }),
);
