/**
 * The leaderboard's SQLite schema. Predictions and verdicts are rows, so scoring can stop at
 * any point (a crash, a restart) and resume where the last committed chunk ended.
 * `part` is 0 for the public part of the test split and 1 for the private part.
 */
export const SCHEMA_VERSION = 1;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS teams (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
  id TEXT PRIMARY KEY,
  team_id INTEGER REFERENCES teams(id),
  admin INTEGER NOT NULL DEFAULT 0,
  hash BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE TABLE IF NOT EXISTS rounds (
  id INTEGER PRIMARY KEY,
  opened_at INTEGER NOT NULL,
  closed_at INTEGER
);
CREATE TABLE IF NOT EXISTS submissions (
  id TEXT PRIMARY KEY,
  team_id INTEGER NOT NULL REFERENCES teams(id),
  round_id INTEGER NOT NULL REFERENCES rounds(id),
  dataset TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('upload', 'live')),
  run_id TEXT UNIQUE,
  model_json TEXT NOT NULL,
  model_name TEXT NOT NULL,
  split_hash TEXT NOT NULL,
  judge_id TEXT NOT NULL,
  judge_fingerprint TEXT NOT NULL,
  extraction TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'scoring', 'scored', 'failed')),
  error TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  n_public INTEGER NOT NULL,
  n_private INTEGER NOT NULL,
  public_correct INTEGER,
  private_correct INTEGER,
  created_at INTEGER NOT NULL,
  scored_at INTEGER
);
CREATE INDEX IF NOT EXISTS submissions_team_time ON submissions (team_id, created_at);
CREATE INDEX IF NOT EXISTS submissions_state ON submissions (state, created_at);
CREATE TABLE IF NOT EXISTS predictions (
  submission_id TEXT NOT NULL REFERENCES submissions(id),
  question_id TEXT NOT NULL,
  part INTEGER NOT NULL,
  answer TEXT NOT NULL,
  PRIMARY KEY (submission_id, question_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS verdicts (
  submission_id TEXT NOT NULL,
  question_id TEXT NOT NULL,
  reward INTEGER NOT NULL CHECK (reward IN (0, 1)),
  verdict TEXT NOT NULL,
  PRIMARY KEY (submission_id, question_id)
) WITHOUT ROWID;
`;
