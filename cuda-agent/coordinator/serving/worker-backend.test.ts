/**
 * The hf serving backend on a random-weight transformers model built here (seconds): the
 * serving conformance suite, then what is its own: requests batched into one worker call, the
 * same greedy answers batched as alone, one request too long for the context refused
 * without failing the others in its batch, and requests after the worker died refused with
 * the reason it died. Needs a Python with torch and transformers;
 * skipped with a printed reason otherwise.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelServer } from '../../../models/server.ts';
import { pythonWithTorch } from '../../../test/support/python-with-torch.ts';
import { describeServingConformance } from '../../../test/support/serving-conformance.ts';
import { buildTinyHfModel } from '../../../test/support/tiny-hf-model.ts';
import { startHfModelServer } from './start.ts';
import type { WorkerBackend } from './worker-backend.ts';

interface ChatReply {
  choices: Array<{ message: { content: string } }>;
  error: { code: string };
}

const { python, skipWhy } = await pythonWithTorch();
const modelDir = () =>
  buildTinyHfModel(python!, join(mkdtempSync(join(tmpdir(), 'fr-serve-hf-')), 'm'));
const start = (extra: { contextSize?: number } = {}) =>
  startHfModelServer({ model: modelDir(), modelId: 'tiny-hf', threads: 1, ...extra });

describe.skipIf(!python)(`hf serving backend${skipWhy ? ` (skipped: ${skipWhy})` : ''}`, () => {
  describeServingConformance('hf on a tiny transformers model', () => start(), {
    timeoutMs: 60_000,
  });

  describe('batching', () => {
    let server: ModelServer<WorkerBackend>;
    beforeAll(async () => {
      server = await start({ contextSize: 64 });
    }, 300_000);
    afterAll(async () => server?.close());
    const chat = async (content: string, extra: Record<string, unknown> = {}) => {
      const r = await fetch(`${server.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'tiny-hf',
          messages: [{ role: 'user', content }],
          temperature: 0,
          max_tokens: 5,
          ...extra,
        }),
      });
      return { status: r.status, body: (await r.json()) as ChatReply };
    };

    it('sends concurrent greedy requests in one worker call, answering as each alone would', async () => {
      const qs = ['Who is Alice?', 'Where is the sea?', 'Who is Bob?', 'What is the capital?'];
      const alone = [];
      for (const q of qs) alone.push((await chat(q)).body.choices[0]!.message.content);
      const before = server.backend.health().batches as number;
      const together = await Promise.all(qs.map((q) => chat(q)));
      const calls = (server.backend.health().batches as number) - before;
      expect(together.map((r) => r.body.choices[0]!.message.content)).toEqual(alone);
      expect(calls).toBeLessThan(qs.length); // the first one may go alone, the rest share
    }, 60_000);

    it('refuses one prompt too long for the context without failing the others batched with it', async () => {
      const long = 'Alice '.repeat(80);
      const rs = await Promise.all([chat('Who is Alice?'), chat(long), chat('Who is Bob?')]);
      expect(rs.map((r) => r.status)).toEqual([200, 400, 200]);
      expect(rs[1]!.body.error.code).toBe('context_length_exceeded');
    }, 60_000);

    it('keeps seeded sampled requests reproducible when others run beside them', async () => {
      const seeded = () => chat('Name a fruit.', { temperature: 1, seed: 5, n: 4 });
      const a = await seeded();
      const [b] = await Promise.all([
        seeded(),
        chat('Name a fruit.', { temperature: 1, n: 4 }),
        chat('Who is Alice?'),
      ]);
      const texts = (r: typeof a) => r.body.choices.map((c) => c.message.content);
      expect(texts(b!)).toEqual(texts(a));
    }, 60_000);
  });

  it('answers every request after the worker died with 503 worker_down and why it died', async () => {
    const server = await start();
    try {
      server.backend.worker.kill();
      for (let i = 0; i < 100 && !server.backend.worker.exited; i++)
        await new Promise((r) => setTimeout(r, 50));
      for (let i = 0; i < 2; i++) {
        const r = await fetch(`${server.baseURL}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            model: 'tiny-hf',
            messages: [{ role: 'user', content: 'Who is Alice?' }],
            max_tokens: 3,
          }),
        });
        const body = (await r.json()) as { error: { code: string; message: string } };
        expect(r.status).toBe(503);
        expect(body.error.code).toBe('worker_down');
        expect(body.error.message).toContain('FR_ERR_WORKER_CRASHED');
        expect(body.error.message).toContain('SIGKILL');
      }
    } finally {
      await server.close();
    }
  }, 300_000);
});
