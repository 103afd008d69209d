/**
 * The benchmark scripts' `--name value` flags. A number goes through the CLI's one numeric
 * parser (cli/number-flag.ts), so `--sessions 2k` or `--rounds` with no value is refused with
 * FR_ERR_BENCH_BAD_FLAG instead of running a benchmark on NaN.
 */
import { type NumberFlagRule, numberFlag } from '../../cli/number-flag.ts';
import { benchError } from '../errors.ts';

/** The value after `--name` in `argv`, or `fallback` when the flag is absent. */
export function stringFlag(name: string, fallback: string, argv = process.argv): string {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = argv[i + 1];
  if (value === undefined || value.startsWith('--'))
    throw benchError('FR_ERR_BENCH_BAD_FLAG', `--${name} needs a value`);
  return value;
}

/** A numeric `--name`: an integer >= 0 unless `rule` says otherwise. */
export function numericFlag(
  name: string,
  fallback: number,
  rule: NumberFlagRule = { min: 0 },
  argv = process.argv,
): number {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  return numberFlag(
    `--${name}`,
    stringFlag(name, '', argv),
    (detail) => benchError('FR_ERR_BENCH_BAD_FLAG', detail),
    rule,
  );
}
