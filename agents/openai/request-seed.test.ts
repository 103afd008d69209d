import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../env/types.ts';
import { requestSeed } from './policy.ts';

const ask = (q: string): ChatMessage[] => [
  { role: 'system', content: 'Answer with the answer only.' },
  { role: 'user', content: q },
];

describe('requestSeed', () => {
  it('is a pure function of the base seed, the prompt and the sample index', () => {
    const a = requestSeed(7, ask('Capital of Peru?'), 0);
    expect(requestSeed(7, ask('Capital of Peru?'), 0)).toBe(a);
    expect(requestSeed(7, ask('Capital of Peru?'), 16)).toBe((a + 16) % 2 ** 31);
    expect(requestSeed(8, ask('Capital of Peru?'), 0)).toBe((a + 1) % 2 ** 31);
  });

  it('gives different questions different streams, and the role is part of the prompt', () => {
    const seeds = new Set(
      ['Capital of Peru?', 'Capital of Chile?', 'Capital of Peru? ', 'capital of peru?'].map((q) =>
        requestSeed(0, ask(q), 0),
      ),
    );
    expect(seeds.size).toBe(4);
    const asUser: ChatMessage[] = [{ role: 'user', content: 'x' }];
    const asSystem: ChatMessage[] = [{ role: 'system', content: 'x' }];
    expect(requestSeed(0, asUser, 0)).not.toBe(requestSeed(0, asSystem, 0));
  });

  it('stays a non-negative int32 whatever the base', () => {
    for (const base of [0, 2 ** 31 - 1, 2 ** 40, 123_456_789]) {
      const s = requestSeed(base, ask('Capital of Peru?'), 127);
      expect(Number.isInteger(s)).toBe(true);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThan(2 ** 31);
    }
  });
});
