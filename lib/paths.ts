import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the folder holding package.json). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The shared real data files (`../shared/datasets` beside the checkout), or
 * FACTRECALL_SHARED_DATASETS. Tests read the real files from here; they are never copied in.
 */
export function sharedDatasetsDir(): string {
  return process.env.FACTRECALL_SHARED_DATASETS ?? resolve(REPO_ROOT, '..', 'shared', 'datasets');
}

export function hasSharedDatasets(): boolean {
  return existsSync(sharedDatasetsDir());
}

/** Where caches live (downloads, pretrained models, verdicts): FACTRECALL_CACHE or .cache/. */
export function cacheDir(...parts: string[]): string {
  return join(process.env.FACTRECALL_CACHE ?? join(REPO_ROOT, '.cache'), ...parts);
}
