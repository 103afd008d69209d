import { describe, expect, it } from 'vitest';
import { parseDelimited } from './csv.ts';

describe('parseDelimited', () => {
  it('reads quoted fields holding commas, newlines and doubled quotes, and counts lines', () => {
    const text = 'a,b\r\n"x, y","say ""hi"""\r\n"multi\nline",z\nlast,1\n';
    expect(parseDelimited(text)).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 3, fields: ['multi\nline', 'z'] },
      { line: 5, fields: ['last', '1'] },
    ]);
  });

  it('keeps a quote inside an unquoted field literally, like Python csv (5\'11" tall)', () => {
    expect(parseDelimited('q\t5\'11" tall\n', { delimiter: '\t' })).toEqual([
      { line: 1, fields: ['q', '5\'11" tall'] },
    ]);
  });

  it('reports text after a closing quote with its line and keeps the next rows', () => {
    const rows = parseDelimited('h,i\n"bad"x,1\ngood,2\n');
    expect(rows).toEqual([
      { line: 1, fields: ['h', 'i'] },
      { line: 2, error: expect.stringMatching(/after a closing quote/) },
      { line: 3, fields: ['good', '2'] },
    ]);
  });

  it('reports a quote that never closes at its line and resumes on the next line', () => {
    const rows = parseDelimited('h,i\n"open,1\ngood,2\nalso,3\n');
    expect(rows[1]).toEqual({ line: 2, error: 'quoted field is never closed' });
    expect(rows.slice(2)).toEqual([
      { line: 3, fields: ['good', '2'] },
      { line: 4, fields: ['also', '3'] },
    ]);
  });

  it('skips blank lines and a byte-order mark, and reads a last line without newline', () => {
    expect(parseDelimited('\uFEFFa\n\n\nb')).toEqual([
      { line: 1, fields: ['a'] },
      { line: 4, fields: ['b'] },
    ]);
  });
});
