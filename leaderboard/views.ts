/**
 * What the server shows: a submission's public view and the ranking of a round. Both are
 * built field by field from submission rows (never from predictions or split records), so no
 * answer and no gold can reach a response. Private scores appear only for a closed round, or
 * in the admin view.
 */
import type { RoundRow, Store, SubmissionRow } from './store.ts';

export interface PartScore {
  correct: number;
  total: number;
  accuracy: number;
}

function part(correct: number | null, total: number): PartScore | null {
  if (correct === null) return null;
  return { correct, total, accuracy: total > 0 ? correct / total : 0 };
}

export function submissionView(
  row: SubmissionRow,
  round: RoundRow,
  opts: { judged?: number; admin?: boolean } = {},
) {
  const revealed = round.closed_at !== null || opts.admin === true;
  return {
    id: row.id,
    team: row.team,
    dataset: row.dataset,
    source: row.source,
    runId: row.run_id,
    model: JSON.parse(row.model_json) as Record<string, unknown>,
    state: row.state,
    error: row.error,
    round: row.round_id,
    progress: {
      judged: row.state === 'scored' ? row.n_public + row.n_private : (opts.judged ?? 0),
      total: row.n_public + row.n_private,
    },
    fingerprint: {
      split: row.split_hash,
      judgeId: row.judge_id,
      judge: row.judge_fingerprint,
      extraction: row.extraction,
    },
    scores: {
      public: part(row.public_correct, row.n_public),
      private: revealed ? part(row.private_correct, row.n_private) : null,
    },
    createdAt: new Date(row.created_at).toISOString(),
    scoredAt: row.scored_at === null ? null : new Date(row.scored_at).toISOString(),
  };
}

export type SubmissionView = ReturnType<typeof submissionView>;

export interface BoardEntry {
  team: string;
  model: Record<string, unknown>;
  /** Latest scored submission per dataset. */
  scores: Record<string, SubmissionView>;
  /** Mean public accuracy over the datasets the entry has. */
  meanPublic: number;
  meanPrivate: number | null;
  /** Relative gain of public accuracy over the team's own baseline entry, per dataset. */
  gain: Record<string, number | null>;
  baseline: string | null;
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

/** The ranking of a round, best mean public accuracy first. */
export function boardView(
  store: Store,
  round: RoundRow,
  datasets: readonly string[],
  admin = false,
) {
  const byEntry = new Map<
    string,
    { team: string; name: string; subs: Map<string, SubmissionRow> }
  >();
  for (const row of store.scoredInRound(round.id)) {
    const key = `${row.team}\0${row.model_name}`;
    const e = byEntry.get(key) ?? { team: row.team, name: row.model_name, subs: new Map() };
    e.subs.set(row.dataset, row); // rows come oldest first: the latest wins
    byEntry.set(key, e);
  }
  const entries: BoardEntry[] = [];
  for (const e of byEntry.values()) {
    const scores: Record<string, SubmissionView> = {};
    let model: Record<string, unknown> = { name: e.name };
    let latest = 0;
    for (const [d, row] of e.subs) {
      scores[d] = submissionView(row, round, { admin });
      if (row.created_at >= latest) {
        latest = row.created_at;
        model = scores[d]!.model;
      }
    }
    const pub = Object.values(scores).map((s) => s.scores.public?.accuracy ?? 0);
    const priv = Object.values(scores).map((s) => s.scores.private?.accuracy);
    entries.push({
      team: e.team,
      model,
      scores,
      meanPublic: mean(pub),
      meanPrivate: priv.every((x) => x !== undefined) ? mean(priv as number[]) : null,
      gain: {},
      baseline: typeof model.baseline === 'string' ? model.baseline : null,
    });
  }
  for (const entry of entries) {
    if (entry.baseline === null) continue;
    const base = entries.find((x) => x.team === entry.team && x.model.name === entry.baseline);
    for (const d of Object.keys(entry.scores)) {
      const b = base?.scores[d]?.scores.public?.accuracy;
      const a = entry.scores[d]!.scores.public!.accuracy;
      entry.gain[d] = b !== undefined && b > 0 ? (a - b) / b : null;
    }
  }
  entries.sort((a, b) => b.meanPublic - a.meanPublic || a.team.localeCompare(b.team));
  return {
    round: {
      id: round.id,
      openedAt: new Date(round.opened_at).toISOString(),
      closedAt: round.closed_at === null ? null : new Date(round.closed_at).toISOString(),
      privateRevealed: round.closed_at !== null || admin,
    },
    datasets,
    entries,
  };
}
