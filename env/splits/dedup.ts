/**
 * Fact-level dedup of train against test: retrieve candidates for every test question, decide
 * containment for every (test, candidate) pair through a decider, drop every train item that
 * contains a test fact. Decisions go to a resumable log as they are made; failures and
 * cancellation are errors (never read as "not contained"), raised after the log is flushed.
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

export interface DedupSummary {
  testQuestions: number;
  trainBefore: number;
  trainAfter: number;
  candidatePairs: number;
  containedPairs: number;
  /** Test questions with at least one contained train item. */
  testWithContained: number;
  removedTrain: number;
}

export interface DedupResult {
  keptTrain: QARecord[];
  removedTrain: QARecord[];
  /** Every decision, in test order then candidate order. */
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

export async function dedupTrainAgainstTest(
  train: readonly QARecord[],
  test: readonly QARecord[],
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
  const order: Array<{ key: string; testIdx: number; trainIdx: number }> = [];
  const fp = decider.info.fingerprint;
  const queued = new Set<string>();
  test.forEach((t, testIdx) => {
    for (const c of index.candidates(t, opts)) {
      const r = train[c.trainIndex]!;
      const key = decisionKey(fp, t, r);
      order.push({ key, testIdx, trainIdx: c.trainIndex });
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
  const removed = new Set<number>();
  const testWithContained = new Set<number>();
  const seenKeys = new Set<string>();
  for (const o of order) {
    const d = log.get(o.key)!;
    // The same pair can be reached twice (repeated test rows); it is logged once.
    if (!seenKeys.has(o.key)) decisions.push(d);
    seenKeys.add(o.key);
    if (d.isContained) {
      removed.add(o.trainIdx);
      testWithContained.add(o.testIdx);
    }
  }
  const keptTrain = train.filter((_, i) => !removed.has(i));
  const removedTrain = train.filter((_, i) => removed.has(i));
  return {
    keptTrain,
    removedTrain,
    decisions,
    summary: {
      testQuestions: test.length,
      trainBefore: train.length,
      trainAfter: keptTrain.length,
      candidatePairs: decisions.length,
      containedPairs: decisions.filter((d) => d.isContained).length,
      testWithContained: testWithContained.size,
      removedTrain: removedTrain.length,
    },
    run: { retrievalMs, decideMs, fromLog, decidedNow: decided, servedByDeciderCache },
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
