/**
 * Reading a run config for `factrecall train` and the demo: one JSON file holds the training
 * config (training/config.ts) plus an optional `organism` section (organism-config.ts) for
 * FactWorld runs; `--set key.path=value` flags apply on top (`organism.` keys go to the
 * organism). Presets sit under both; unknown keys anywhere are errors.
 */
import { readFile } from 'node:fs/promises';
import {
  applyOverrides,
  deepMerge,
  parseTrainConfig,
  type TrainConfig,
  type TrainConfigInput,
} from '../training/config.ts';
import { trainError } from '../training/errors.ts';
import {
  DEMO_WORLD,
  type OrganismConfig,
  type OrganismConfigInput,
  parseOrganismConfig,
} from './organism-config.ts';

export interface RunConfig {
  train: TrainConfig;
  organism: OrganismConfig;
}

export async function loadRunConfig(opts: {
  file?: string;
  preset?: TrainConfigInput;
  organismPreset?: OrganismConfigInput;
  overrides?: readonly string[];
}): Promise<RunConfig> {
  let fromFile: Record<string, unknown> = {};
  if (opts.file) {
    try {
      fromFile = JSON.parse(await readFile(opts.file, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw trainError('FR_ERR_TRAIN_CONFIG_UNREADABLE', `${opts.file}: ${(e as Error).message}`);
    }
    if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile))
      throw trainError(
        'FR_ERR_TRAIN_CONFIG_UNREADABLE',
        `${opts.file}: the top level must be an object`,
      );
  }
  // The preset's world (else the demo world) sits in the base, so `--set organism.world.seed=1`
  // changes the seed only (a bare schema default would be replaced whole by any world key).
  const preset = (opts.organismPreset ?? {}) as Record<string, unknown>;
  const organismBase = { ...preset, world: structuredClone(preset.world ?? DEMO_WORLD) };
  const base = deepMerge(
    { ...(opts.preset as Record<string, unknown>), organism: organismBase },
    fromFile,
  );
  const merged = applyOverrides(base, opts.overrides ?? []);
  const { organism, ...train } = merged;
  return { train: parseTrainConfig(train), organism: parseOrganismConfig(organism ?? {}) };
}
