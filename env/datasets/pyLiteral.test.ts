import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PyLiteralError, parsePyLiteral } from './pyLiteral.ts';

describe('parsePyLiteral', () => {
  it('reads lists of single- and double-quoted strings with escapes as ast.literal_eval does', () => {
    expect(
      parsePyLiteral(`['Scorpio', "Hitler's health", 'it\\'s', 'a\\\\b', 'tab\\there']`),
    ).toEqual(['Scorpio', "Hitler's health", "it's", 'a\\b', 'tab\there']);
    expect(parsePyLiteral(`'\\xe9\\u00e9\\U0001F600\\101'`)).toBe('ééA'.replace('A', '\u{1F600}A'));
  });

  it('keeps unknown escapes with their backslash, as Python does (`\\s` stays `\\s`)', () => {
    expect(parsePyLiteral(`'a\\sb'`)).toBe('a\\sb');
  });

  it('reads dicts, tuples, numbers, booleans, None, trailing commas and adjacent strings', () => {
    expect(
      parsePyLiteral(
        `{'topic': 'Art', 'n': -3, 'x': 1.5e3, 'ok': True, 'no': None, 'urls': ('a', 'b',), 'cat': 'ab' "cd"}`,
      ),
    ).toEqual({ topic: 'Art', n: -3, x: 1500, ok: true, no: null, urls: ['a', 'b'], cat: 'abcd' });
  });

  it('reads raw and triple-quoted strings', () => {
    expect(parsePyLiteral(`r'a\\n'`)).toBe('a\\n');
    expect(parsePyLiteral(`'''one\n'two'\n'''`)).toBe("one\n'two'\n");
  });

  it('refuses anything that is not a plain literal: calls, names, sets, unterminated strings', () => {
    for (const bad of [
      "__import__('os').system('true')",
      'open',
      "{'a', 'b'}",
      "['a'",
      "'abc",
      "['a' 'b' c]",
      '012',
      '1j',
      "'\\N{BULLET}'",
      '['.repeat(100) + ']'.repeat(100),
    ]) {
      expect(() => parsePyLiteral(bad), bad).toThrow(PyLiteralError);
    }
  });

  it('reads back any JSON-encoded list of strings (JSON strings are Python literals too)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary', maxLength: 40 }), { maxLength: 20 }),
        (items) => {
          expect(parsePyLiteral(JSON.stringify(items))).toEqual(items);
        },
      ),
    );
  });
});
