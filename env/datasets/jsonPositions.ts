/**
 * Line numbers of the elements of a JSON array, so that a bad record inside a big JSON file
 * is reported with its line (JSON.parse gives values, not positions). One pass, no parse.
 */

/**
 * 1-based line where each element of the array starts: the top-level array when `key` is
 * omitted, else the array under `key` of the top-level object (TriviaQA's `Data`).
 * The text is assumed to be valid JSON (call after JSON.parse succeeded).
 */
export function arrayElementLines(text: string, key?: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let targetDepth = key === undefined ? 1 : -1;
  let expect = false;
  let stringStart = -1;
  let lastString: string | undefined;
  let pendingKey: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\n') line++;
    if (stringStart >= 0) {
      if (ch === '\\') i++;
      else if (ch === '"') {
        if (depth === 1) lastString = JSON.parse(text.slice(stringStart, i + 1)) as string;
        stringStart = -1;
      }
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') continue;
    if (depth === targetDepth && expect && ch !== ']' && ch !== ',') {
      lines.push(line);
      expect = false;
    }
    switch (ch) {
      case '"':
        stringStart = i;
        break;
      case ':':
        if (depth === 1) pendingKey = lastString;
        break;
      case ',':
        if (depth === targetDepth) expect = true;
        if (depth === 1) pendingKey = undefined;
        break;
      case '[':
      case '{':
        depth++;
        if (depth === targetDepth && ch === '[') expect = true;
        else if (
          ch === '[' &&
          depth === 2 &&
          key !== undefined &&
          pendingKey === key &&
          lines.length === 0
        ) {
          targetDepth = 2;
          expect = true;
        }
        break;
      case ']':
      case '}':
        if (depth === targetDepth) {
          expect = false;
          if (key !== undefined) targetDepth = -1; // the keyed array is done
        }
        depth--;
        break;
    }
  }
  return lines;
}
