/**
 * Pretrain the tiny FactWorld model (next-token loss on the world's biographies and the `qa`
 * people's question-answer text) and cache it under `cacheDir('factworld-models', <key>)`,
 * the key being a hash of the world fingerprint, the architecture and the schedule (not the RL
 * settings: RL loads the file with its own optimizer and loss settings as `load` overrides). A
 * second call with the same config returns the cached file at once.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  generateWorld,
  pretrainCorpus,
  type World,
  worldStats,
} from '../../../env/datasets/factworld/index.ts';
import { writeFileAtomic } from '../../../lib/files.ts';
import { cacheDir } from '../../../lib/paths.ts';
import { progress } from '../../../lib/progress.ts';
import { trainError } from '../training/errors.ts';
import { WorkerClient } from '../worker-client.ts';
import { type OrganismConfig, pretrainKey } from './organism-config.ts';

export interface PretrainedModel {
  /** The worker checkpoint file (load it with the worker's `load`). */
  path: string;
  key: string;
  cached: boolean;
  meta: PretrainMeta;
}

export interface PretrainMeta {
  key: string;
  worldFingerprint: string;
  parameters: number;
  vocabSize: number;
  documents: number;
  epochLosses: number[];
  seconds: number;
  createdAt: string;
}

export function modelDir(key: string): string {
  return cacheDir('factworld-models', key);
}

/** The pretrained model for `cfg`, from the cache or trained now. */
export async function ensurePretrained(
  cfg: OrganismConfig,
  opts: {
    python?: string;
    quiet?: boolean;
    force?: boolean;
    world?: World;
    log?: (l: string) => void;
  } = {},
): Promise<PretrainedModel> {
  const world = opts.world ?? generateWorld(cfg.world);
  const key = pretrainKey(cfg, world.fingerprint);
  const dir = modelDir(key);
  const path = join(dir, 'model.pt');
  const metaPath = join(dir, 'meta.json');
  if (!opts.force && existsSync(path) && existsSync(metaPath)) {
    const meta = JSON.parse(await readFile(metaPath, 'utf8')) as PretrainMeta;
    return { path, key, cached: true, meta };
  }
  const corpus = pretrainCorpus(world);
  const stats = worldStats(world);
  opts.log?.(
    `pretraining the FactWorld model ${key}: ${stats.people.total} people, ${corpus.length} documents, ${stats.corpus.words} words, ${cfg.pretrain.epochs} epochs`,
  );
  const worker = await WorkerClient.start({ ...(opts.python ? { python: opts.python } : {}) });
  try {
    const tok = await worker.tokenizer({ texts: corpus });
    const init = await worker.init({
      seed: cfg.pretrain.seed,
      threads: cfg.threads,
      device: 'auto',
      model: cfg.model,
    });
    let bar: ReturnType<typeof progress> | undefined;
    let done = 0;
    const result = await worker.pretrain(
      {
        documents: corpus,
        epochs: cfg.pretrain.epochs,
        batch_size: cfg.pretrain.batchSize,
        lr: cfg.pretrain.lr,
        seed: cfg.pretrain.seed,
        progress_every: 10,
      },
      {
        timeoutMs: 60 * 60_000,
        onProgress: (e) => {
          if (e.phase !== 'pretrain' || e.step === undefined || e.steps === undefined) return;
          bar ??= progress('pretrain', e.steps, { quiet: opts.quiet ?? false });
          bar.tick(e.step - done);
          done = e.step;
        },
      },
    );
    bar?.stop();
    await worker.save({ path });
    const meta: PretrainMeta = {
      key,
      worldFingerprint: world.fingerprint,
      parameters: init.parameters,
      vocabSize: tok.vocab_size,
      documents: corpus.length,
      epochLosses: result.epoch_losses,
      seconds: result.seconds,
      createdAt: new Date().toISOString(),
    };
    await writeFileAtomic(metaPath, `${JSON.stringify(meta, null, 2)}\n`);
    return { path, key, cached: false, meta };
  } catch (e) {
    throw trainError('FR_ERR_TRAIN_PRETRAIN_FAILED', (e as Error).message, { cause: e });
  } finally {
    await worker.shutdown().catch(() => undefined);
  }
}
