/**
 * The durable record of eval runs, for the leaderboard: an append-only JSON-lines file. Each
 * record is appended by rewriting the file atomically (temporary sibling + rename), so a crash
 * leaves the old file or the new one, never a half-written line; appends are serialised.
 */
import { readFile, stat } from 'node:fs/promises';
import type { EnvSpec, EpisodeCounts, SplitName } from '../env/types.ts';
import { writeFileAtomic } from '../lib/files.ts';
import { protoError } from './errors.ts';
import type { RunScore } from './hidden-runs.ts';

/**
 * One eval run, as appended at close (docs/protocol.md, "Eval runs", documents every field).
 * A partial run's counts carry no scores (judgeFailed, scored, rewardSum 0; meanReward null)
 * and its `run.score` is null, so nothing downstream can publish what the client was not
 * shown; a pass@k run's counts carry none either (its score is `run.score`).
 */
export interface EvalRunRecord {
  runId: string;
  /** closed: the client closed the env; abandoned: its connection ended first. */
  status: 'closed' | 'abandoned';
  /** The whole test split (or pinned subset) handed out and every episode answered. */
  complete: boolean;
  recordedAt: string;
  /** Name of the token's holder (the key of eval quotas). */
  submitter: string;
  envId: string;
  fingerprint: string;
  spec: EnvSpec;
  /** The test run: k, questions handed out, split size, complete, score (pass@k; k=1: accuracy). */
  run: RunScore;
  counts: EpisodeCounts;
  perSplit: Partial<Record<SplitName, EpisodeCounts>>;
  /**
   * Every answered episode's question id and extracted answer (the env's extraction), in the
   * order they were stepped; the leaderboard scores a run from these. Absent in records
   * written before it was added.
   */
  answers?: Array<{ questionId: string; answer: string }>;
}

export class EvalRunLog {
  private chain: Promise<void> = Promise.resolve();
  constructor(readonly path: string) {}

  /**
   * Append one record; resolves once it is on disk. A path that exists but is not a regular
   * file (`/dev/null`, a FIFO, a directory) is refused: the atomic rename would replace it,
   * and a process running as root would turn `/dev/null` into a regular file.
   */
  append(record: EvalRunRecord): Promise<void> {
    const next = this.chain.then(async () => {
      const st = await stat(this.path).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return null;
        throw e;
      });
      if (st && !st.isFile()) {
        throw protoError(
          'FR_ERR_PROTO_BAD_CONFIG',
          `eval runs file ${this.path} is not a regular file; pass --eval-runs FILE`,
        );
      }
      let old = '';
      try {
        old = await readFile(this.path, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      if (old.length > 0 && !old.endsWith('\n')) old += '\n';
      await writeFileAtomic(this.path, `${old}${JSON.stringify(record)}\n`);
    });
    this.chain = next.catch(() => {});
    return next;
  }

  /** Complete runs (submitter, time ms), for eval quotas; records from before quotas carry no `complete`. */
  async completeRuns(): Promise<Array<{ submitter: string; at: number }>> {
    return (await this.read())
      .filter((r) => r.complete === true)
      .map((r) => ({ submitter: r.submitter, at: Date.parse(r.recordedAt) }));
  }

  /** Every record, oldest first. */
  async read(): Promise<EvalRunRecord[]> {
    let text = '';
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as EvalRunRecord);
  }
}
