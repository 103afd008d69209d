/**
 * An argv as one POSIX shell line that runs it again: words of safe characters stay as they are,
 * anything else is single-quoted (a single quote inside becomes '\''). Reports use it to name the
 * command that made them.
 */
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function shellQuote(argv: readonly string[]): string {
  return argv.map((a) => (SAFE.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' ');
}
