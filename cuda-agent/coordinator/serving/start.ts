/**
 * `startHfModelServer`: the OpenAI-compatible server (`models/server.ts`) over the `hf`
 * worker backend, for a registry model (fetched when missing), a model directory, a GGUF file
 * (dequantised by transformers) or a hub id.
 */
import { basename } from 'node:path';
import type { FetchOptions } from '../../../models/fetch.ts';
import { type ModelServer, serveBackend } from '../../../models/server.ts';
import { resolveModelSource } from '../real-model/model-source.ts';
import { WorkerBackend, type WorkerBackendOptions } from './worker-backend.ts';

export interface HfModelServerOptions extends Omit<WorkerBackendOptions, 'modelPath'> {
  /** Registry name (`smollm2`), model directory, .gguf file or hub id. */
  model: string;
  /** The id clients send as `model` (default: the registry name or the file's name). */
  modelId?: string;
  host?: string;
  port?: number;
  fetch?: FetchOptions;
  log?: (line: string) => void;
}

export async function startHfModelServer(
  opts: HfModelServerOptions,
): Promise<ModelServer<WorkerBackend>> {
  const { model, modelId, host, port, fetch, log, ...backendOpts } = opts;
  const source = await resolveModelSource(model, { ...(log ? { log } : {}), ...(fetch ?? {}) });
  const backend = await WorkerBackend.start({ ...backendOpts, modelPath: source.path });
  try {
    return await serveBackend(backend, {
      modelId: modelId ?? source.name ?? basename(source.path),
      ...(host ? { host } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(log ? { log } : {}),
    });
  } catch (e) {
    await backend.close();
    throw e;
  }
}
