/** Resident set of a process in bytes, from /proc/<pid>/status (NaN where there is none). */
import { readFileSync } from 'node:fs';

export function rssBytes(pid: number | undefined): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
