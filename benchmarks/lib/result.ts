/**
 * The result file of one `npm run bench`: the machine, then one entry per benchmark (its
 * tables, or the text it printed when it runs as a subprocess), validated by one schema so a
 * later run can be read back and compared. Written as JSON and as markdown, each via a temp
 * file and rename, so a half-written result never replaces a whole one.
 */
import { rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { renderTable } from './table.ts';

export const RESULT_SCHEMA_ID = 'factrecall-bench/1';

const tableSchema = z.object({
  title: z.string(),
  header: z.array(z.string()).min(1),
  rows: z.array(z.array(z.string())),
  align: z.array(z.enum(['left', 'right'])).optional(),
  notes: z.array(z.string()).optional(),
});

export const benchResultSchema = z.object({
  name: z.string().min(1),
  title: z.string(),
  /** The command that reproduces this entry alone. */
  command: z.string(),
  status: z.enum(['ok', 'failed', 'skipped']),
  /** Why it failed or was skipped. */
  reason: z.string().optional(),
  seconds: z.number().nonnegative(),
  tables: z.array(tableSchema),
  /** What a subprocess benchmark printed (its own table), kept verbatim. */
  output: z.string().optional(),
  /** Numbers for machines to compare runs (episodes/s, percentiles...), by key. */
  metrics: z.record(z.string(), z.number()).optional(),
});

export const machineSchema = z.object({
  cpus: z.number().int().positive(),
  cpuModel: z.string(),
  memGiB: z.number().positive(),
  loadAvgStart: z.array(z.number()).length(3),
  loadAvgEnd: z.array(z.number()).length(3),
  node: z.string(),
  python: z.string().nullable(),
  commit: z.string(),
  dirty: z.boolean(),
  platform: z.string(),
  note: z.string(),
});

export const runReportSchema = z.object({
  schema: z.literal(RESULT_SCHEMA_ID),
  startedAt: z.string(),
  finishedAt: z.string(),
  mode: z.enum(['quick', 'full']),
  command: z.string(),
  machine: machineSchema,
  results: z.array(benchResultSchema),
});

export type BenchResult = z.infer<typeof benchResultSchema>;
export type Machine = z.infer<typeof machineSchema>;
export type RunReport = z.infer<typeof runReportSchema>;

const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');

/** The markdown page of a run: machine first, then every benchmark in order. */
export function renderReport(r: RunReport): string {
  const m = r.machine;
  const out = [
    `# FactRecall benchmarks (${r.mode})`,
    '',
    `\`${r.command}\`, ${r.startedAt} to ${r.finishedAt}, commit \`${m.commit}\`${m.dirty ? ' (uncommitted changes)' : ''}.`,
    '',
    `Machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memGiB.toFixed(0)} GiB, ${m.platform}; Node ${m.node}, Python ${m.python ?? 'absent'}. ` +
      `Load average (1/5/15 min) at start ${load(m.loadAvgStart)}, at end ${load(m.loadAvgEnd)}.`,
    '',
    m.note,
  ];
  for (const b of r.results) {
    out.push('', `## ${b.title}`, '', `\`${b.command}\`: ${b.status}, ${b.seconds.toFixed(1)} s`);
    if (b.reason) out.push('', `${b.status === 'skipped' ? 'Skipped' : 'Failed'}: ${b.reason}`);
    for (const t of b.tables) out.push('', renderTable(t));
    if (b.output) out.push('', '```text', b.output.trimEnd(), '```');
  }
  return `${out.join('\n')}\n`;
}

/** Write `text` to `path` whole or not at all (temp file in the same folder, then rename). */
export async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}
