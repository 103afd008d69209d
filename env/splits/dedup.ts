/**
 * Fact-level dedup of train against the held-out splits (val ∪ test): retrieve candidates for
 * every held-out question, decide containment for every (held-out, candidate) pair through a
 * decider, drop every train item that contains a held-out fact. Val counts as held out because
 * training reports greedy val scores as its held-out measure; a val fact seen in train would
 * inflate them. Val and test are NOT deduplicated against each other (neither is trained on).
 * Decisions go to a resumable log as they are made, keyed by item ids and contents exactly as
 * before (a pair's decision does not depend on which held-out split its item is in), so logs
 * written when only test was held out stay valid. Failures and cancellation are errors (never
 * read as "not contained"), raised after the log is flushed.
 */
import { isFactRecallError } from '../../lib/errors.ts';
import { progress } from '../../lib/progress.ts';
import type { QARecord } from '../types.ts';
import type { ContainmentDecider, ContainmentPair } from './decider.ts';
import { type DecisionLog, type DecisionRecord, decisionKey } from './decision-log.ts';
import { splitsError } from './errors.ts';
import { CandidateIndex, type RetrievalOptions } from './retrieval.ts';

export interface DedupOptions extends RetrievalOptions {
  /** Pairs decided at once (the LLM client applies its own limit too). */
  concurrency: number;
  /** Stop launching new decisions after this many failures. */
  maxFailures?: number;
  signal?: AbortSignal;
  quiet?: boolean;
}

/** The splits train is deduplicated against, in the order they are processed. */
export const HELD_OUT_SPLITS = ['test', 'val'] as const;
export type HeldOutSplit = (typeof HELD_OUT_SPLITS)[number];

/** What dedup found for one held-out split. */
export interface HeldOutSummary {
  /** Questions in the split. */
  questions: number;
  /** Distinct (held-out item, train item) pairs retrieved for the split's questions. */
  candidatePairs: number;
  containedPairs: number;
  /** Questions of the split with at least one contained train item. */
  withContained: number;
  /**
   * Train items removed because they contain a fact of this split. A train item can contain a
   * val fact and a test fact at once, so the two splits' counts can overlap (see
   * `DedupSummary.removedTrainByBoth`).
   */
  removedTrain: number;
}

export interface DedupSummary {
  trainBefore: number;
  trainAfter: number;
  /** Distinct pairs over both held-out splits. */
  candidatePairs: number;
  containedPairs: number;
  /** Train items removed (because of test, val or both): trainBefore - trainAfter. */
  removedTrain: number;
  /** Train items that contain both a test fact and a val fact. */
  removedTrainByBoth: number;
  /** Per held-out split; val and test are not deduplicated against each other. */
  heldOut: Record<HeldOutSplit, HeldOutSummary>;
}

export interface DedupResult {
  keptTrain: QARecord[];
  removedTrain: QARecord[];
  /**
   * Every decision once, test questions first then val (each in split order, then candidate
   * order), with `heldOut` naming the split of the held-out item.
   */
  decisions: DecisionRecord[];
  summary: DedupSummary;
  /** Run facts, not part of any hash. */
  run: {
    retrievalMs: number;
    decideMs: number;
    fromLog: number;
    decidedNow: number;
    servedByDeciderCache: number;
  };
}

interface Job {
  key: string;
  pair: ContainmentPair;
}

/** Flush the log at least this often while deciding, so a crash loses little. */
const FLUSH_EVERY_MS = 250;
const FLUSH_EVERY_LINES = 500;

/**
 * Dedup `train` against `heldOut.test` and `heldOut.val`: a train item is removed when any
 * decision calls a fact of either split contained in it. Deterministic for the same inputs and
 * decider; resumes from `log`.
 */
export async function dedupTrainAgainstHeldOut(
  train: readonly QARecord[],
  heldOut: Readonly<Record<HeldOutSplit, readonly QARecord[]>>,
  decider: ContainmentDecider,
  log: DecisionLog,
  opts: DedupOptions,
): Promise<DedupResult> {
  if (!(Number.isInteger(opts.concurrency) && opts.concurrency >= 1)) {
    throw splitsError('FR_ERR_SPLITS_INVALID_OPTIONS', 'concurrency must be an integer >= 1');
  }
  const t0 = performance.now();
  const index = CandidateIndex.build(train);
  const jobs: Job[] = [];
  const order: Array<{ key: string; split: HeldOutSplit; heldIdx: number; trainIdx: number }> = [];
  const fp = decider.info.fingerprint;
  const queued = new Set<string>();
  for (const split of HELD_OUT_SPLITS) {
    heldOut[split].forEach((t, heldIdx) => {
      for (const c of index.candidates(t, opts)) {
        const r = train[c.trainIndex]!;
        // The key names the held-out item by id and content, not by split: as before val was held out.
        const key = decisionKey(fp, t, r);
        order.push({ key, split, heldIdx, trainIdx: c.trainIndex });
        if (log.get(key) === undefined && !queued.has(key)) {
          queued.add(key);
          jobs.push({
            key,
            pair: {
              test: t,
              train: r,
              retrieval: { via: c.via, bm25: c.bm25, sharedAnswer: c.sharedAnswer },
            },
          });
        }
      }
    });
  }
  const retrievalMs = performance.now() - t0;
  const fromLog = new Set(order.map((o) => o.key)).size - jobs.length;

  const t1 = performance.now();
  const { failures, cancelled, servedByDeciderCache, decided } = await runJobs(
    jobs,
    decider,
    log,
    fp,
    opts,
  );
  const decideMs = performance.now() - t1;
  if (cancelled) {
    throw splitsError(
      'FR_ERR_SPLITS_CANCELLED',
      `${decided} decided in this run, ${jobs.length - decided} left`,
    );
  }
  if (failures.length > 0) {
    const first = failures[0]!;
    throw splitsError(
      'FR_ERR_SPLITS_DECIDER_FAILED',
      `${failures.length} pair(s) failed; first: ${first.message}`,
      { details: { failed: failures.length, first: first.message }, cause: first.error },
    );
  }

  // Every pair has a decision now; gather them in a stable order.
  const decisions: DecisionRecord[] = [];
  const seenKeys = new Set<string>();
  const removedBy: Record<HeldOutSplit, Set<number>> = { test: new Set(), val: new Set() };
  const withContained: Record<HeldOutSplit, Set<number>> = { test: new Set(), val: new Set() };
  const pairsOf: Record<HeldOutSplit, Set<string>> = { test: new Set(), val: new Set() };
  const containedOf: Record<HeldOutSplit, Set<string>> = { test: new Set(), val: new Set() };
  for (const o of order) {
    const d = log.get(o.key)!;
    // The same pair can be reached twice (repeated held-out rows); it is listed once, under
    // the split it was first reached from.
    if (!seenKeys.has(o.key)) decisions.push(withHeldOut(d, o.split));
    seenKeys.add(o.key);
    pairsOf[o.split].add(o.key);
    if (d.isContained) {
      removedBy[o.split].add(o.trainIdx);
      withContained[o.split].add(o.heldIdx);
      containedOf[o.split].add(o.key);
    }
  }
  const removed = new Set([...removedBy.test, ...removedBy.val]);
  const keptTrain = train.filter((_, i) => !removed.has(i));
  const removedTrain = train.filter((_, i) => removed.has(i));
  const splitSummary = (split: HeldOutSplit): HeldOutSummary => ({
    questions: heldOut[split].length,
    candidatePairs: pairsOf[split].size,
    containedPairs: containedOf[split].size,
    withContained: withContained[split].size,
    removedTrain: removedBy[split].size,
  });
  return {
    keptTrain,
    removedTrain,
    decisions,
    summary: {
      trainBefore: train.length,
      trainAfter: keptTrain.length,
      candidatePairs: decisions.length,
      containedPairs: decisions.filter((d) => d.isContained).length,
      removedTrain: removedTrain.length,
      removedTrainByBoth: [...removedBy.test].filter((i) => removedBy.val.has(i)).length,
      heldOut: { test: splitSummary('test'), val: splitSummary('val') },
    },
    run: { retrievalMs, decideMs, fromLog, decidedNow: decided, servedByDeciderCache },
  };
}

/**
 * A decision as written to decisions.jsonl: every field in schema order, `heldOut` set from
 * the split the pair was reached from (log lines written before val was held out lack it).
 */
function withHeldOut(d: DecisionRecord, split: HeldOutSplit): DecisionRecord {
  return {
    key: d.key,
    decider: d.decider,
    heldOut: split,
    testId: d.testId,
    trainId: d.trainId,
    testQuestion: d.testQuestion,
    trainQuestion: d.trainQuestion,
    testAnswer: d.testAnswer,
    trainAnswer: d.trainAnswer,
    via: d.via,
    bm25: d.bm25,
    sharedAnswer: d.sharedAnswer,
    isContained: d.isContained,
    reasoning: d.reasoning,
  };
}

async function runJobs(
  jobs: readonly Job[],
  decider: ContainmentDecider,
  log: DecisionLog,
  fp: string,
  opts: DedupOptions,
): Promise<{
  failures: Array<{ message: string; error: unknown }>;
  cancelled: boolean;
  servedByDeciderCache: number;
  decided: number;
}> {
  const failures: Array<{ message: string; error: unknown }> = [];
  const maxFailures = opts.maxFailures ?? 10;
  const bar = progress('dedup decisions', jobs.length, { quiet: opts.quiet ?? false });
  let next = 0;
  let decided = 0;
  let servedByDeciderCache = 0;
  let cancelled = false;
  let lastFlush = performance.now();
  const maybeFlush = () => {
    const now = performance.now();
    if (log.pending >= FLUSH_EVERY_LINES || now - lastFlush >= FLUSH_EVERY_MS) {
      log.flush();
      lastFlush = now;
    }
  };

  const worker = async () => {
    while (next < jobs.length) {
      if (opts.signal?.aborted) {
        cancelled = true;
        return;
      }
      if (failures.length >= maxFailures) return;
      const job = jobs[next++]!;
      try {
        const d = await decider.decide(job.pair, opts.signal ? { signal: opts.signal } : {});
        log.add(toRecord(job, fp, d.isContained, d.reasoning));
        decided++;
        if (d.cached) servedByDeciderCache++;
        bar.tick();
        maybeFlush();
      } catch (e) {
        if (opts.signal?.aborted || isCancellation(e)) {
          cancelled = true;
          return;
        }
        failures.push({ message: e instanceof Error ? e.message : String(e), error: e });
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(opts.concurrency, jobs.length) }, worker));
  } finally {
    log.flush();
    bar.stop();
  }
  return { failures, cancelled, servedByDeciderCache, decided };
}

function isCancellation(e: unknown): boolean {
  if (isFactRecallError(e)) return e.grpcStatus === 'CANCELLED';
  return e instanceof Error && e.name === 'AbortError';
}

function toRecord(job: Job, fp: string, isContained: boolean, reasoning: string): DecisionRecord {
  const { test, train, retrieval } = job.pair;
  return {
    key: job.key,
    decider: fp,
    testId: test.id,
    trainId: train.id,
    testQuestion: test.question,
    trainQuestion: train.question,
    testAnswer: test.answers[0] ?? '',
    trainAnswer: train.answers[0] ?? '',
    via: retrieval.via,
    bm25: Math.round(retrieval.bm25 * 1e4) / 1e4,
    sharedAnswer: retrieval.sharedAnswer,
    isContained,
    reasoning,
  };
}
