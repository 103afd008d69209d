/** Markdown tables and the number formats every benchmark uses. */

export type Align = 'left' | 'right';

export interface Table {
  title: string;
  header: string[];
  rows: string[][];
  /** Alignment per column; numbers right, names left. Default: first left, rest right. */
  align?: Align[];
  notes?: string[];
}

const escapeCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** A GitHub-flavoured markdown table; throws when a row's width differs from the header's. */
export function renderTable(t: Table): string {
  const width = t.header.length;
  t.rows.forEach((r, i) => {
    if (r.length !== width) {
      throw new RangeError(`${t.title}: row ${i} has ${r.length} cells, header ${width}`);
    }
  });
  const align = t.align ?? t.header.map((_, i) => (i === 0 ? 'left' : 'right'));
  const line = (cells: string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  const rule = `|${align.map((a) => (a === 'right' ? '---:' : '---')).join('|')}|`;
  const out = [`**${t.title}**`, '', line(t.header), rule, ...t.rows.map(line)];
  for (const n of t.notes ?? []) out.push('', n);
  return out.join('\n');
}

/** 52712.4 -> "52,712"; non-finite -> "n/a". */
export const int = (x: number) =>
  Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a';

/** Milliseconds with precision that suits the size: 0.123, 1.23, 12.3, 123. */
export function ms(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  if (x < 1) return x.toFixed(3);
  if (x < 10) return x.toFixed(2);
  if (x < 100) return x.toFixed(1);
  return x.toFixed(0);
}

/** a / b as "0.33x"; b = 0 or non-finite -> "n/a". */
export function ratio(a: number, b: number): string {
  const r = a / b;
  return Number.isFinite(r) && b !== 0 ? `${r.toFixed(2)}x` : 'n/a';
}
