import { describe, expect, it } from 'vitest';
import { compileChecker, GRAMMAR_MAX_REPEAT, grammarSchema } from './json-schema.ts';

describe('grammarSchema', () => {
  it('drops length bounds llama.cpp cannot compile and keeps small ones', () => {
    const g = grammarSchema({
      type: 'object',
      properties: {
        reasoning: { type: 'string', maxLength: 3000 },
        label: { type: 'string', minLength: 1, maxLength: 20 },
      },
      required: ['reasoning', 'label'],
      additionalProperties: false,
    });
    expect(g).toEqual({
      type: 'object',
      properties: {
        reasoning: { type: 'string' },
        label: { type: 'string', minLength: 1, maxLength: 20 },
      },
      required: ['reasoning', 'label'],
      additionalProperties: false,
    });
    expect(grammarSchema({ type: 'string', maxLength: GRAMMAR_MAX_REPEAT + 1 })).toEqual({
      type: 'string',
    });
  });

  it('rewrites anyOf as oneOf and definitions refs as $defs refs, and strips keywords the compiler misreads', () => {
    expect(
      grammarSchema({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        definitions: { v: { enum: ['a', 'b'] } },
        properties: {
          x: { anyOf: [{ type: 'integer', minimum: 3 }, { type: 'null' }] },
          y: { $ref: '#/definitions/v' },
          z: { type: 'string', pattern: '^q' },
        },
      }),
    ).toEqual({
      type: 'object',
      properties: {
        x: { oneOf: [{ type: 'integer' }, { type: 'null' }] },
        y: { $ref: '#/$defs/v' },
        z: { type: 'string' },
      },
      $defs: { v: { enum: ['a', 'b'] } },
    });
  });

  it('splits a type list with an object member into oneOf branches', () => {
    expect(
      grammarSchema({ type: ['object', 'null'], properties: { a: { type: 'boolean' } } }),
    ).toEqual({
      oneOf: [{ type: 'object', properties: { a: { type: 'boolean' } } }, { type: 'null' }],
    });
  });
});

describe('compileChecker', () => {
  const check = compileChecker({
    type: 'object',
    properties: { reasoning: { type: 'string', maxLength: 5 }, ok: { type: 'boolean' } },
    required: ['reasoning', 'ok'],
    additionalProperties: false,
  });

  it('accepts JSON that meets the whole schema, including what the grammar dropped', () => {
    expect(check('{"reasoning": "short", "ok": true}')).toEqual({
      ok: true,
      value: { reasoning: 'short', ok: true },
    });
  });

  it('refuses text that is not JSON, breaks maxLength, or misses a field', () => {
    expect(check('{"reasoning": ').ok).toBe(false);
    const long = check('{"reasoning": "far too long", "ok": true}');
    expect(long.ok).toBe(false);
    expect(long.ok === false && long.error).toMatch(/5 characters/);
    expect(check('{"reasoning": "x"}').ok).toBe(false);
  });
});
