/**
 * A test helper for resource leaks: how many file descriptors of this process point at a file.
 * Linux only (it reads /proc/self/fd); undefined where that is not available, so tests skip.
 */
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { resolve } from 'node:path';

/** Descriptors of this process open on `path`, or undefined without /proc/self/fd. */
export function openFileCount(path: string): number | undefined {
  if (!existsSync('/proc/self/fd')) return undefined;
  const target = resolve(path);
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === target) n++;
    } catch {
      // The descriptor closed between the listing and the read (readdir's own, for one).
    }
  }
  return n;
}
