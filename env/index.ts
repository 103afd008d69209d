/**
 * FactRecall-v0, the environment: public entry point.
 *
 * ```ts
 * import { make } from './env/index.ts';
 * const env = await make('FactRecall-v0', { prompt: 'direct', seed: 0 });
 * const { observations } = await env.reset({ split: 'train', batchSize: 128, groupSize: 5 });
 * const { results, groups } = await env.step(observations.map((o) => ({ episodeId: o.episodeId, answer: '...' })));
 * ```
 */
export { type CheckEnvOptions, type CheckReport, type CheckResult, checkEnv } from './check.ts';
export { envError } from './errors.ts';
export {
  EXTRACTION_VERSION,
  type Extraction,
  extractAnswer,
  extractCot,
  extractDirect,
} from './extract.ts';
export { FactRecallEnv } from './factrecall-env.ts';
export {
  defaultSource,
  FACTRECALL_V0_ID,
  makeFactRecallV0,
  openFactRecallV0,
} from './factrecall-v0.ts';
export {
  type EnvOptions,
  type EnvOptionsInput,
  EnvOptionsSchema,
  parseEnvOptions,
} from './options.ts';
export { epochOrder } from './order.ts';
export {
  FINAL_ANSWER_LABEL,
  PROMPTS,
  type PromptTemplate,
  promptTemplate,
  renderPrompt,
} from './prompts.ts';
export { type EnvFactory, listEnvs, make, parseEnvId, register } from './registry.ts';
export * from './schemas.ts';
export { envFingerprint, fingerprintParts } from './spec.ts';
export type * from './types.ts';
export { DATASET_NAMES, SPLIT_NAMES } from './types.ts';
