/**
 * `data report`: per prepared dataset, split counts before and after dedup, train items removed
 * because of test and because of val (train is deduplicated against both; they can overlap),
 * examples of removed (held-out, train) pairs with the decider's reasoning, and the time the
 * run took.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { textTable } from '../../lib/text-table.ts';
import { DATASET_NAMES } from '../types.ts';
import { type DecisionRecord, decisionRecordSchema } from './decision-log.ts';
import { defaultPreparedDir, loadPreparedSplits } from './load.ts';
import { DECISIONS_FILE, MANIFEST_FILE, type Manifest, RUN_FILE } from './manifest.ts';

export interface DatasetReport {
  dir: string;
  manifest: Manifest;
  /** From run.json; null when it is missing. */
  elapsedMs: number | null;
  /** Whether every file still matches the manifest. */
  verified: boolean;
  verifyError?: string;
  examples: DecisionRecord[];
}

/** Prepared directories under the default location (one per dataset that has a manifest). */
export function defaultReportDirs(): string[] {
  return DATASET_NAMES.map((d) => defaultPreparedDir(d)).filter((d) =>
    existsSync(join(d, MANIFEST_FILE)),
  );
}

/** Read one prepared directory for the report (verifies its hashes, never throws on mismatch). */
export async function datasetReport(dir: string, examples = 3): Promise<DatasetReport> {
  let verified = true;
  let verifyError: string | undefined;
  let manifest: Manifest;
  try {
    manifest = (await loadPreparedSplits(dir)).manifest;
  } catch (e) {
    verified = false;
    verifyError = e instanceof Error ? e.message : String(e);
    // Still report what the manifest says, if it is readable at all.
    manifest = (await loadPreparedSplits(dir, { force: true })).manifest;
  }
  let elapsedMs: number | null = null;
  const runPath = join(dir, RUN_FILE);
  if (existsSync(runPath)) {
    const run = JSON.parse(readFileSync(runPath, 'utf8')) as { elapsedMs?: unknown };
    if (typeof run.elapsedMs === 'number') elapsedMs = run.elapsedMs;
  }
  const removed: DecisionRecord[] = [];
  const decisionsPath = join(dir, DECISIONS_FILE);
  if (existsSync(decisionsPath) && examples > 0) {
    for (const line of readFileSync(decisionsPath, 'utf8').split('\n')) {
      if (line === '') continue;
      const r = decisionRecordSchema.safeParse(JSON.parse(line));
      if (r.success && r.data.isContained) removed.push(r.data);
    }
  }
  return {
    dir,
    manifest,
    elapsedMs,
    verified,
    ...(verifyError !== undefined ? { verifyError } : {}),
    examples: spread(removed, examples),
  };
}

/** `n` items spread evenly over the list (first, ..., near the end), for varied examples. */
function spread<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]!);
}

/** The report as plain text: one table, then examples per dataset. */
export function formatReport(reports: readonly DatasetReport[]): string {
  if (reports.length === 0) return 'no prepared datasets found (run `factrecall data prepare`)\n';
  const header = [
    'dataset',
    'mode',
    'dedup',
    'train before',
    'train after',
    'removed',
    'by test',
    'by val',
    'val',
    'test',
    'pairs',
    'contained',
    'time',
    'files',
  ];
  const rows = reports.map((r) => {
    const m = r.manifest;
    const s = m.dedup.summary;
    return [
      m.dataset,
      m.mode,
      m.dedup.decider.kind,
      String(s.trainBefore),
      String(s.trainAfter),
      `${s.removedTrain} (${pct(s.removedTrain, s.trainBefore)})`,
      String(s.heldOut.test.removedTrain),
      String(s.heldOut.val.removedTrain),
      String(m.splits.val.count),
      String(m.splits.test.count),
      String(s.candidatePairs),
      String(s.containedPairs),
      r.elapsedMs === null ? '?' : `${(r.elapsedMs / 1000).toFixed(1)} s`,
      r.verified ? 'ok' : 'MISMATCH',
    ];
  });
  const out = textTable([header, ...rows], { rule: true });
  for (const r of reports) {
    out.push('');
    const m = r.manifest;
    out.push(
      `${m.dataset}: manifest ${m.hash.slice(0, 12)}, seed ${m.seed}, ${r.dir}${r.verified ? '' : `\n  NOT VERIFIED: ${r.verifyError}`}`,
    );
    if (m.dedup.decider.kind === 'heuristic') out.push(`  ${m.dedup.note}`);
    out.push(`  ${m.dedup.scope}`);
    if (r.examples.length === 0) out.push('  no train item was removed');
    for (const d of r.examples) {
      out.push(`  ${`${d.heldOut ?? 'test'}:`.padEnd(6)} ${d.testQuestion} -> ${d.testAnswer}`);
      out.push(`  train: ${d.trainQuestion} -> ${d.trainAnswer}`);
      out.push(`  why:   ${d.reasoning}`);
    }
  }
  return `${out.join('\n')}\n`;
}

function pct(a: number, b: number): string {
  return b === 0 ? '0%' : `${((100 * a) / b).toFixed(1)}%`;
}
