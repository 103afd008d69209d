import { describe, expect, it } from 'vitest';
import { arrayElementLines } from './jsonPositions.ts';

describe('arrayElementLines', () => {
  it('gives the start line of each element of a top-level array, strings with brackets included', () => {
    const text = '[\n  {"q": "a [x], {y}"},\n  {"q": "b\\"]"}, 3,\n  [1,\n 2]\n]';
    expect(arrayElementLines(text)).toEqual([2, 3, 3, 4]);
  });

  it('gives the lines of the elements under a key of the top-level object (TriviaQA Data)', () => {
    const text =
      '{"Version": 1, "Other": [9, 9],\n"Data": [\n{"Q": 1},\n{"Q": [2]}\n], "Tail": [7]}';
    expect(arrayElementLines(text, 'Data')).toEqual([3, 4]);
  });
});
