/**
 * Leaderboard test support: a small SimpleQA-format file with distinctive gold answers, run
 * through the real `data prepare` pipeline into a prepared directory, and a leaderboard over
 * it with an admin token and team tokens.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { prepareDataset } from '../../env/splits/prepare-dataset.ts';
import type { QARecord } from '../../env/types.ts';
import { SCHEMA } from '../../leaderboard/schema.sql.ts';
import {
  type CreateOptions,
  createLeaderboard,
  type Leaderboard,
} from '../../leaderboard/server.ts';

/** Gold answers no response could contain by chance. */
export function goldOf(i: number): string {
  return `Zorvath Quillmere ${String.fromCharCode(65 + (i % 26))}${i}x`;
}

const TOPICS = ['Art', 'Geography', 'Science and technology', 'Music'];

/** Prepare `n` questions (partition 0.5/0.1/0.4) into `dir`; returns the test records. */
export async function prepareFixture(dir: string, n = 40): Promise<QARecord[]> {
  const rows = ['metadata,problem,answer'];
  for (let i = 0; i < n; i++) {
    const topic = TOPICS[i % TOPICS.length];
    const meta = `"{'topic': '${topic}', 'answer_type': 'Person', 'urls': ['https://example.org/${i}']}"`;
    rows.push(
      `${meta},Which fictional keeper guarded lighthouse number ${i * 7 + 3} in the year ${1800 + i}?,${goldOf(i)}`,
    );
  }
  const csv = join(dir, 'fixture_simpleqa.csv');
  await writeFile(csv, `${rows.join('\n')}\n`);
  await prepareDataset({
    dataset: 'simpleqa',
    evalFile: csv,
    outDir: join(dir, 'prepared'),
    proportions: { train: 0.5, val: 0.1, test: 0.4 },
    quiet: true,
  });
  return readTest(join(dir, 'prepared'));
}

export async function readTest(preparedDir: string): Promise<QARecord[]> {
  const text = await readFile(join(preparedDir, 'test.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as QARecord);
}

/** A predictions file: `answer(record, i)` per test question, in order. */
export function predictionsFile(
  test: readonly QARecord[],
  answer: (r: QARecord, i: number) => string,
): string {
  return test.map((r, i) => JSON.stringify({ id: r.id, answer: answer(r, i) })).join('\n');
}

export interface TestBoard {
  board: Leaderboard;
  dir: string;
  prepared: string;
  test: QARecord[];
  admin: string;
  /** team name -> token */
  teams: Record<string, string>;
  close(): Promise<void>;
}

export async function startTestBoard(
  config: Record<string, unknown> = {},
  opts: CreateOptions & { teams?: string[]; dir?: string; salt?: string } = {},
): Promise<TestBoard> {
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'fr-board-')));
  const prepared = join(dir, 'prepared');
  const test = opts.dir ? await readTest(prepared) : await prepareFixture(dir);
  const dbPath = join(dir, 'board.sqlite');
  if (opts.salt !== undefined) seedPartitionSalt(dbPath, opts.salt);
  const board = await createLeaderboard(
    { dbPath, splits: [`simpleqa=${prepared}`], ...config },
    opts,
  );
  const admin = board.store.createToken(null).token;
  const teams: Record<string, string> = {};
  for (const name of opts.teams ?? ['alpha', 'beta']) {
    if (!board.store.team(name)) board.store.createTeam(name);
    teams[name] = board.store.createToken(name).token;
  }
  return {
    board,
    dir,
    prepared,
    test,
    admin,
    teams,
    close: async () => {
      await board.close();
      if (!opts.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Give a new database a fixed partition salt, so which test questions are public is the same
 * on every run (a real board makes a random one: the store keeps a salt that is already there).
 */
function seedPartitionSalt(dbPath: string, salt: string): void {
  const db = new Database(dbPath);
  try {
    db.exec(SCHEMA);
    db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('partition_salt', ?)").run(salt);
  } finally {
    db.close();
  }
}

export const bearerOf = (token: string) => ({ authorization: `Bearer ${token}` });
