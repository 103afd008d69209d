import { describe, expect, it } from 'vitest';
import { int, ms, ratio, renderTable } from './table.ts';

describe('benchmark tables', () => {
  it('renders a markdown table with a title, right-aligned number columns and notes', () => {
    const md = renderTable({
      title: 'T',
      header: ['binding', 'episodes/s'],
      rows: [['ws', '1,000']],
      notes: ['n1'],
    });
    expect(md).toBe('**T**\n\n| binding | episodes/s |\n|---|---:|\n| ws | 1,000 |\n\nn1');
  });

  it('escapes pipes and newlines inside cells so a row stays one row', () => {
    const md = renderTable({ title: 'T', header: ['a'], rows: [['x|y\nz']] });
    expect(md.split('\n').at(-1)).toBe('| x\\|y z |');
  });

  it('refuses a row whose width differs from the header', () => {
    expect(() => renderTable({ title: 'T', header: ['a', 'b'], rows: [['1']] })).toThrow(
      /row 0 has 1 cells, header 2/,
    );
  });

  it('formats counts, milliseconds and ratios, and says n/a for what cannot be computed', () => {
    expect(int(52712.4)).toBe('52,712');
    expect(int(Number.NaN)).toBe('n/a');
    expect([ms(0.1234), ms(1.234), ms(12.34), ms(123.4)]).toEqual(['0.123', '1.23', '12.3', '123']);
    expect(ratio(1, 3)).toBe('0.33x');
    expect(ratio(1, 0)).toBe('n/a');
  });
});
