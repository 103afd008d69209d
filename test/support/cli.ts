/** Run the `factrecall` CLI as a user would: a child process from the repository root. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../lib/paths.ts';

const run = promisify(execFile);
const CLI = join(REPO_ROOT, 'bin', 'factrecall.js');

/** stdout, stderr and the exit code (0 on success) of `factrecall ...args`. */
export async function cli(
  ...args: string[]
): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd: REPO_ROOT });
    return { stdout, stderr, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { stdout: err.stdout, stderr: err.stderr, code: err.code };
  }
}
