/**
 * The one text-table renderer (CLI reports, split reports, benchmarks): columns as wide as
 * their widest cell, two spaces apart, trailing blanks trimmed; or a Markdown table.
 */
export interface TextTableOptions {
  /** Per column; default left. Right suits numbers read down a column. */
  align?: ReadonlyArray<'left' | 'right'>;
  /** A row of dashes under the first row (the header). Markdown tables always have it. */
  rule?: boolean;
  /** `| a | b |` rows instead of space-separated columns. */
  markdown?: boolean;
}

/** The table's lines; the first row is the header. */
export function textTable(
  rows: ReadonlyArray<ReadonlyArray<string>>,
  opts: TextTableOptions = {},
): string[] {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) =>
    Math.max(0, ...rows.map((r) => (r[c] ?? '').length)),
  );
  const line = (cells: ReadonlyArray<string>) => {
    const padded = widths.map((w, c) => {
      const cell = cells[c] ?? '';
      return opts.align?.[c] === 'right' ? cell.padStart(w) : cell.padEnd(w);
    });
    return opts.markdown ? `| ${padded.join(' | ')} |` : padded.join('  ').trimEnd();
  };
  const out = rows.map(line);
  if ((opts.rule || opts.markdown) && out.length > 0) {
    out.splice(1, 0, line(widths.map((w) => '-'.repeat(w))));
  }
  return out;
}
