/**
 * What `--model` names, as a path the hf worker loads: a registry name (`smollm2`: fetched into
 * the cache by `models/`' fetchModel, checksummed, a no-op when already there), an existing
 * model directory or .gguf file, or else a Hugging Face hub id (owner/name), which the worker
 * loads itself when a hub is reachable.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { type FetchOptions, fetchModel, MODELS } from '../../../models/index.ts';
import { trainError } from '../training/errors.ts';

export interface ModelSource {
  /** What the worker's `init.model.path` gets. */
  path: string;
  kind: 'registry' | 'gguf' | 'dir' | 'hub';
  /** The registry name, for `registry`. */
  name?: string;
  sha256?: string;
}

const HUB_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

/** Resolve `--model`; a registry name is fetched (see the module comment). */
export async function resolveModelSource(
  model: string,
  opts: FetchOptions = {},
): Promise<ModelSource> {
  if (Object.hasOwn(MODELS, model)) {
    const f = await fetchModel(model, opts);
    return { path: f.path, kind: 'registry', name: model, sha256: f.sha256 };
  }
  if (existsSync(model)) {
    const path = resolve(model);
    if (statSync(path).isDirectory()) return { path, kind: 'dir' };
    if (path.endsWith('.gguf')) return { path, kind: 'gguf' };
    throw trainError(
      'FR_ERR_TRAIN_CONFIG_INVALID',
      `--model ${model}: a file must be .gguf (or give a model directory)`,
    );
  }
  if (HUB_ID.test(model) && !model.startsWith('.')) return { path: model, kind: 'hub' };
  throw trainError(
    'FR_ERR_TRAIN_CONFIG_INVALID',
    `--model ${model}: not a registry name (${Object.keys(MODELS).join(', ')}), an existing directory or .gguf file, or a hub id owner/name`,
  );
}
