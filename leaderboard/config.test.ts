import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareFixture } from '../test/support/leaderboard.ts';
import { createLeaderboard } from './server.ts';
import { Store } from './store.ts';
import { parseToken, secretMatches } from './tokens.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fr-board-config-'));
  await prepareFixture(dir);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const splits = () => [`simpleqa=${join(dir, 'prepared')}`];
const codeOf = async (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: { code?: string; message: string }) => `${e.code}: ${e.message}`,
  );

describe('leaderboard configuration', () => {
  it('refuses unknown keys, bad values, missing splits and a dataset pinned twice, naming the field', async () => {
    const db = join(dir, 'a.sqlite');
    expect(await codeOf(createLeaderboard({ dbPath: db, splits: splits(), quotas: 3 }))).toMatch(
      /^FR_ERR_LEADERBOARD_BAD_CONFIG: .*quotas/,
    );
    expect(
      await codeOf(createLeaderboard({ dbPath: db, splits: splits(), privateFraction: 1 })),
    ).toMatch(/BAD_CONFIG: .*privateFraction/);
    expect(await codeOf(createLeaderboard({ dbPath: db, splits: [] }))).toMatch(
      /BAD_CONFIG: .*--splits simpleqa/,
    );
    expect(
      await codeOf(createLeaderboard({ dbPath: db, splits: [`simpleqa=${dir}/nowhere`] })),
    ).toMatch(/BAD_CONFIG: .*--splits simpleqa=.*nowhere/);
    expect(
      await codeOf(createLeaderboard({ dbPath: db, splits: [...splits(), ...splits()] })),
    ).toMatch(/BAD_CONFIG: .*twice/);
    expect(
      await codeOf(createLeaderboard({ dbPath: db, splits: splits(), judge: 'oracle' })),
    ).toMatch(/^FR_ERR_JUDGE_INVALID_SPEC/);
  });

  it("pins a second split of a dataset under a label, never under another dataset's name", async () => {
    const prepared = join(dir, 'prepared');
    expect(
      await codeOf(
        createLeaderboard({ dbPath: join(dir, 'c.sqlite'), splits: [`nq_open=${prepared}`] }),
      ),
    ).toMatch(/BAD_CONFIG: .*holds simpleqa, not nq_open/);
    expect(
      await codeOf(
        createLeaderboard({ dbPath: join(dir, 'c.sqlite'), splits: [`Bad Label=${prepared}`] }),
      ),
    ).toMatch(/BAD_CONFIG: .*a label is/);
    const board = await createLeaderboard({
      dbPath: join(dir, 'c.sqlite'),
      splits: [`simpleqa-small=${prepared}`],
    });
    try {
      const info = (await board.app.inject({ method: 'GET', url: '/v1/info' })).json() as {
        datasets: Array<{ dataset: string; source: string }>;
      };
      expect(info.datasets.map((d) => [d.dataset, d.source])).toEqual([
        ['simpleqa-small', 'simpleqa'],
      ]);
    } finally {
      await board.close();
    }
  });

  it('keeps the private fraction the database was made with, and refuses a file that is not SQLite', async () => {
    const db = join(dir, 'b.sqlite');
    const board = await createLeaderboard({ dbPath: db, splits: splits(), privateFraction: 0.5 });
    await board.close();
    expect(
      await codeOf(createLeaderboard({ dbPath: db, splits: splits(), privateFraction: 0.3 })),
    ).toMatch(/BAD_CONFIG: .*private_fraction is 0.5/);
    const text = join(dir, 'text.sqlite');
    await writeFile(
      text,
      'not a database, just enough text to fill a header of a hundred bytes or so ..........',
    );
    expect(await codeOf(createLeaderboard({ dbPath: text, splits: splits() }))).toMatch(
      /^FR_ERR_LEADERBOARD_DATABASE/,
    );
  });
});

describe('tokens', () => {
  it('are stored hashed and checked against the hash: the right secret passes, any other does not', () => {
    const store = new Store(':memory:');
    try {
      store.createTeam('t');
      const tok = store.createToken('t');
      const row = store.token(tok.id)!;
      expect(row.hash.toString('hex')).not.toContain(tok.token.split('_')[2]!);
      const { secret } = parseToken(tok.token)!;
      expect(secretMatches(secret, row.hash)).toBe(true);
      expect(secretMatches(`${secret.slice(0, -1)}x`, row.hash)).toBe(false);
      expect(secretMatches(secret, null)).toBe(false);
      expect(parseToken('frlb_short_x')).toBeNull();
    } finally {
      store.close();
    }
  });
});
