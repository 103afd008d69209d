/**
 * A small, safe parser for Python literals, the subset that dataset files use: str (single,
 * double or triple quotes, r/u prefixes, adjacent literals concatenated), int, float,
 * True/False/None, list, tuple and dict. Same results as `ast.literal_eval` on that subset;
 * nothing is ever evaluated. Sets, bytes and complex numbers are refused.
 */

export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

export class PyLiteralError extends Error {
  override readonly name = 'PyLiteralError';
  constructor(
    message: string,
    /** Offset in the source text where parsing failed. */
    readonly position: number,
  ) {
    super(`${message} at offset ${position}`);
  }
}

/** Nesting deeper than this is refused (no dataset needs it; it guards the stack). */
const MAX_DEPTH = 64;

/** Escapes with a fixed meaning in a Python str literal. */
const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** Parse one Python literal; the whole text must be that literal (whitespace around is fine). */
export function parsePyLiteral(text: string): PyValue {
  const parser = new Parser(text);
  const value = parser.value(0);
  parser.skipSpace();
  if (parser.pos < text.length)
    throw new PyLiteralError('unexpected text after literal', parser.pos);
  return value;
}

class Parser {
  pos = 0;
  constructor(private readonly src: string) {}

  skipSpace(): void {
    for (;;) {
      const c = this.src.charCodeAt(this.pos);
      // space, \t, \n, \v, \f, \r
      if (c === 32 || (c >= 9 && c <= 13)) this.pos++;
      else return;
    }
  }

  value(depth: number): PyValue {
    if (depth > MAX_DEPTH) throw new PyLiteralError('literal nested too deeply', this.pos);
    this.skipSpace();
    const ch = this.src[this.pos];
    if (ch === undefined) throw new PyLiteralError('unexpected end of literal', this.pos);
    if (ch === '[') return this.sequence(']', depth);
    if (ch === '(') return this.sequence(')', depth);
    if (ch === '{') return this.dict(depth);
    if (this.startsString()) return this.strings();
    if (/[-+0-9.]/.test(ch)) return this.number();
    for (const [word, val] of [
      ['True', true],
      ['False', false],
      ['None', null],
    ] as const) {
      if (
        this.src.startsWith(word, this.pos) &&
        !/\w/.test(this.src[this.pos + word.length] ?? '')
      ) {
        this.pos += word.length;
        return val;
      }
    }
    throw new PyLiteralError(`unexpected character ${JSON.stringify(ch)}`, this.pos);
  }

  private sequence(close: ']' | ')', depth: number): PyValue[] {
    this.pos++;
    const items: PyValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.src[this.pos] === close) {
        this.pos++;
        return items;
      }
      items.push(this.value(depth + 1));
      this.skipSpace();
      const sep = this.src[this.pos];
      if (sep === ',') this.pos++;
      else if (sep !== close) throw new PyLiteralError(`expected ',' or '${close}'`, this.pos);
    }
  }

  private dict(depth: number): { [key: string]: PyValue } {
    this.pos++;
    const out: { [key: string]: PyValue } = {};
    for (;;) {
      this.skipSpace();
      if (this.src[this.pos] === '}') {
        this.pos++;
        return out;
      }
      const keyAt = this.pos;
      const key = this.value(depth + 1);
      if (typeof key !== 'string' && typeof key !== 'number') {
        throw new PyLiteralError('dict keys must be strings or numbers', keyAt);
      }
      this.skipSpace();
      if (this.src[this.pos] !== ':') {
        // `{'a', 'b'}` is a set: refused rather than misread.
        throw new PyLiteralError("expected ':' (sets are not supported)", this.pos);
      }
      this.pos++;
      out[String(key)] = this.value(depth + 1);
      this.skipSpace();
      const sep = this.src[this.pos];
      if (sep === ',') this.pos++;
      else if (sep !== '}') throw new PyLiteralError("expected ',' or '}'", this.pos);
    }
  }

  private startsString(): boolean {
    let c = this.src[this.pos];
    if (c === 'r' || c === 'R' || c === 'u' || c === 'U') c = this.src[this.pos + 1];
    return c === "'" || c === '"';
  }

  /** One or more adjacent string literals, concatenated as Python does. */
  private strings(): string {
    let out = this.string();
    for (;;) {
      const save = this.pos;
      this.skipSpace();
      if (this.startsString()) out += this.string();
      else {
        this.pos = save;
        return out;
      }
    }
  }

  private string(): string {
    let raw = false;
    const prefix = this.src[this.pos]!;
    if (/[rRuU]/.test(prefix)) {
      raw = prefix === 'r' || prefix === 'R';
      this.pos++;
    }
    const start = this.pos;
    const q = this.src[this.pos]!;
    const triple = this.src.startsWith(q.repeat(3), this.pos);
    const delim = triple ? q.repeat(3) : q;
    this.pos += delim.length;
    let out = '';
    for (;;) {
      // Copy the run of plain characters up to the next quote, backslash or newline at once.
      let end = this.pos;
      for (;;) {
        const c = this.src.charCodeAt(end);
        if (Number.isNaN(c) || c === 39 || c === 34 || c === 92 || c === 10 || c === 13) break;
        end++;
      }
      out += this.src.slice(this.pos, end);
      this.pos = end;
      const ch = this.src[this.pos];
      if (ch === undefined) throw new PyLiteralError('unterminated string', start);
      if (this.src.startsWith(delim, this.pos)) {
        this.pos += delim.length;
        return out;
      }
      if (!triple && (ch === '\n' || ch === '\r')) {
        throw new PyLiteralError('newline inside a one-line string', this.pos);
      }
      if (ch !== '\\') {
        out += ch;
        this.pos++;
        continue;
      }
      const next = this.src[this.pos + 1];
      if (next === undefined) throw new PyLiteralError('unterminated string', start);
      if (raw) {
        // In a raw string a backslash stays, but still keeps the next quote from closing it.
        out += ch + next;
        this.pos += 2;
        continue;
      }
      out += this.escape(next);
    }
  }

  /** Decode the escape at `this.pos` (a backslash followed by `next`) and advance past it. */
  private escape(next: string): string {
    const at = this.pos;
    this.pos += 2;
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) return simple;
    if (next === '\n') return '';
    if (next === '\r') {
      if (this.src[this.pos] === '\n') this.pos++;
      return '';
    }
    const hexLength = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    if (hexLength > 0) {
      const hex = this.src.slice(this.pos, this.pos + hexLength);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(hex)) {
        throw new PyLiteralError(`bad \\${next} escape`, at);
      }
      this.pos += hexLength;
      const code = Number.parseInt(hex, 16);
      if (code > 0x10ffff) throw new PyLiteralError('escape beyond Unicode', at);
      return String.fromCodePoint(code);
    }
    if (/[0-7]/.test(next)) {
      let digits = next;
      while (digits.length < 3 && /[0-7]/.test(this.src[this.pos] ?? '')) {
        digits += this.src[this.pos];
        this.pos++;
      }
      return String.fromCodePoint(Number.parseInt(digits, 8));
    }
    if (next === 'N') throw new PyLiteralError('\\N{name} escapes are not supported', at);
    // Python keeps unknown escapes as written (`\s` stays backslash-s).
    return `\\${next}`;
  }

  private number(): number {
    const m = /^[-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d+)?/.exec(
      this.src.slice(this.pos),
    );
    if (!m || m[0] === '-' || m[0] === '+') throw new PyLiteralError('bad number', this.pos);
    const text = m[0].replaceAll('_', '');
    // Python 3 refuses leading zeros on non-zero integers (`012`).
    if (/^[-+]?0\d+$/.test(text)) throw new PyLiteralError('leading zeros in an integer', this.pos);
    if (/[jJ]/.test(this.src[this.pos + m[0].length] ?? '')) {
      throw new PyLiteralError('complex numbers are not supported', this.pos);
    }
    this.pos += m[0].length;
    return Number(text);
  }
}
