/**
 * The run config of a real-model command (`train --model`, `compare --model`): the hf preset
 * (`--preset`), then a config file, then `--model`, `--splits`, `--judge`, then `--set`.
 */
import { HF_PRESETS, type HfPresetName } from '../../cuda-agent/coordinator/real-model/presets.ts';
import { loadTrainConfig, type TrainConfig } from '../../cuda-agent/coordinator/training/config.ts';
import { trainError } from '../../cuda-agent/coordinator/training/errors.ts';

const DATASETS = ['nq_open', 'triviaqa', 'popqa', 'simpleqa'];

export interface RealModelFlags {
  config?: string;
  model?: string;
  splits?: string;
  judge?: string;
  preset: string;
}

export async function realModelConfig(
  flags: RealModelFlags,
  overrides: readonly string[],
): Promise<TrainConfig> {
  if (!flags.model || !flags.splits)
    throw trainError('FR_ERR_TRAIN_CONFIG_INVALID', '--model and --splits go together');
  if (!Object.hasOwn(HF_PRESETS, flags.preset))
    throw trainError(
      'FR_ERR_TRAIN_CONFIG_INVALID',
      `--preset ${flags.preset}: one of ${Object.keys(HF_PRESETS).join(', ')}`,
    );
  const extra = [
    `worker.model=${flags.model}`,
    `env.splits=${flags.splits}`,
    ...(DATASETS.includes(flags.splits) ? [`env.dataset=${flags.splits}`] : []),
    ...(flags.judge ? [`env.judge=${flags.judge}`] : []),
  ];
  const cfg = await loadTrainConfig({
    ...(flags.config ? { file: flags.config } : {}),
    preset: HF_PRESETS[flags.preset as HfPresetName],
    overrides: [...extra, ...overrides],
  });
  if (cfg.worker.engine !== 'hf')
    throw trainError(
      'FR_ERR_TRAIN_CONFIG_INVALID',
      '--model trains on the hf engine (worker.engine hf)',
    );
  return cfg;
}
