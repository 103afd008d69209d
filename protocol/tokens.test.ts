import { describe, expect, it } from 'vitest';
import { findToken, isLoopback, loadTokens, parseTokens } from './tokens.ts';

describe('tokens', () => {
  it('reads the JSON form and the role:token short form, naming holders', () => {
    const json = parseTokens(
      '{"tokens":[{"token":"aaaaaaaaaaaaaaaa1","role":"eval","name":"team"}]}',
      't',
    );
    expect(json).toEqual([{ token: 'aaaaaaaaaaaaaaaa1', role: 'eval', name: 'team' }]);
    const short = loadTokens(undefined, {
      FACTRECALL_TOKENS: 'policy:pppppppppppppppp,trainer:tttttttttttttttt',
    });
    expect(short?.map((t) => [t.role, t.name])).toEqual([
      ['policy', 'policy'],
      ['trainer', 'trainer'],
    ]);
    expect(findToken(short!, 'tttttttttttttttt')?.role).toBe('trainer');
    expect(findToken(short!, 'tttttttttttttttx')).toBeUndefined();
    expect(loadTokens(undefined, {})).toBeNull();
  });

  it('refuses short tokens, unknown roles, duplicates and unreadable files with FR_ERR_PROTO_BAD_CONFIG', () => {
    expect(() => parseTokens('policy:short', 't')).toThrow(/16 characters/);
    expect(() => parseTokens('admin:aaaaaaaaaaaaaaaa', 't')).toThrow(
      expect.objectContaining({ code: 'FR_ERR_PROTO_BAD_CONFIG' }),
    );
    expect(() => parseTokens('policy:aaaaaaaaaaaaaaaa,eval:aaaaaaaaaaaaaaaa', 't')).toThrow(
      /twice/,
    );
    expect(() => loadTokens('/no/such/file')).toThrow(
      expect.objectContaining({ code: 'FR_ERR_PROTO_BAD_CONFIG' }),
    );
  });

  it('treats only 127/8, ::1 and localhost as loopback', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '10.0.0.1', '::'].some(isLoopback)).toBe(false);
  });
});
