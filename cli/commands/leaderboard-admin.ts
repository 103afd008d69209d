/**
 * `factrecall leaderboard admin ...`: teams, tokens and rounds, done on the database file
 * directly (run it on the leaderboard's machine; a running server sees the change at once).
 * A token is printed once and stored only as a hash. `token create --eval-tokens FILE` also
 * adds it to an env server's token file (role eval, name = the team), so the team's live
 * eval runs are recorded under its name.
 */
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { boardError } from '../../leaderboard/errors.ts';
import { Store } from '../../leaderboard/store.ts';
import { writeFileAtomicSync } from '../../lib/files.ts';
import type { EvalQuota } from '../../protocol/eval-quota.ts';
import { parseTokens } from '../../protocol/tokens.ts';
import { commandGroup } from './group.ts';
import { DEFAULT_DB } from './leaderboard.ts';
import { parseEvalQuota } from './serve.ts';

function withStore<T>(db: string, fn: (s: Store) => T): T {
  const store = new Store(db);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

/** Add an eval token for `team` to an env server token file (made if absent, mode 0600). */
export function addEvalToken(
  file: string,
  token: string,
  team: string,
  evalQuota?: EvalQuota,
): void {
  const entries: Array<{ token: string; role: string; name: string; evalQuota?: EvalQuota }> = [];
  if (existsSync(file)) {
    for (const t of parseTokens(readFileSync(file, 'utf8'), file)) entries.push({ ...t });
  }
  entries.push({ token, role: 'eval', name: team, ...(evalQuota ? { evalQuota } : {}) });
  writeFileAtomicSync(file, `${JSON.stringify({ tokens: entries }, null, 2)}\n`);
  chmodSync(file, 0o600);
}

export function register(program: Command): void {
  const lb = commandGroup(program, 'leaderboard', 'the leaderboard: server, submissions, admin');
  const admin = lb.command('admin').description('teams, tokens and rounds (on the database file)');
  const dbOpt = ['--db <file>', 'SQLite database', DEFAULT_DB] as const;

  const team = admin.command('team').description('teams');
  team
    .command('create <name>')
    .description('create a team')
    .option(...dbOpt)
    .action((name: string, f: { db: string }) => {
      if (!/^[\w.-]{1,64}$/.test(name)) {
        throw boardError(
          'FR_ERR_LEADERBOARD_BAD_CONFIG',
          'team names are 1-64 letters, digits and ._-',
        );
      }
      withStore(f.db, (s) => s.createTeam(name));
      process.stdout.write(`${JSON.stringify({ team: name })}\n`);
    });
  team
    .command('list')
    .description('list teams')
    .option(...dbOpt)
    .action((f: { db: string }) => {
      for (const t of withStore(f.db, (s) => s.teams())) process.stdout.write(`${t.name}\n`);
    });

  const token = admin.command('token').description('tokens (printed once, stored hashed)');
  token
    .command('create')
    .description('create a team token (--team) or an admin token (--admin); prints it once')
    .option('--team <name>', 'the team the token submits for')
    .option('--admin', 'an admin token (admin routes of the HTTP API)')
    .option('--eval-tokens <file>', "also add it, role eval, to this env server's token file")
    .option(
      '--eval-quota <runs/window>',
      "with --eval-tokens: the env server's quota of complete eval runs for the team (e.g. 5/24h; match the leaderboard's --quota)",
    )
    .option(...dbOpt)
    .action(
      (f: {
        team?: string;
        admin?: boolean;
        evalTokens?: string;
        evalQuota?: string;
        db: string;
      }) => {
        if ((f.team === undefined) === (f.admin !== true)) {
          throw boardError(
            'FR_ERR_LEADERBOARD_BAD_CONFIG',
            'pass exactly one of --team NAME and --admin',
          );
        }
        if (f.evalTokens && !f.team) {
          throw boardError('FR_ERR_LEADERBOARD_BAD_CONFIG', '--eval-tokens goes with --team');
        }
        if (f.evalQuota && !f.evalTokens) {
          throw boardError('FR_ERR_LEADERBOARD_BAD_CONFIG', '--eval-quota goes with --eval-tokens');
        }
        const quota = f.evalQuota ? parseEvalQuota(f.evalQuota) : undefined;
        const tok = withStore(f.db, (s) => s.createToken(f.team ?? null));
        if (f.evalTokens && f.team) addEvalToken(f.evalTokens, tok.token, f.team, quota);
        process.stdout.write(
          `${JSON.stringify({ team: f.team ?? null, admin: f.admin === true, tokenId: tok.id, token: tok.token })}\n`,
        );
      },
    );
  token
    .command('revoke <tokenId>')
    .description('revoke a token at once')
    .option(...dbOpt)
    .action((id: string, f: { db: string }) => {
      if (!withStore(f.db, (s) => s.revokeToken(id))) {
        throw boardError('FR_ERR_LEADERBOARD_NOT_FOUND', `live token ${id}`);
      }
      process.stdout.write(`${JSON.stringify({ tokenId: id, revoked: true })}\n`);
    });

  admin
    .command('round-close')
    .description('end the open round (its private scores become public) and open the next')
    .option(...dbOpt)
    .action((f: { db: string }) => {
      const r = withStore(f.db, (s) => s.closeRound());
      process.stdout.write(`${JSON.stringify({ closed: r.closed.id, opened: r.opened.id })}\n`);
    });
}
