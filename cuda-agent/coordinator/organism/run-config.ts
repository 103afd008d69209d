/**
 * Reading a run config for `factrecall train` and the demo: one JSON file holds the training
 * config (training/config.ts) plus an optional `organism` section (organism-config.ts) for
 * FactWorld runs; `--set key.path=value` flags apply on top (`organism.` keys go to the
 * organism). Presets sit under both; unknown keys anywhere are errors.
 */
import {
  applyOverrides,
  deepMerge,
  parseTrainConfig,
  readConfigFile,
  type TrainConfig,
  type TrainConfigInput,
} from '../training/config.ts';
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
  const fromFile = opts.file ? await readConfigFile(opts.file) : {};
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
