/**
 * Delimited text (CSV, TSV) as Python's `csv.reader` reads it, with errors per record.
 *
 * Quotes open a field only at its start; inside, a doubled quote is a quote, and delimiters
 * and newlines are kept. A quote in the middle of an unquoted field is kept literally (as
 * Python does). Two things break a record and are reported with its line: a quoted field
 * that never closes, and text after a closing quote. Parsing then resumes on the next line,
 * so one bad record never takes the rest of the file with it.
 */

export interface CsvRecord {
  /** 1-based physical line where the record starts. */
  line: number;
  fields: string[];
}

export interface CsvBadRecord {
  line: number;
  error: string;
}

export interface CsvOptions {
  /** Field separator: ',' for CSV (default), '\t' for TSV. */
  delimiter?: string;
}

const QUOTE = '"';

function isNewline(ch: string | undefined): boolean {
  return ch === '\n' || ch === '\r';
}

/** Split text into records; blank lines are skipped (they hold no row). */
export function parseDelimited(
  text: string,
  opts: CsvOptions = {},
): Array<CsvRecord | CsvBadRecord> {
  const delimiter = opts.delimiter ?? ',';
  const out: Array<CsvRecord | CsvBadRecord> = [];
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;

  /** Position just past the line end at or after `from` (handles CRLF). */
  const nextLineStart = (from: number): number => {
    let i = from;
    while (i < text.length && !isNewline(text[i])) i++;
    if (text[i] === '\r' && text[i + 1] === '\n') return i + 2;
    return Math.min(i + 1, text.length);
  };

  while (pos < text.length) {
    const startLine = line;
    const startPos = pos;
    if (isNewline(text[pos])) {
      pos = nextLineStart(pos);
      line++;
      continue;
    }
    const fields: string[] = [];
    let error: string | undefined;
    let unclosed = false;
    let linesInside = 0;
    for (;;) {
      if (text[pos] === QUOTE) {
        let value = '';
        let i = pos + 1;
        let closed = false;
        while (i < text.length) {
          const q = text.indexOf(QUOTE, i);
          const chunk = q === -1 ? text.slice(i) : text.slice(i, q);
          value += chunk;
          linesInside += countLineEnds(chunk);
          if (q === -1) {
            i = text.length;
            break;
          }
          if (text[q + 1] === QUOTE) {
            value += QUOTE;
            i = q + 2;
            continue;
          }
          i = q + 1;
          closed = true;
          break;
        }
        if (!closed) {
          unclosed = true;
          error = 'quoted field is never closed';
          break;
        }
        fields.push(value);
        pos = i;
        const after = text[pos];
        if (after !== undefined && after !== delimiter && !isNewline(after)) {
          error = `text after a closing quote (${JSON.stringify(text.slice(pos, pos + 12))})`;
          break;
        }
      } else {
        let i = pos;
        while (i < text.length && text[i] !== delimiter && !isNewline(text[i])) i++;
        fields.push(text.slice(pos, i));
        pos = i;
      }
      if (text[pos] === delimiter) {
        pos++;
        continue;
      }
      break;
    }
    if (error !== undefined) {
      out.push({ line: startLine, error });
      if (unclosed) {
        // The quote ran to the end of the file: resume on the line after the record's start,
        // so the rows it swallowed survive.
        pos = nextLineStart(startPos);
        line = startLine + 1;
      } else {
        pos = nextLineStart(pos);
        line = startLine + linesInside + 1;
      }
      continue;
    }
    out.push({ line: startLine, fields });
    pos = nextLineStart(pos);
    line = startLine + linesInside + 1;
  }
  return out;
}

export function isBadRecord(r: CsvRecord | CsvBadRecord): r is CsvBadRecord {
  return 'error' in r;
}

/** Line ends in a chunk, counting CRLF once. */
function countLineEnds(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13 && s.charCodeAt(i + 1) !== 10) n++;
  }
  return n;
}
