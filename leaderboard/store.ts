/**
 * The leaderboard's durable state in SQLite (better-sqlite3, WAL): teams, hashed tokens,
 * rounds, submissions with their predictions and verdicts. Every statement is prepared once
 * with bound parameters (no SQL is ever built from input). Several processes may open the
 * same file (the server and `leaderboard admin`): WAL lets readers run beside one writer and
 * the busy timeout makes writers wait their turn.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { isFactRecallError } from '../lib/errors.ts';
import { boardError } from './errors.ts';
import { SCHEMA, SCHEMA_VERSION } from './schema.sql.ts';
import { type NewToken, newToken } from './tokens.ts';

export type SubmissionState = 'queued' | 'scoring' | 'scored' | 'failed';

export interface SubmissionRow {
  id: string;
  team_id: number;
  team: string;
  round_id: number;
  dataset: string;
  source: 'upload' | 'live';
  run_id: string | null;
  model_json: string;
  model_name: string;
  split_hash: string;
  judge_id: string;
  judge_fingerprint: string;
  extraction: string;
  state: SubmissionState;
  error: string | null;
  attempts: number;
  n_public: number;
  n_private: number;
  public_correct: number | null;
  private_correct: number | null;
  created_at: number;
  scored_at: number | null;
}

export interface NewSubmission {
  teamId: number;
  dataset: string;
  source: 'upload' | 'live';
  runId: string | null;
  model: { name: string } & Record<string, unknown>;
  splitHash: string;
  judgeId: string;
  judgeFingerprint: string;
  extraction: string;
  /** One row per question of the pinned split; part 1 = private. */
  predictions: ReadonlyArray<{ questionId: string; part: 0 | 1; answer: string }>;
}

export interface TokenRow {
  id: string;
  team_id: number | null;
  team: string | null;
  admin: number;
  hash: Buffer;
  revoked_at: number | null;
}

export interface RoundRow {
  id: number;
  opened_at: number;
  closed_at: number | null;
}

const SUBMISSION_COLUMNS = 's.*, t.name AS team';

export class Store {
  readonly db: Database.Database;
  private readonly st: Record<string, Database.Statement>;

  constructor(readonly path: string) {
    let db: Database.Database | undefined;
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      db = new Database(path, { timeout: 10_000 });
      db.pragma('journal_mode = WAL');
      // FULL: a committed chunk of verdicts survives a power cut, not only a crash.
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      db.exec(SCHEMA);
      const init = db.transaction(() => {
        db!
          .prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)")
          .run(String(SCHEMA_VERSION));
        db!
          .prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('partition_salt', ?)")
          .run(randomBytes(32).toString('hex'));
        const open = db!.prepare('SELECT id FROM rounds WHERE closed_at IS NULL').get();
        if (!open) db!.prepare('INSERT INTO rounds (opened_at) VALUES (?)').run(Date.now());
      });
      init.immediate();
      const version = (
        db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as {
          value: string;
        }
      ).value;
      if (version !== String(SCHEMA_VERSION)) {
        throw new Error(`schema version ${version}, this build reads ${SCHEMA_VERSION}`);
      }
    } catch (e) {
      if (db?.open) db.close();
      if (isFactRecallError(e)) throw e;
      throw boardError('FR_ERR_LEADERBOARD_DATABASE', `${path}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    this.db = db;
    const p = (sql: string) => db.prepare(sql);
    this.st = {
      meta: p('SELECT value FROM meta WHERE key = ?'),
      insertTeam: p('INSERT INTO teams (name, created_at) VALUES (?, ?)'),
      teamByName: p('SELECT id, name, created_at FROM teams WHERE name = ?'),
      teams: p('SELECT id, name, created_at FROM teams ORDER BY name'),
      insertToken: p(
        'INSERT INTO tokens (id, team_id, admin, hash, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      token: p(
        'SELECT k.id, k.team_id, t.name AS team, k.admin, k.hash, k.revoked_at FROM tokens k LEFT JOIN teams t ON t.id = k.team_id WHERE k.id = ?',
      ),
      revokeToken: p('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      openRound: p('SELECT * FROM rounds WHERE closed_at IS NULL'),
      round: p('SELECT * FROM rounds WHERE id = ?'),
      rounds: p('SELECT * FROM rounds ORDER BY id'),
      closeRound: p('UPDATE rounds SET closed_at = ? WHERE id = ?'),
      insertRound: p('INSERT INTO rounds (opened_at) VALUES (?)'),
      insertSubmission: p(`INSERT INTO submissions (id, team_id, round_id, dataset, source, run_id,
        model_json, model_name, split_hash, judge_id, judge_fingerprint, extraction, state,
        n_public, n_private, created_at)
        VALUES (@id, @teamId, @roundId, @dataset, @source, @runId, @modelJson, @modelName,
        @splitHash, @judgeId, @judgeFingerprint, @extraction, 'queued', @nPublic, @nPrivate, @createdAt)`),
      insertPrediction: p(
        'INSERT INTO predictions (submission_id, question_id, part, answer) VALUES (?, ?, ?, ?)',
      ),
      runTaken: p('SELECT id FROM submissions WHERE run_id = ?'),
      countSince: p(
        "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM submissions WHERE team_id = ? AND created_at > ? AND state != 'failed'",
      ),
      submission: p(
        `SELECT ${SUBMISSION_COLUMNS} FROM submissions s JOIN teams t ON t.id = s.team_id WHERE s.id = ?`,
      ),
      submissionsOfTeam: p(
        `SELECT ${SUBMISSION_COLUMNS} FROM submissions s JOIN teams t ON t.id = s.team_id WHERE s.team_id = ? ORDER BY s.created_at DESC LIMIT 200`,
      ),
      scoredInRound: p(
        `SELECT ${SUBMISSION_COLUMNS} FROM submissions s JOIN teams t ON t.id = s.team_id WHERE s.round_id = ? AND s.state = 'scored' ORDER BY s.created_at`,
      ),
      allSubmissions: p(
        `SELECT ${SUBMISSION_COLUMNS} FROM submissions s JOIN teams t ON t.id = s.team_id ORDER BY s.created_at DESC LIMIT 1000`,
      ),
      nextToScore: p(
        "SELECT id FROM submissions WHERE state IN ('queued', 'scoring') ORDER BY created_at, id LIMIT 1",
      ),
      setState: p('UPDATE submissions SET state = ?, error = ? WHERE id = ?'),
      bumpAttempts: p('UPDATE submissions SET attempts = attempts + 1 WHERE id = ?'),
      unscored: p(`SELECT p.question_id, p.answer FROM predictions p
        LEFT JOIN verdicts v ON v.submission_id = p.submission_id AND v.question_id = p.question_id
        WHERE p.submission_id = ? AND v.question_id IS NULL ORDER BY p.question_id LIMIT ?`),
      insertVerdict: p(
        'INSERT OR IGNORE INTO verdicts (submission_id, question_id, reward, verdict) VALUES (?, ?, ?, ?)',
      ),
      verdictCount: p('SELECT COUNT(*) AS n FROM verdicts WHERE submission_id = ?'),
      tally:
        p(`SELECT p.part AS part, COUNT(v.question_id) AS judged, COALESCE(SUM(v.reward), 0) AS correct,
        COUNT(*) AS total FROM predictions p
        LEFT JOIN verdicts v ON v.submission_id = p.submission_id AND v.question_id = p.question_id
        WHERE p.submission_id = ? GROUP BY p.part`),
      finish: p(
        "UPDATE submissions SET state = 'scored', error = NULL, public_correct = ?, private_correct = ?, scored_at = ? WHERE id = ?",
      ),
    };
  }

  meta(key: string): string | undefined {
    return (this.st.meta!.get(key) as { value: string } | undefined)?.value;
  }

  /**
   * A setting fixed when the database is made (the private fraction): the first value given
   * is stored; a later different one is refused, since it would move questions between parts.
   */
  pinMeta(key: string, value: string): void {
    this.db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(key, value);
    const stored = this.meta(key);
    if (stored !== value) {
      throw boardError(
        'FR_ERR_LEADERBOARD_BAD_CONFIG',
        `${key} is ${stored} in ${this.path}, not ${value}; it is fixed when the database is made`,
      );
    }
  }

  createTeam(name: string): { id: number; name: string } {
    if (this.st.teamByName!.get(name)) {
      throw boardError('FR_ERR_LEADERBOARD_CONFLICT', `team ${name} exists`);
    }
    const r = this.st.insertTeam!.run(name, Date.now());
    return { id: Number(r.lastInsertRowid), name };
  }

  team(name: string): { id: number; name: string; created_at: number } | undefined {
    return this.st.teamByName!.get(name) as { id: number; name: string; created_at: number };
  }

  teams(): Array<{ id: number; name: string; created_at: number }> {
    return this.st.teams!.all() as Array<{ id: number; name: string; created_at: number }>;
  }

  /** A new token for a team (by name), or the admin token when `team` is null. */
  createToken(team: string | null): NewToken {
    let teamId: number | null = null;
    if (team !== null) {
      const t = this.team(team);
      if (!t) throw boardError('FR_ERR_LEADERBOARD_NOT_FOUND', `team ${team}`);
      teamId = t.id;
    }
    const tok = newToken();
    this.st.insertToken!.run(tok.id, teamId, team === null ? 1 : 0, tok.hash, Date.now());
    return tok;
  }

  token(id: string): TokenRow | undefined {
    return this.st.token!.get(id) as TokenRow | undefined;
  }

  revokeToken(id: string): boolean {
    return this.st.revokeToken!.run(Date.now(), id).changes === 1;
  }

  openRound(): RoundRow {
    return this.st.openRound!.get() as RoundRow;
  }

  round(id: number): RoundRow | undefined {
    return this.st.round!.get(id) as RoundRow | undefined;
  }

  rounds(): RoundRow[] {
    return this.st.rounds!.all() as RoundRow[];
  }

  /** End the open round (its private scores become public) and open the next one. */
  closeRound(): { closed: RoundRow; opened: RoundRow } {
    return this.db
      .transaction(() => {
        const open = this.openRound();
        const now = Date.now();
        this.st.closeRound!.run(now, open.id);
        const id = Number(this.st.insertRound!.run(now).lastInsertRowid);
        return { closed: { ...open, closed_at: now }, opened: this.round(id)! };
      })
      .immediate();
  }

  /**
   * Insert a submission and its predictions in one transaction, after checking the team's
   * quota inside it (so two uploads racing cannot both take the last slot). Returns the id,
   * or throws FR_ERR_LEADERBOARD_QUOTA / FR_ERR_LEADERBOARD_CONFLICT.
   */
  insertSubmission(s: NewSubmission, quota: { max: number; windowMs: number }): string {
    const id = `sub-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    const insert = this.db.transaction(() => {
      const now = Date.now();
      const used = this.quotaUsed(s.teamId, now, quota.windowMs);
      if (used.n >= quota.max) {
        const retryAfterMs = Math.max(1, (used.oldest ?? now) + quota.windowMs - now);
        throw boardError(
          'FR_ERR_LEADERBOARD_QUOTA',
          `${used.n} of ${quota.max} submissions used in the last ${Math.round(quota.windowMs / 3_600_000)} h`,
          { retryAfterMs, details: { used: used.n, max: quota.max, windowMs: quota.windowMs } },
        );
      }
      if (s.runId !== null && this.st.runTaken!.get(s.runId)) {
        throw boardError(
          'FR_ERR_LEADERBOARD_CONFLICT',
          `eval run ${s.runId} is already a submission`,
        );
      }
      let nPublic = 0;
      for (const p of s.predictions) if (p.part === 0) nPublic++;
      this.st.insertSubmission!.run({
        id,
        teamId: s.teamId,
        roundId: this.openRound().id,
        dataset: s.dataset,
        source: s.source,
        runId: s.runId,
        modelJson: JSON.stringify(s.model),
        modelName: s.model.name,
        splitHash: s.splitHash,
        judgeId: s.judgeId,
        judgeFingerprint: s.judgeFingerprint,
        extraction: s.extraction,
        nPublic,
        nPrivate: s.predictions.length - nPublic,
        createdAt: now,
      });
      for (const p of s.predictions)
        this.st.insertPrediction!.run(id, p.questionId, p.part, p.answer);
    });
    insert.immediate();
    return id;
  }

  quotaUsed(teamId: number, now: number, windowMs: number): { n: number; oldest: number | null } {
    return this.st.countSince!.get(teamId, now - windowMs) as { n: number; oldest: number | null };
  }

  submission(id: string): SubmissionRow | undefined {
    return this.st.submission!.get(id) as SubmissionRow | undefined;
  }

  submissionsOfTeam(teamId: number): SubmissionRow[] {
    return this.st.submissionsOfTeam!.all(teamId) as SubmissionRow[];
  }

  scoredInRound(roundId: number): SubmissionRow[] {
    return this.st.scoredInRound!.all(roundId) as SubmissionRow[];
  }

  allSubmissions(): SubmissionRow[] {
    return this.st.allSubmissions!.all() as SubmissionRow[];
  }

  nextToScore(): string | undefined {
    return (this.st.nextToScore!.get() as { id: string } | undefined)?.id;
  }

  setState(id: string, state: SubmissionState, error: string | null = null): void {
    this.st.setState!.run(state, error, id);
  }

  bumpAttempts(id: string): void {
    this.st.bumpAttempts!.run(id);
  }

  unscored(id: string, limit: number): Array<{ question_id: string; answer: string }> {
    return this.st.unscored!.all(id, limit) as Array<{ question_id: string; answer: string }>;
  }

  /** Commit one chunk of verdicts at once: after a crash a chunk is wholly there or absent. */
  insertVerdicts(
    id: string,
    rows: ReadonlyArray<{ questionId: string; reward: 0 | 1; verdict: string }>,
  ): void {
    this.db.transaction(() => {
      for (const r of rows) this.st.insertVerdict!.run(id, r.questionId, r.reward, r.verdict);
    })();
  }

  verdictCount(id: string): number {
    return (this.st.verdictCount!.get(id) as { n: number }).n;
  }

  /** Mark a submission scored from its verdict rows; false if some answer has none yet. */
  finish(id: string): boolean {
    const parts = this.st.tally!.all(id) as Array<{
      part: number;
      judged: number;
      correct: number;
      total: number;
    }>;
    if (parts.some((p) => p.judged !== p.total)) return false;
    const correct = (part: number) => parts.find((p) => p.part === part)?.correct ?? 0;
    this.st.finish!.run(correct(0), correct(1), Date.now(), id);
    return true;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
