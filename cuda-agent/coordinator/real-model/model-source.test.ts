import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isFactRecallError } from '../../../lib/errors.ts';
import { MODELS, modelPath } from '../../../models/index.ts';
import { resolveModelSource } from './model-source.ts';

describe('what --model names', () => {
  it('is a model directory, a .gguf file or a hub id, else a coded error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fr-model-source-'));
    await mkdir(join(dir, 'm'));
    await writeFile(join(dir, 'w.gguf'), 'x');
    await writeFile(join(dir, 'w.bin'), 'x');
    expect(await resolveModelSource(join(dir, 'm'))).toEqual({ path: join(dir, 'm'), kind: 'dir' });
    expect(await resolveModelSource(join(dir, 'w.gguf'))).toEqual({
      path: join(dir, 'w.gguf'),
      kind: 'gguf',
    });
    expect(await resolveModelSource('HuggingFaceTB/SmolLM2-135M-Instruct')).toEqual({
      path: 'HuggingFaceTB/SmolLM2-135M-Instruct',
      kind: 'hub',
    });
    for (const bad of [join(dir, 'w.bin'), join(dir, 'absent'), 'no-such-model', './a/b']) {
      const e = await resolveModelSource(bad).catch((x: unknown) => x);
      expect(isFactRecallError(e, 'FR_ERR_TRAIN_CONFIG_INVALID')).toBe(true);
    }
  });

  const cached = existsSync(modelPath('smollm2'));
  if (!cached)
    console.warn(
      'skipping the registry case: SmolLM2 is not cached (npx factrecall model fetch smollm2)',
    );
  it.skipIf(!cached)('resolves a registry name to its fetched, checksummed file', async () => {
    const s = await resolveModelSource('smollm2');
    expect(s).toEqual({
      path: modelPath('smollm2'),
      kind: 'registry',
      name: 'smollm2',
      sha256: MODELS.smollm2!.sha256,
    });
  });
});
