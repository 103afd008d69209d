/**
 * The core of `data prepare`, after the sources are loaded and split: dedup train against
 * val ∪ test (val and test are not deduplicated against each other), then write the split files, the sorted decision file, the manifest (last: it is the
 * commit point, so a crash never leaves a manifest that vouches for half-written files) and
 * run.json. Every file is written atomically.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../lib/files.ts';
import { fingerprintOf, sha256 } from '../../lib/hash.ts';
import type { DatasetName, QARecord, SplitName } from '../types.ts';
import type { AssignedSplits } from './assign.ts';
import type { ContainmentDecider } from './decider.ts';
import { DecisionLog } from './decision-log.ts';
import { type DedupResult, dedupTrainAgainstHeldOut } from './dedup.ts';
import { splitsError } from './errors.ts';
import {
  DEFAULT_HEURISTIC_THRESHOLDS,
  HeuristicDecider,
  type HeuristicThresholds,
} from './heuristic-decider.ts';
import {
  DECISION_LOG_FILE,
  DECISIONS_FILE,
  DEDUP_SCOPE,
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  type Manifest,
  manifestText,
  RUN_FILE,
  type SplitMode,
  sealManifest,
} from './manifest.ts';

/** A loaded source file, as the manifest records it. */
export interface SourceInfo {
  role: 'train' | 'eval' | 'generated';
  /** Absolute path (kept in run.json only) or a generator description. */
  path: string;
  /** File name as recorded in the manifest (no directories: manifests are machine-independent). */
  file: string;
  sha256: string;
  format: string;
  rowsRead: number;
  records: number;
  skippedBadRows: number;
}

/** Builds the decider once the pool is known (the heuristic's IDF weights depend on it). */
export type DeciderFactory = (pool: {
  train: readonly QARecord[];
  val: readonly QARecord[];
  test: readonly QARecord[];
}) => ContainmentDecider;

/**
 * The offline heuristic decider, IDF weights counted over the pool's train and test questions.
 * Val questions are left out of the IDF corpus on purpose: then the decider's fingerprint and
 * every (test, train) decision are what they were when only test was held out, so existing
 * decision logs are reused; val questions are weighed with the same IDF (a word seen in
 * neither train nor test gets the unseen-word weight).
 */
export function heuristicDecider(
  thresholds: HeuristicThresholds = DEFAULT_HEURISTIC_THRESHOLDS,
): DeciderFactory {
  return ({ train, test }) => {
    const questions = [...train, ...test].map((r) => r.question);
    return new HeuristicDecider({ questions, hash: fingerprintOf(questions, 32) }, thresholds);
  };
}

export interface WriteSplitsInput {
  dataset: DatasetName;
  mode: SplitMode;
  seed: number;
  /** Split options as the manifest records them (sizes, proportions, world config...). */
  options: Record<string, unknown>;
  sources: SourceInfo[];
  assigned: AssignedSplits;
}

export interface DedupSettings {
  topK: number;
  answerK: number;
  concurrency: number;
  decider: DeciderFactory;
  maxFailures?: number;
  signal?: AbortSignal;
  quiet?: boolean;
}

export interface PrepareResult {
  outDir: string;
  manifest: Manifest;
  dedup: DedupResult;
  elapsedMs: number;
}

/** Dedup and write one prepared dataset into `outDir`. */
export async function dedupAndWrite(
  input: WriteSplitsInput,
  outDir: string,
  settings: DedupSettings,
): Promise<PrepareResult> {
  const started = new Date();
  const t0 = performance.now();
  for (const [name, v] of [
    ['top-k', settings.topK],
    ['answer-k', settings.answerK],
  ] as const) {
    if (!(Number.isInteger(v) && v >= 0)) {
      throw splitsError('FR_ERR_SPLITS_INVALID_OPTIONS', `${name} must be an integer >= 0`);
    }
  }
  mkdirSync(outDir, { recursive: true });
  // No manifest while the directory is being rewritten: loaders refuse it rather than trust it.
  rmSync(join(outDir, MANIFEST_FILE), { force: true });

  const { train, val, test } = input.assigned;
  const decider = settings.decider({ train, val, test });
  const log = DecisionLog.open(join(outDir, DECISION_LOG_FILE));
  let dedup: DedupResult;
  try {
    dedup = await dedupTrainAgainstHeldOut(train, { test, val }, decider, log, {
      topK: settings.topK,
      answerK: settings.answerK,
      concurrency: settings.concurrency,
      ...(settings.maxFailures !== undefined ? { maxFailures: settings.maxFailures } : {}),
      ...(settings.signal ? { signal: settings.signal } : {}),
      quiet: settings.quiet ?? false,
    });
  } finally {
    await decider.close?.();
  }

  const finalSplits: Record<SplitName, readonly QARecord[]> = {
    train: dedup.keptTrain,
    val,
    test,
  };
  const before: Record<SplitName, number> = {
    train: train.length,
    val: val.length,
    test: test.length,
  };
  const splitEntries = {} as Manifest['splits'];
  for (const split of ['train', 'val', 'test'] as const) {
    const text = jsonl(finalSplits[split]);
    const file = `${split}.jsonl`;
    await writeFileAtomic(join(outDir, file), text);
    splitEntries[split] = {
      file,
      sha256: sha256(text),
      count: finalSplits[split].length,
      countBeforeDedup: before[split],
    };
  }
  const decisionsText = jsonl(dedup.decisions);
  await writeFileAtomic(join(outDir, DECISIONS_FILE), decisionsText);

  const info = decider.info;
  const manifest = sealManifest({
    format: MANIFEST_FORMAT,
    dataset: input.dataset,
    mode: input.mode,
    seed: input.seed,
    options: input.options,
    sources: input.sources.map((s) => ({
      role: s.role,
      file: s.file,
      sha256: s.sha256,
      format: s.format,
      rowsRead: s.rowsRead,
      records: s.records,
      skippedBadRows: s.skippedBadRows,
    })),
    splits: splitEntries,
    dedup: {
      decider: { kind: info.kind, fingerprint: info.fingerprint, settings: info.settings },
      note:
        info.kind === 'llm'
          ? 'containment judged by an LLM for every candidate pair'
          : 'OFFLINE HEURISTIC containment (no LLM configured): question similarity and shared-answer thresholds',
      scope: DEDUP_SCOPE,
      retrieval: { topK: settings.topK, answerK: settings.answerK },
      summary: dedup.summary,
      decisions: {
        file: DECISIONS_FILE,
        sha256: sha256(decisionsText),
        count: dedup.decisions.length,
      },
    },
  });
  await writeFileAtomic(join(outDir, MANIFEST_FILE), manifestText(manifest));
  const elapsedMs = performance.now() - t0;
  await writeFileAtomic(
    join(outDir, RUN_FILE),
    `${JSON.stringify(
      {
        manifestHash: manifest.hash,
        startedAt: started.toISOString(),
        finishedAt: new Date().toISOString(),
        elapsedMs: Math.round(elapsedMs),
        retrievalMs: Math.round(dedup.run.retrievalMs),
        decideMs: Math.round(dedup.run.decideMs),
        decisionsFromLog: dedup.run.fromLog,
        decisionsMadeNow: dedup.run.decidedNow,
        decisionsServedByDeciderCache: dedup.run.servedByDeciderCache,
        decisionLogLinesRepaired: log.repaired,
        sources: input.sources.map((s) => ({ role: s.role, path: s.path })),
      },
      null,
      2,
    )}\n`,
  );
  return { outDir, manifest, dedup, elapsedMs };
}

function jsonl(rows: readonly unknown[]): string {
  return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
}
