import { describe, expect, it } from 'vitest';
import { generateWorld, worldStats } from '../../../env/datasets/factworld/index.ts';
import { TEST_ORGANISM, TEST_TRAIN } from '../../../test/support/test-organism.ts';
import { DEMO_WORLD, pretrainKey, rlSettings } from './organism-config.ts';
import { modelDir } from './pretrain.ts';
import { loadRunConfig } from './run-config.ts';

const runConfig = (overrides: string[]) =>
  loadRunConfig({ preset: TEST_TRAIN, organismPreset: TEST_ORGANISM, overrides });

const cachePathOf = async (overrides: string[]) => {
  const cfg = await runConfig(overrides);
  return modelDir(pretrainKey(cfg.organism, generateWorld(cfg.organism.world).fingerprint));
};

describe('the pretraining cache key', () => {
  it('gives the same cache path when only RL settings change (lr, KL, clip, temperature, grad clip)', async () => {
    const base = await cachePathOf([]);
    const rl = [
      'grpo.lr=0.003',
      'grpo.klCoef=0.1',
      'grpo.clipEps=0.3',
      'grpo.maxGradNorm=0.5',
      'grpo.weightDecay=0.01',
      'sampling.temperature=0.7',
      'worker.threads=2',
      'organism.threads=2',
    ];
    expect(await cachePathOf(rl)).toBe(base);
    // ... while the RL settings themselves did change, and travel to the worker as overrides.
    const changed = rlSettings((await runConfig(rl)).train);
    expect(changed).toEqual({
      optim: { lr: 0.003, weight_decay: 0.01, grad_clip: 0.5 },
      loss: { clip_eps: 0.3, kl_coef: 0.1, temperature: 0.7 },
    });
  });

  it('changes with the world, the architecture and the pretraining schedule', async () => {
    const base = await cachePathOf([]);
    for (const o of [
      'organism.world.seed=8',
      'organism.model.n_embd=32',
      'organism.pretrain.epochs=31',
      'organism.pretrain.lr=0.001',
      'organism.pretrain.seed=1',
    ])
      expect(await cachePathOf([o]), o).not.toBe(base);
  });
});

describe('the demo world', () => {
  it('is the default, and --set organism.world.seed changes its seed only', async () => {
    const plain = await loadRunConfig({});
    expect(plain.organism.world).toEqual(DEMO_WORLD);
    const reseeded = await loadRunConfig({ overrides: ['organism.world.seed=1'] });
    expect(reseeded.organism.world).toEqual({ ...DEMO_WORLD, seed: 1 });
  });

  it('keeps a guesser of the right type rare: pass@1 under 2% and pass@32 under 40%', () => {
    const chance = worldStats(generateWorld(DEMO_WORLD)).chance.test.typedGuesserPassAt;
    expect(chance[1]).toBeLessThan(0.02);
    expect(chance[32]).toBeLessThan(0.4);
  });
});
