/**
 * The benchmark scripts' `--name value` flags. A number goes through the CLI's one numeric
 * parser (cli/number-flag.ts), so `--sessions 2k` or `--rounds` with no value is refused with
 * FR_ERR_BENCH_BAD_FLAG instead of running a benchmark on NaN.
 */
import { type NumberFlagRule, numberFlag } from '../../cli/number-flag.ts';
import { benchError } from '../errors.ts';

/** The value after `--name` in `argv`; undefined when the flag is absent. */
function flagValue(name: string, argv: readonly string[]): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = argv[i + 1];
  if (value === undefined || value.startsWith('--'))
    throw benchError('FR_ERR_BENCH_BAD_FLAG', `--${name} needs a value`);
  return value;
}

/** The value after `--name` in `argv`, or `fallback` when the flag is absent. */
export function stringFlag(name: string, fallback: string, argv = process.argv): string {
  return flagValue(name, argv) ?? fallback;
}

/** A numeric `--name`: an integer >= 0 unless `rule` says otherwise. */
export function numericFlag(
  name: string,
  fallback: number,
  rule: NumberFlagRule = { min: 0 },
  argv = process.argv,
): number {
  const value = flagValue(name, argv);
  if (value === undefined) return fallback;
  return numberFlag(
    `--${name}`,
    value,
    (detail) => benchError('FR_ERR_BENCH_BAD_FLAG', detail),
    rule,
  );
}
