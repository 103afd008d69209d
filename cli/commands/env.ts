/**
 * `factrecall env list | spec | check`: the registered envs, an env's spec (with its
 * fingerprint), and the conformance checker run against the local env.
 */
import type { Command } from 'commander';
import { type CheckReport, checkEnv } from '../../env/check.ts';
import { envError } from '../../env/errors.ts';
import { listEnvs, make } from '../../env/registry.ts';
import { type EnvSpec, SPLIT_NAMES, type SplitName } from '../../env/types.ts';
import { parseJudgeSpec } from '../../judges/index.ts';
import { FactRecallClient } from '../../protocol/client/client.ts';
import type { Role } from '../../protocol/schema.ts';
import { numberFlag } from '../number-flag.ts';
import { commandGroup } from './group.ts';

/** Flags shared by `env spec` and `env check`, as commander hands them over. */
export interface EnvFlags {
  id?: string;
  prompt?: string;
  judge?: string;
  seed?: string | number;
  splits?: string;
  force?: boolean;
}

export interface EnvCheckFlags extends EnvFlags {
  /** Check an env on a server (ws://host:port/v1/ws or grpc://host:port) instead of in-process. */
  url?: string;
  token?: string;
  role?: string;
  split?: string;
  batchSize?: string | number;
  groupSize?: string | number;
  json?: boolean;
}

/** A whole-number flag, or FR_ERR_ENV_BAD_OPTIONS naming it. */
export function wholeNumberFlag(name: string, value: string | number): number {
  return numberFlag(`--${name}`, value, (d) => envError('FR_ERR_ENV_BAD_OPTIONS', d), { min: 0 });
}

/** Env options from CLI flags; the env validates them (prompt and judge names included). */
export function envOptionsFromFlags(flags: EnvFlags): Record<string, unknown> {
  return {
    ...(flags.prompt !== undefined ? { prompt: flags.prompt } : {}),
    ...(flags.judge !== undefined ? { judge: parseJudgeSpec(flags.judge) } : {}),
    ...(flags.splits !== undefined ? { splits: flags.splits } : {}),
    ...(flags.force ? { force: true } : {}),
    ...(flags.seed !== undefined ? { seed: wholeNumberFlag('seed', flags.seed) } : {}),
  };
}

export async function runEnvSpec(flags: EnvFlags): Promise<EnvSpec> {
  const env = await make(flags.id ?? 'FactRecall-v0', envOptionsFromFlags(flags));
  try {
    return env.spec();
  } finally {
    await env.close();
  }
}

export async function runEnvCheck(flags: EnvCheckFlags): Promise<CheckReport> {
  const split = flags.split ?? 'train';
  if (!(SPLIT_NAMES as readonly string[]).includes(split)) {
    throw envError('FR_ERR_ENV_BAD_OPTIONS', `--split must be one of ${SPLIT_NAMES.join(', ')}`);
  }
  const options = envOptionsFromFlags(flags);
  const id = flags.id ?? 'FactRecall-v0';
  const shape = {
    split: split as SplitName,
    batchSize: wholeNumberFlag('batch-size', flags.batchSize ?? 3),
    groupSize: wholeNumberFlag('group-size', flags.groupSize ?? 2),
  };
  if (flags.url) return checkRemote(flags.url, id, options, flags, shape);
  // Fail fast, with the env's own coded error, when the options cannot make an env at all.
  await (await make(id, options)).close();
  return checkEnv(() => make(id, options), shape);
}

/** checkEnv against a server: every env it makes lives on the server, over the wire. */
async function checkRemote(
  url: string,
  id: string,
  options: Record<string, unknown>,
  flags: EnvCheckFlags,
  shape: { split: SplitName; batchSize: number; groupSize: number },
): Promise<CheckReport> {
  if (options.splits !== undefined || options.force !== undefined) {
    throw envError(
      'FR_ERR_ENV_BAD_OPTIONS',
      "--splits and --force are the server's to set (factrecall serve --splits); drop them with --url",
    );
  }
  const client = await FactRecallClient.connect(url, {
    ...(flags.token ? { token: flags.token } : {}),
    ...(flags.role ? { role: flags.role as Role } : {}),
    clientName: 'factrecall env check',
  });
  try {
    const remoteOptions = Object.keys(options).length ? options : undefined;
    // Other implementations of the protocol may have their own env codes: any FR_ERR_* passes.
    return await checkEnv(() => client.make(id, remoteOptions), { ...shape, strictCodes: false });
  } finally {
    client.close();
  }
}

/** One line per check, then a summary line. */
export function formatCheckReport(report: CheckReport): string {
  const lines = report.checks.map(
    (c) =>
      `${c.ok ? 'PASS' : 'FAIL'}  ${c.name} (${c.ms.toFixed(0)} ms)${c.ok ? '' : `\n      ${c.detail}`}`,
  );
  lines.push(`${report.passed} passed, ${report.failed} failed`);
  return `${lines.join('\n')}\n`;
}

function envFlagOptions(cmd: Command): Command {
  return cmd
    .option('--id <id>', 'environment id (Name-vN)', 'FactRecall-v0')
    .option('--prompt <name>', 'prompt template: direct (answer only) or cot (reason, final line)')
    .option(
      '--judge <spec>',
      'judge: exact, contains, llm, or a JSON spec like \'{"kind":"panel",...}\'',
    )
    .option('--seed <n>', 'seed of the question order')
    .option(
      '--splits <name|dir>',
      'prepared splits (factrecall data prepare); default: the FactWorld world',
    )
    .option(
      '--force',
      'with --splits: load split files that differ from their manifest (recorded)',
    );
}

export function register(program: Command): void {
  const env = commandGroup(
    program,
    'env',
    'the FactRecall environments: list, spec, conformance check',
  );

  env
    .command('list')
    .description('list the registered environment ids')
    .action(() => {
      process.stdout.write(`${listEnvs().join('\n')}\n`);
    });

  envFlagOptions(
    env
      .command('spec')
      .description('print the spec of an environment (JSON), with its fingerprint'),
  ).action(async (flags: EnvFlags) => {
    process.stdout.write(`${JSON.stringify(await runEnvSpec(flags), null, 2)}\n`);
  });

  envFlagOptions(
    env
      .command('check')
      .description(
        'run the conformance checker (checkEnv) against the local environment, or a server with --url: seeded order, shapes, groups, rewards, errors on misuse',
      ),
  )
    .option('--split <split>', `split to check on (${SPLIT_NAMES.join(', ')})`, 'train')
    .option('--batch-size <n>', 'questions per reset', '3')
    .option('--group-size <n>', 'episodes per question', '2')
    .option('--json', 'print the report as JSON')
    .option('--url <url>', 'check an env on a server: ws://host:port/v1/ws or grpc://host:port')
    .option('--token <token>', 'with --url: the token to present')
    .option('--role <role>', 'with --url: the role to ask for (policy, trainer, eval)')
    .action(async (flags: EnvCheckFlags) => {
      const report = await runEnvCheck(flags);
      process.stdout.write(
        flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatCheckReport(report),
      );
      if (!report.ok) process.exitCode = 1;
    });
}
