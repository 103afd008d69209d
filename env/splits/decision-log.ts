/**
 * The resumable decision log: every containment decision as one JSON line, appended as soon as
 * it is made, keyed by (decider fingerprint, held-out item, train item) ids and contents. The
 * held-out item is a val or test question; the `test*` fields name it whichever split it is in
 * (their names predate val being held out, and a pair's decision does not depend on the
 * split), so logs written before then stay valid and are resumed from. A re-run reads it
 * and decides only the pairs it lacks, so an interrupted run resumes without duplicates and an
 * LLM is never asked the same pair twice by the same decider.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { writeFileAtomicSync } from '../../lib/files.ts';
import { fingerprintOf } from '../../lib/hash.ts';
import type { QARecord } from '../types.ts';

export const decisionRecordSchema = z.object({
  key: z.string().min(1),
  decider: z.string().min(1),
  /**
   * The held-out split the `test*` item is in. Always set in decisions.jsonl; absent from the
   * working log, whose lines are pair decisions independent of the split.
   */
  heldOut: z.enum(['val', 'test']).optional(),
  testId: z.string(),
  trainId: z.string(),
  testQuestion: z.string(),
  trainQuestion: z.string(),
  testAnswer: z.string(),
  trainAnswer: z.string(),
  via: z.enum(['lexical', 'answer', 'both']),
  bm25: z.number(),
  sharedAnswer: z.string().nullable(),
  isContained: z.boolean(),
  reasoning: z.string(),
});
export type DecisionRecord = z.infer<typeof decisionRecordSchema>;

/**
 * The log key of a pair under one decider: both ids and both contents, so every (held-out,
 * train) pair is logged once, and a row whose text changed is decided again. `test` is the
 * held-out item, val or test.
 */
export function decisionKey(deciderFingerprint: string, test: QARecord, train: QARecord): string {
  return fingerprintOf(
    [
      deciderFingerprint,
      test.id,
      test.question,
      test.answers,
      train.id,
      train.question,
      train.answers,
    ],
    32,
  );
}

/**
 * The content key of a pair (no ids): what a decider's own cache is keyed by, so repeated rows
 * with the same text (PopQA repeats some questions) cost one LLM call.
 */
export function pairContentKey(
  deciderFingerprint: string,
  test: QARecord,
  train: QARecord,
): string {
  return fingerprintOf(
    [deciderFingerprint, test.question, test.answers, train.question, train.answers],
    32,
  );
}

export class DecisionLog {
  private readonly byKey = new Map<string, DecisionRecord>();
  private buffer: string[] = [];

  private constructor(
    readonly path: string,
    /** Lines dropped on open: a torn last line, malformed lines, repeated keys. */
    readonly repaired: number,
  ) {}

  /**
   * Open (or create) the log at `path`. A line torn by a crash, a malformed line or a repeated
   * key is dropped and the file rewritten atomically without it, so appends continue cleanly.
   */
  static open(path: string): DecisionLog {
    const records: DecisionRecord[] = [];
    let bad = 0;
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      const seen = new Set<string>();
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        const parsed = safeParse(line);
        if (!parsed || seen.has(parsed.key)) {
          bad++;
          continue;
        }
        seen.add(parsed.key);
        records.push(parsed);
      }
      if (bad > 0 || (text.length > 0 && !text.endsWith('\n'))) {
        writeFileAtomicSync(path, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
      }
    }
    const log = new DecisionLog(path, bad);
    for (const r of records) log.byKey.set(r.key, r);
    return log;
  }

  get size(): number {
    return this.byKey.size;
  }

  get(key: string): DecisionRecord | undefined {
    return this.byKey.get(key);
  }

  /** Remember a decision; it reaches the file at the next `flush`. A known key is ignored. */
  add(record: DecisionRecord): void {
    if (this.byKey.has(record.key)) return;
    this.byKey.set(record.key, record);
    this.buffer.push(`${JSON.stringify(record)}\n`);
  }

  get pending(): number {
    return this.buffer.length;
  }

  /** Append buffered decisions to the file (one write, whole lines). */
  flush(): void {
    if (this.buffer.length === 0) return;
    appendFileSync(this.path, this.buffer.join(''));
    this.buffer = [];
  }
}

function safeParse(line: string): DecisionRecord | null {
  try {
    const r = decisionRecordSchema.safeParse(JSON.parse(line));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
