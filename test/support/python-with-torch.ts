/**
 * The Python with torch that worker tests use, or why there is none (the test file then skips
 * with that reason printed in its title).
 */
import { findPythonWithTorch } from '../../cuda-agent/coordinator/launcher.ts';

export async function pythonWithTorch(): Promise<{ python?: string; skipWhy: string }> {
  try {
    return { python: (await findPythonWithTorch()).python, skipWhy: '' };
  } catch (e) {
    return { skipWhy: `no Python with torch (${(e as Error).message})` };
  }
}
