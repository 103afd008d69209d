import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { capitalsSource, manualClock } from '../test/support/env-doubles.ts';
import { extractAnswer } from './extract.ts';
import { makeFactRecallV0 } from './factrecall-v0.ts';
import type { Observation } from './types.ts';

describe('env invariants (property-based)', () => {
  it('extraction never returns more than maxChars code points, nor a line break, nor outer spaces', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('direct' as const, 'cot' as const),
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        fc.integer({ min: 1, max: 50 }),
        (prompt, raw, max) => {
          const { text, truncated } = extractAnswer(prompt, raw, max);
          expect(Array.from(text).length).toBeLessThanOrEqual(max);
          expect(text).not.toMatch(/[\r\n]/);
          expect(text).toBe(text.trim());
          if (truncated) expect(text.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('every issued episode is open, answered, expired or closed, whatever the sequence of calls', async () => {
    type Op =
      | { kind: 'reset'; batch: number; group: number }
      | { kind: 'step'; pick: number[] }
      | { kind: 'wait'; ms: number }
      | { kind: 'close'; pick: number[] };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({
        kind: fc.constant('reset' as const),
        batch: fc.integer({ min: 1, max: 4 }),
        group: fc.integer({ min: 1, max: 3 }),
      }),
      fc.record({
        kind: fc.constant('step' as const),
        pick: fc.array(fc.nat(40), { maxLength: 5 }),
      }),
      fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 700 }) }),
      fc.record({
        kind: fc.constant('close' as const),
        pick: fc.array(fc.nat(40), { maxLength: 3 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
        const clock = manualClock();
        const env = makeFactRecallV0({
          source: capitalsSource(),
          episodeTtlMs: 1000,
          clock: clock.now,
        });
        const seen: Observation[] = [];
        let stepped = 0;
        for (const o of ops) {
          if (o.kind === 'reset') {
            seen.push(
              ...(await env.reset({ split: 'train', batchSize: o.batch, groupSize: o.group }))
                .observations,
            );
          } else if (o.kind === 'wait') clock.advance(o.ms);
          else {
            const ids = [
              ...new Set(o.pick.filter((i) => i < seen.length).map((i) => seen[i]!.episodeId)),
            ];
            if (ids.length === 0) continue;
            if (o.kind === 'close') env.closeEpisodes(ids);
            else {
              // Either the whole batch is applied or none of it.
              const before = env.stats().answered;
              try {
                await env.step(ids.map((episodeId) => ({ episodeId, answer: 'Paris' })));
                stepped += ids.length;
              } catch (e) {
                // Only a coded refusal of the batch is expected here, never a crash.
                expect((e as { code?: string }).code).toMatch(/^FR_ERR_ENV_/);
                expect(env.stats().answered).toBe(before);
              }
            }
          }
          const s = env.stats();
          expect(s.issued).toBe(seen.length);
          expect(s.open + s.answered + s.expired + s.closed).toBe(s.issued);
          expect(s.answered).toBe(stepped);
          expect(s.scored + s.judgeFailed).toBe(s.answered);
        }
        await env.close();
        const end = env.stats();
        expect(end.open).toBe(0);
        expect(end.answered + end.expired + end.closed).toBe(seen.length);
      }),
      { numRuns: 150 },
    );
  });
});
