import { describe, expect, it } from 'vitest';
import { textTable } from './text-table.ts';

const rows = [
  ['agent', 'accuracy'],
  ['oracle', '1.000'],
  ['prior-by-attribute', '0.25'],
];

describe('textTable', () => {
  it('pads each column to its widest cell, two spaces apart, without trailing blanks', () => {
    expect(textTable(rows)).toEqual([
      'agent               accuracy',
      'oracle              1.000',
      'prior-by-attribute  0.25',
    ]);
  });

  it('right-aligns the columns asked for and draws a rule under the header', () => {
    expect(textTable(rows, { align: ['left', 'right'], rule: true })).toEqual([
      'agent               accuracy',
      '------------------  --------',
      'oracle                 1.000',
      'prior-by-attribute      0.25',
    ]);
  });

  it('writes Markdown rows with the separator under the header', () => {
    expect(
      textTable(
        [
          ['a', 'bb'],
          ['ccc', 'd'],
        ],
        { markdown: true },
      ),
    ).toEqual(['| a   | bb |', '| --- | -- |', '| ccc | d  |']);
  });

  it('treats a short row as blank cells and an empty table as no lines', () => {
    expect(textTable([['x', 'y'], ['long']])).toEqual(['x     y', 'long']);
    expect(textTable([])).toEqual([]);
  });
});
