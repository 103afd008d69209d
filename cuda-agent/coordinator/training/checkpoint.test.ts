import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CoordinatorState, readLatestCheckpoint, writeCheckpoint } from './checkpoint.ts';

const state = (step: number): CoordinatorState => ({
  version: 1,
  step,
  learningHash: 'h1',
  data: { epoch: 0, cursor: step * 4 },
  rng: 123 + step,
  metrics: [],
  extra: { before: { test: 0.1 } },
  savedAt: new Date(0).toISOString(),
});

const saveFake = async (dir: string) => writeFile(join(dir, 'weights.bin'), 'w');

describe('checkpoints', () => {
  it('round-trip the coordinator state and point latest at the newest, keeping the last K', async () => {
    const run = await mkdtemp(join(tmpdir(), 'fr-ckpt-'));
    for (const s of [2, 4, 6]) await writeCheckpoint(run, state(s), saveFake, 2);
    const { ref, state: back } = await readLatestCheckpoint(run, 'h1');
    expect(back).toEqual(state(6));
    expect(existsSync(join(ref.workerDir, 'weights.bin'))).toBe(true);
    const dirs = (await readdir(join(run, 'checkpoints'))).sort();
    expect(dirs).toEqual(['latest.json', 'step-000004', 'step-000006']);
  });

  it('leave the previous checkpoint intact when the worker fails to save', async () => {
    const run = await mkdtemp(join(tmpdir(), 'fr-ckpt-'));
    await writeCheckpoint(run, state(2), saveFake, 2);
    await expect(
      writeCheckpoint(
        run,
        state(4),
        async () => {
          throw new Error('disk full');
        },
        2,
      ),
    ).rejects.toThrow('disk full');
    const { state: back } = await readLatestCheckpoint(run, 'h1');
    expect(back.step).toBe(2);
    expect((await readdir(join(run, 'checkpoints'))).filter((d) => d.includes('partial'))).toEqual(
      [],
    );
  });

  it('refuse to resume without a checkpoint, from a corrupt one, or under a different config', async () => {
    const run = await mkdtemp(join(tmpdir(), 'fr-ckpt-'));
    await expect(readLatestCheckpoint(run, 'h1')).rejects.toMatchObject({
      code: 'FR_ERR_TRAIN_CHECKPOINT_MISSING',
    });
    const ref = await writeCheckpoint(run, state(2), saveFake, 2);
    await expect(readLatestCheckpoint(run, 'other')).rejects.toMatchObject({
      code: 'FR_ERR_TRAIN_CHECKPOINT_CORRUPT',
    });
    await writeFile(join(ref.dir, 'coordinator.json'), '{"trunc');
    await expect(readLatestCheckpoint(run, 'h1')).rejects.toMatchObject({
      code: 'FR_ERR_TRAIN_CHECKPOINT_CORRUPT',
    });
    expect(await readFile(join(run, 'checkpoints', 'latest.json'), 'utf8')).toContain(
      'step-000002',
    );
  });
});
