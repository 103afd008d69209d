/**
 * `factrecall env export --split train|val --out FILE`: the split's questions as JSON lines
 * (env/export.ts), for trainers that own their data: TRL datasets and verl parquet (the Python
 * integrations read this file). Options as for `env spec`, so the rows carry the fingerprint of
 * the env `factrecall serve` makes with the same --splits, --prompt and --judge.
 */
import type { Command } from 'commander';
import { envError } from '../../env/errors.ts';
import { exportRows } from '../../env/export.ts';
import { openFactRecallV0 } from '../../env/factrecall-v0.ts';
import { SPLIT_NAMES, type SplitName } from '../../env/types.ts';
import { toJsonl, writeFileAtomic } from '../../lib/files.ts';
import { type EnvFlags, envOptionsFromFlags } from './env.ts';
import { commandGroup } from './group.ts';

export interface EnvExportFlags extends EnvFlags {
  split: string;
  out: string;
}

/** Write the rows (temp file + rename); returns how many. */
export async function runEnvExport(
  flags: EnvExportFlags,
): Promise<{ rows: number; fingerprint: string }> {
  if (!(SPLIT_NAMES as readonly string[]).includes(flags.split)) {
    throw envError('FR_ERR_ENV_BAD_OPTIONS', `--split must be train or val, not ${flags.split}`);
  }
  const env = await openFactRecallV0(envOptionsFromFlags(flags));
  try {
    const rows = exportRows(env, flags.split as SplitName);
    await writeFileAtomic(flags.out, toJsonl(rows));
    return { rows: rows.length, fingerprint: env.spec().fingerprint };
  } finally {
    await env.close();
  }
}

export function register(program: Command): void {
  commandGroup(program, 'env', 'FactRecall environments')
    .command('export')
    .description("write a split's questions (ids, prompts; gold for train only) as JSON lines")
    .requiredOption('--split <train|val>', 'the split to export (test is never exported)')
    .requiredOption('--out <file>', 'JSON lines file to write')
    .option('--splits <name|dir>', 'prepared splits (factrecall data prepare); default FactWorld')
    .option('--force', 'with --splits: accept split files that differ from their manifest')
    .option('--prompt <name>', 'prompt template: direct (default) or cot')
    .option('--judge <spec>', 'the judge the server uses (enters the fingerprint)')
    .option('--seed <n>', 'seed (enters the fingerprint)')
    .action(async (flags: EnvExportFlags) => {
      const r = await runEnvExport(flags);
      process.stdout.write(`${JSON.stringify({ event: 'exported', out: flags.out, ...r })}\n`);
    });
}
