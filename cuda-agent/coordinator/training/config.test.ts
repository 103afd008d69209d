import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isFactRecallError } from '../../../lib/errors.ts';
import { applyOverrides, learningHash, loadTrainConfig, parseTrainConfig } from './config.ts';

describe('the training config', () => {
  it('defaults to the paper settings', () => {
    const c = parseTrainConfig({});
    expect(c.grpo).toMatchObject({
      lr: 1e-6,
      questionsPerBatch: 128,
      groupSize: 5,
      epochs: 8,
      klCoef: 0.001,
      clipEps: 0.2,
      advantage: 'std',
    });
    expect(c.sampling).toMatchObject({ temperature: 1, topP: 1, topK: 0 });
    expect(c.env).toMatchObject({ prompt: 'direct', dataset: 'factworld', judge: 'exact' });
  });

  it('refuses unknown keys at any level with a coded error naming the path', () => {
    for (const bad of [{ lr: 1 }, { grpo: { learningRate: 1 } }, { grpo: { groupSize: 1 } }]) {
      try {
        parseTrainConfig(bad);
        expect.unreachable();
      } catch (e) {
        expect(isFactRecallError(e, 'FR_ERR_TRAIN_CONFIG_INVALID')).toBe(true);
      }
    }
    expect(() => parseTrainConfig({ grpo: { learningRate: 1 } })).toThrow(/grpo/);
  });

  it('takes worker.parallel fsdp with several ranks only, and no unknown mode (issue 16)', () => {
    expect(parseTrainConfig({ worker: { ranks: 2, parallel: 'fsdp' } }).worker.parallel).toBe(
      'fsdp',
    );
    expect(parseTrainConfig({}).worker.parallel).toBe('ddp');
    for (const worker of [
      { ranks: 1, parallel: 'fsdp' },
      { ranks: 2, parallel: 'fsdp', engine: 'vllm' },
      { ranks: 2, parallel: 'zero3' },
    ])
      expect(() => parseTrainConfig({ worker })).toThrow(
        /FR_ERR_TRAIN_CONFIG_INVALID|worker\.parallel/,
      );
    try {
      parseTrainConfig({ worker: { ranks: 1, parallel: 'fsdp' } });
      expect.unreachable();
    } catch (e) {
      expect(isFactRecallError(e, 'FR_ERR_TRAIN_CONFIG_INVALID')).toBe(true);
      expect((e as Error).message).toMatch(/worker\.parallel: fsdp shards over several ranks/);
    }
  });

  it('is frozen after validation', () => {
    const c = parseTrainConfig({});
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.grpo)).toBe(true);
    expect(() => {
      (c.grpo as { lr: number }).lr = 1;
    }).toThrow();
  });

  it('reads a file, lays it over a preset, and applies --set overrides last', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fr-cfg-'));
    const file = join(dir, 'c.json');
    await writeFile(file, JSON.stringify({ grpo: { lr: 1e-4, groupSize: 8 } }));
    const c = await loadTrainConfig({
      file,
      preset: { grpo: { lr: 1e-3, epochs: 2 } },
      overrides: ['grpo.groupSize=4', 'env.transport=grpc', 'eval.splits=["test"]'],
    });
    expect(c.grpo).toMatchObject({ lr: 1e-4, groupSize: 4, epochs: 2 });
    expect(c.env.transport).toBe('grpc');
    expect(c.eval.splits).toEqual(['test']);
  });

  it('reports an unreadable or non-JSON file with its own code', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fr-cfg-'));
    const file = join(dir, 'bad.json');
    await writeFile(file, '{ nope');
    await expect(loadTrainConfig({ file })).rejects.toMatchObject({
      code: 'FR_ERR_TRAIN_CONFIG_UNREADABLE',
    });
    await expect(loadTrainConfig({ file: join(dir, 'missing.json') })).rejects.toMatchObject({
      code: 'FR_ERR_TRAIN_CONFIG_UNREADABLE',
    });
    expect(() => applyOverrides({}, ['novalue'])).toThrow(/key.path=value/);
  });

  it('hashes what changes learning and ignores the run id and deadlines', () => {
    const a = learningHash(parseTrainConfig({ runId: 'a', calls: { retries: 0 } }));
    const b = learningHash(parseTrainConfig({ runId: 'b' }));
    const c = learningHash(parseTrainConfig({ grpo: { lr: 2e-6 } }));
    expect(a).toBe(b);
    expect(learningHash(parseTrainConfig({ grpo: { maxSteps: 9 } }))).toBe(b);
    expect(a).not.toBe(c);
  });
});
