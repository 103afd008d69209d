/**
 * The episodes of one `factrecall eval` run as JSON lines: a header line with the run's
 * configuration, then one row per episode as its step result comes back. A rerun with the
 * same configuration reads the file and skips the model for every episode already answered
 * (the answers are sent to the env again, so its aggregate still covers every question);
 * failed generations are tried again. Rows are appended whole (one write per batch), and a
 * torn last line from a killed run is ignored.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../../lib/files.ts';
import { agentError } from '../errors.ts';
import type { EpisodeRow } from './metrics.ts';

export interface RunHeader {
  type: 'factrecall-eval';
  /** Hash of what decides the answers (model, endpoint API, prompt, sampling, samples, env seed, split). */
  generationKey: string;
  /** The env fingerprint (splits, judge, prompt, version). */
  fingerprint: string;
  dataset: string;
  split: string;
  config: Record<string, unknown>;
}

const key = (questionId: string, index: number) => `${questionId}#${index}`;

function readRows(path: string): { header: RunHeader; rows: EpisodeRow[] } {
  const lines = readFileSync(path, 'utf8').split('\n');
  const parse = (line: string, n: number, last: boolean): unknown => {
    try {
      return JSON.parse(line);
    } catch {
      if (last) return undefined; // torn final line of a killed run
      throw agentError('FR_ERR_AGENT_EPISODES_FILE', `${path}:${n + 1} is not JSON`);
    }
  };
  const header = parse(lines[0] ?? '', 0, false) as RunHeader;
  if (header?.type !== 'factrecall-eval') {
    throw agentError('FR_ERR_AGENT_EPISODES_FILE', `${path} has no factrecall-eval header`);
  }
  const rows: EpisodeRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i]) continue;
    const r = parse(lines[i]!, i, i >= lines.length - 2) as EpisodeRow | undefined;
    if (r) rows.push(r);
  }
  return { header, rows };
}

export class EpisodeStore {
  /** Latest row per episode (questionId#index). */
  private readonly rows = new Map<string, EpisodeRow>();
  /** Answers of the same generation from other runs in the folder (another judge). */
  private readonly borrowed = new Map<string, string>();

  private constructor(
    readonly path: string,
    readonly header: RunHeader,
  ) {}

  /**
   * Open (or start) the file. An existing file must have the same generation key and env
   * fingerprint; other files in the folder with the same generation key lend their answers.
   */
  static async open(path: string, header: RunHeader): Promise<EpisodeStore> {
    const store = new EpisodeStore(path, header);
    if (existsSync(path)) {
      const old = readRows(path);
      if (
        old.header.generationKey !== header.generationKey ||
        old.header.fingerprint !== header.fingerprint
      ) {
        throw agentError(
          'FR_ERR_AGENT_EPISODES_FILE',
          `${path} was written by another configuration (generation ${old.header.generationKey}, env ${old.header.fingerprint}; now ${header.generationKey}, ${header.fingerprint}): use another --out`,
        );
      }
      for (const r of old.rows) store.rows.set(key(r.questionId, r.index), r);
    } else {
      await mkdir(dirname(path), { recursive: true });
      await writeFileAtomic(path, `${JSON.stringify(header)}\n`);
    }
    const dir = dirname(path);
    for (const f of readdirSync(dir)) {
      const other = join(dir, f);
      if (!f.endsWith('.episodes.jsonl') || other === path) continue;
      try {
        const o = readRows(other);
        if (o.header.generationKey !== header.generationKey) continue;
        for (const r of o.rows)
          if (r.answer !== null) store.borrowed.set(key(r.questionId, r.index), r.answer);
      } catch {
        // another run's unreadable file lends nothing
      }
    }
    return store;
  }

  /** The answer already generated for this episode, if any (this run's, else a sibling's). */
  answer(questionId: string, index: number): string | undefined {
    const r = this.rows.get(key(questionId, index));
    if (r && r.answer !== null) return r.answer;
    return this.borrowed.get(key(questionId, index));
  }

  /** Whether this run already recorded a judged (or withheld) row for the episode. */
  has(questionId: string, index: number): boolean {
    const r = this.rows.get(key(questionId, index));
    return r !== undefined && r.status !== 'generation_failed';
  }

  async append(rows: readonly EpisodeRow[]): Promise<void> {
    if (rows.length === 0) return;
    await appendFile(this.path, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
    for (const r of rows) this.rows.set(key(r.questionId, r.index), r);
  }

  all(): EpisodeRow[] {
    return [...this.rows.values()];
  }
}
