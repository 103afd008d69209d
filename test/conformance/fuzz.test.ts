import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from '../../protocol/codec.ts';
import { envRegistry } from '../../protocol/env-registry.ts';
import { EvalRunLog } from '../../protocol/eval-runs.ts';
import { Host } from '../../protocol/host.ts';
import { resolveLimits } from '../../protocol/limits.ts';
import { ErrorBody, RESPONSE_BODIES, VERBS, type Verb } from '../../protocol/schema.ts';
import { Session } from '../../protocol/session.ts';

const LIMIT = 4096;

describe('the frame decoder under random bytes', () => {
  it('never throws: every input decodes to an envelope or a coded BAD_FRAME/BAD_REQUEST/FRAME_TOO_LARGE error', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 6000 }),
          fc.anything().map((v) => encodeFrame(v)),
          fc
            .record({ id: fc.anything(), type: fc.anything(), body: fc.anything() })
            .map((v) => encodeFrame(v)),
        ),
        (bytes) => {
          const d = decodeFrame(bytes, LIMIT);
          if (d.ok) return;
          expect([
            'FR_ERR_PROTO_BAD_FRAME',
            'FR_ERR_PROTO_BAD_REQUEST',
            'FR_ERR_PROTO_FRAME_TOO_LARGE',
          ]).toContain(d.error.code);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('the session handlers under random requests', () => {
  it('answer every request once, with a schema-valid body or a coded error (never INTERNAL), and account for every episode', async () => {
    const host = new Host({
      registry: envRegistry(),
      limits: resolveLimits({ maxBatchEpisodes: 64 }),
      tokens: null,
      // A real file: eval runs the fuzzer closes are recorded like any other.
      evalRuns: new EvalRunLog(join(mkdtempSync(join(tmpdir(), 'fr-fuzz-')), 'eval-runs.jsonl')),
    });
    const verb = fc.oneof(fc.constantFrom<string>(...VERBS), fc.string({ maxLength: 12 }));
    const split = fc.oneof(fc.constantFrom('train', 'val', 'test'), fc.string({ maxLength: 5 }));
    const body = fc.oneof(
      fc.anything(),
      fc.record(
        {
          envId: fc.constantFrom('FactRecall-v0', 'Nope-v1', ''),
          options: fc.option(fc.dictionary(fc.string(), fc.jsonValue()), { nil: undefined }),
        },
        { requiredKeys: ['envId'] },
      ),
      fc.record(
        {
          handle: fc.constantFrom('$h', 'bogus'),
          split,
          batchSize: fc.integer({ min: -2, max: 80 }),
          groupSize: fc.integer({ min: -1, max: 6 }),
          withGold: fc.boolean(),
        },
        { requiredKeys: ['handle', 'split', 'batchSize', 'groupSize'] },
      ),
      fc.record({
        handle: fc.constantFrom('$h', 'bogus'),
        actions: fc.array(
          fc.record({
            episodeId: fc.oneof(fc.constantFrom('$ep'), fc.string()),
            answer: fc.string({ maxLength: 20 }),
          }),
          { maxLength: 5 },
        ),
      }),
      fc.record({ handle: fc.constantFrom('$h', 'bogus') }),
    );
    const role = fc.constantFrom('policy', 'trainer', 'eval');
    await fc.assert(
      fc.asyncProperty(
        role,
        fc.array(fc.tuple(verb, body), { maxLength: 25 }),
        async (r, requests) => {
          const s = new Session(host, { transport: 'fuzz' });
          await s.handle({ id: 'h', type: 'hello', body: { version: 'factrecall.v1', role: r } });
          let handle = 'none';
          let episode = 'none';
          const swap = (v: unknown): unknown => {
            if (v === '$h') return handle;
            if (v === '$ep') return episode;
            if (Array.isArray(v)) return v.map(swap);
            if (v && typeof v === 'object')
              return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, swap(x)]));
            return v;
          };
          let n = 0;
          for (const [type, b] of requests) {
            const id = String(n++);
            const { response } = await s.handle({ id, type, body: swap(b) });
            expect(response.id).toBe(id);
            if (response.type === 'error') {
              const e = ErrorBody.parse(response.body);
              expect(e.code).toMatch(/^FR_ERR_/);
              expect(e.code).not.toBe('FR_ERR_PROTO_INTERNAL');
              continue;
            }
            expect(response.type).toBe(type);
            RESPONSE_BODIES[type as Verb].parse(response.body);
            if (type === 'make') handle = (response.body as { handle: string }).handle;
            if (type === 'reset')
              episode =
                (response.body as { observations: Array<{ episodeId: string }> }).observations[0]
                  ?.episodeId ?? episode;
          }
          await s.close();
          const { totals } = host.episodeCounts();
          expect(totals.open).toBe(0);
          expect(totals.answered + totals.expired + totals.closed).toBe(totals.issued);
        },
      ),
      { numRuns: 60 },
    );
    host.stop();
  });
});
