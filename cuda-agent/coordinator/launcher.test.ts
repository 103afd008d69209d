import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isFactRecallError } from '../../lib/errors.ts';
import { REPO_ROOT } from '../../lib/paths.ts';
import {
  findPythonWithTorch,
  probePython,
  pythonCandidates,
  WORKER_DIR,
  workerCommand,
} from './launcher.ts';

/** An executable that fails like a Python lacking torch. */
function fakePythonWithoutTorch(dir: string): string {
  const path = join(dir, 'python-without-torch');
  writeFileSync(
    path,
    `#!/bin/sh\necho "ModuleNotFoundError: No module named 'torch'" >&2\nexit 1\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

describe('finding a Python for the worker', () => {
  it('tries the project .venv before python3, and only FACTRECALL_PYTHON when that is set', () => {
    const root = mkdtempSync(join(tmpdir(), 'fr-launcher-'));
    mkdirSync(join(root, '.venv', 'bin'), { recursive: true });
    writeFileSync(join(root, '.venv', 'bin', 'python'), '');
    expect(pythonCandidates({ env: {}, root })).toEqual([
      { python: join(root, '.venv', 'bin', 'python'), source: 'venv' },
      { python: 'python3', source: 'python3' },
    ]);
    expect(pythonCandidates({ env: { FACTRECALL_PYTHON: '/opt/py' }, root })).toEqual([
      { python: '/opt/py', source: 'FACTRECALL_PYTHON' },
    ]);
    expect(pythonCandidates({ env: {}, root: tmpdir() }).map((c) => c.source)).toEqual(['python3']);
  });

  it('finds the checkout .venv interpreter with torch (made by scripts/setup.mjs)', async () => {
    const found = await findPythonWithTorch({ env: {} }).catch((e: unknown) => e);
    if (isFactRecallError(found)) {
      console.warn(`skipped: ${found.message}`);
      return;
    }
    expect(found).toMatchObject({
      source: 'venv',
      python: join(REPO_ROOT, '.venv', 'bin', 'python'),
    });
    expect((found as { torchVersion: string }).torchVersion).toMatch(/^2\./);
  });

  it('says what each candidate lacked and what to install when none has torch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fr-launcher-'));
    const err = await findPythonWithTorch({
      env: {},
      root: dir,
      fallback: join(dir, 'no-such-python'),
    }).catch((e: unknown) => e);
    expect(isFactRecallError(err, 'FR_ERR_WORKER_NO_PYTHON')).toBe(true);
    expect((err as Error).message).toMatch(/no-such-python \(python3\): not found/);
    expect((err as Error).message).toMatch(/node scripts\/setup\.mjs/);
    expect((err as Error).message).toMatch(/pip install -r cuda-agent\/worker\/requirements\.txt/);

    const explicit = fakePythonWithoutTorch(dir);
    const err2 = await findPythonWithTorch({ env: { FACTRECALL_PYTHON: explicit } }).catch(
      (e: unknown) => e,
    );
    expect((err2 as Error).message).toContain(`${explicit} (FACTRECALL_PYTHON): no module torch`);
    expect(await probePython(explicit)).toEqual({ ok: false, reason: 'no module torch' });
  });

  it('starts the worker as a module with its package first on PYTHONPATH', () => {
    const cmd = workerCommand('/usr/bin/python3', { PYTHONPATH: '/elsewhere', HOME: '/h' });
    expect(cmd.command).toBe('/usr/bin/python3');
    expect(cmd.args).toEqual(['-m', 'factrecall_worker']);
    expect(cmd.env.PYTHONPATH).toBe(`${WORKER_DIR}:/elsewhere`);
    expect(cmd.env.HOME).toBe('/h');
  });

  it('starts several data-parallel ranks under torchrun on this machine', () => {
    const cmd = workerCommand('/usr/bin/python3', {}, 2);
    expect(cmd.args).toEqual([
      '-m',
      'torch.distributed.run',
      '--standalone',
      '--nproc_per_node=2',
      '-m',
      'factrecall_worker',
    ]);
    expect(cmd.env.FACTRECALL_PARALLEL).toBe('ddp');
    expect(workerCommand('/usr/bin/python3', {}, 2, 'fsdp').env.FACTRECALL_PARALLEL).toBe('fsdp');
    expect(
      workerCommand('/usr/bin/python3', {}, 1, 'fsdp').env.FACTRECALL_PARALLEL,
    ).toBeUndefined();
  });
});
