import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFactRecallError } from '../../lib/errors.ts';
import { workerError } from './errors.ts';
import { findPythonWithTorch, workerCommand } from './launcher.ts';
import { encodeFrame, FrameDecoder, WorkerClient } from './worker-client.ts';
import type { WorkerMethod, WorkerProgressEvent } from './worker-types.ts';

const found = await findPythonWithTorch().catch((e: unknown) => e);
const python = isFactRecallError(found) ? undefined : (found as { python: string }).python;
if (!python)
  console.warn(`worker-client tests with a real worker skipped: ${(found as Error).message}`);

const DOCS = [
  'Alice Smith was born in Paris . She works as a baker .',
  'Q: Where was Alice Smith born?\nA: Paris\n',
  'Bruno Diaz was born in Lima . He works as a pilot .',
  'Q: Where was Bruno Diaz born?\nA: Lima\n',
];
const INIT = {
  seed: 3,
  device: 'cpu',
  threads: 1,
  model: { block_size: 32, n_layer: 1, n_head: 2, n_embd: 16 },
  optim: { lr: 1e-3 },
} as const;

async function codeOf(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!isFactRecallError(e)) throw new Error(`expected a coded error, got ${String(e)}`);
  return e.code;
}

describe('worker frames', () => {
  it('decodes the same values whatever the chunk boundaries', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            id: fc.nat(),
            text: fc.string(),
            xs: fc.array(fc.double({ noNaN: true }).filter((x) => !Object.is(x, -0))),
          }),
          {
            minLength: 1,
            maxLength: 5,
          },
        ),
        fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 20 }),
        (values, cuts) => {
          const bytes = Buffer.concat(values.map(encodeFrame));
          const dec = new FrameDecoder();
          const out: unknown[] = [];
          let at = 0;
          for (let i = 0; at < bytes.length; i++) {
            const n = cuts[i % cuts.length]!;
            out.push(...dec.push(bytes.subarray(at, at + n)));
            at += n;
          }
          expect(out).toEqual(values);
          expect(dec.pending).toBe(0);
        },
      ),
    );
  });

  it('refuses a frame that announces more than 256 MiB', () => {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(256 * 1024 * 1024 + 1, 0);
    expect(() => new FrameDecoder().push(header)).toThrow(/FR_ERR|announced/);
  });
});

describe.skipIf(!python)('the worker client, against the real Python worker', () => {
  let client: WorkerClient;
  beforeAll(async () => {
    client = await WorkerClient.start({ python });
  });
  afterAll(async () => {
    await client?.shutdown();
  });

  it('runs tokenizer, init, pretrain with progress, generate, logprobs, train_step, save and load', async () => {
    expect(client.info.torch).toMatch(/^2\./);
    const tok = await client.tokenizer({ texts: DOCS });
    expect(tok.special_ids.newline).toBe(4);
    const init = await client.init(INIT);
    expect(init.model.vocab_size).toBe(tok.vocab_size);

    const events: WorkerProgressEvent[] = [];
    const pre = await client.pretrain(
      { documents: DOCS, epochs: 3, batch_size: 2, progress_every: 1 },
      { onProgress: (e) => events.push(e) },
    );
    expect(pre.epoch_losses).toHaveLength(3);
    expect(events.filter((e) => e.phase === 'pretrain')).toHaveLength(pre.steps);
    expect(events.at(-1)).toMatchObject({
      phase: 'pretrain_epoch',
      epoch: 3,
      loss: pre.epoch_losses[2],
    });

    const gen = await client.generate({
      prompts: ['Q: Where was Alice Smith born?\nA:', [1, 5]],
      n: 3,
      max_new_tokens: 4,
      seed: 2,
    });
    const rows = gen.results.flatMap((r) => r.samples.map((s) => ({ p: r.prompt_ids, s })));
    expect(rows).toHaveLength(6);
    const lp = await client.logprobs({
      prompts: rows.map((r) => r.p),
      completions: rows.map((r) => r.s.token_ids),
    });
    for (const [i, r] of rows.entries()) {
      for (const [j, x] of r.s.logprobs.entries()) expect(lp.policy[i]![j]).toBeCloseTo(x, 4);
    }

    const samples = rows.map((r, i) => ({
      prompt_ids: r.p,
      completion_ids: r.s.token_ids,
      old_logprobs: r.s.logprobs,
      advantage: i % 2 ? 1 : -1,
    }));
    const step1 = await client.trainStep({ samples, micro_batch_size: 4 });
    expect(step1).toMatchObject({ step: 1, skipped: false, samples: 6 });
    const path = join(mkdtempSync(join(tmpdir(), 'fr-worker-')), 'ckpt.pt');
    expect((await client.save({ path })).bytes).toBeGreaterThan(0);
    const step2 = await client.trainStep({ samples });
    await client.load({ path });
    const again = await client.trainStep({ samples });
    // the same step after the load, all but the wall-clock seconds
    expect({ ...again, seconds: undefined }).toEqual({ ...step2, seconds: undefined });
    expect(Object.keys(again.seconds).sort()).toEqual(['score', 'train']);
    // every reply reported the worker's own seconds, summed per method
    expect(client.compute.get('generate')?.calls).toBe(1);
    expect(client.compute.get('train_step')?.calls).toBe(3);
    expect(client.compute.get('init')?.calls).toBe(1);
  });

  it("reports the worker's own seconds on a call, inside the call's round trip", async () => {
    const before = client.computeSeconds('logprobs');
    const t0 = performance.now();
    await client.logprobs({
      prompts: ['Q: Where was Alice Smith born?\nA:'],
      completions: [[5, 6]],
    });
    const wall = (performance.now() - t0) / 1000;
    const inWorker = client.computeSeconds('logprobs') - before;
    expect(inWorker).toBeGreaterThan(0);
    expect(inWorker).toBeLessThanOrEqual(wall);
  });

  it("rejects with the worker's own coded errors and keeps serving", async () => {
    expect(await codeOf(client.generate({ prompts: [] }))).toBe('FR_ERR_WORKER_BAD_PARAMS');
    expect(await codeOf(client.call('fly' as WorkerMethod, {}))).toBe(
      'FR_ERR_WORKER_UNKNOWN_METHOD',
    );
    expect(await codeOf(client.load({ path: '/nonexistent/ckpt.pt' }))).toBe(
      'FR_ERR_WORKER_CHECKPOINT_NOT_FOUND',
    );
    const e = await client.generate({ prompts: ['x'], top_k: -1 }).catch((err: unknown) => err);
    expect((e as Error).message).toMatch(/top_k/);
    expect((await client.call('info', {})).ready).toBe(true);
  });

  it('after shutdown the worker has exited with 0 and calls fail with FR_ERR_WORKER_CLOSED', async () => {
    const pending = client.generate({ prompts: ['Q:'], max_new_tokens: 2 }); // sent before: answered
    expect(await client.shutdown()).toEqual({ code: 0, signal: null });
    expect((await pending).results).toHaveLength(1);
    expect(client.exited).toBe(true);
    expect(await codeOf(client.call('info', {}))).toBe('FR_ERR_WORKER_CLOSED');
    expect(await client.shutdown()).toEqual({ code: 0, signal: null }); // twice is harmless
  });

  it('a killed worker fails every pending call with FR_ERR_WORKER_CRASHED and its stderr tail', async () => {
    const c = await WorkerClient.start({
      python,
      env: { ...process.env, FACTRECALL_WORKER_LOG: 'INFO' },
    });
    await c.tokenizer({ texts: DOCS });
    await c.init(INIT);
    const long = c.pretrain({ documents: DOCS, epochs: 100_000, batch_size: 1 });
    const queued = c.generate({ prompts: ['Q:'] });
    process.kill(c.pid!, 'SIGKILL');
    const errors = await Promise.all([long, queued].map((p) => p.catch((e: unknown) => e)));
    for (const e of errors) {
      expect(isFactRecallError(e, 'FR_ERR_WORKER_CRASHED')).toBe(true);
      expect((e as Error).message).toMatch(/killed by SIGKILL; stderr tail:\n.*ready: torch/s);
      expect((e as { retryable: boolean }).retryable).toBe(true);
    }
    expect(await codeOf(c.call('info', {}))).toBe('FR_ERR_WORKER_CRASHED');
    expect(c.exited).toBe(true);
  });

  it('a call past its deadline fails with FR_ERR_WORKER_TIMEOUT and the stuck worker is killed', async () => {
    const c = await WorkerClient.start({ python });
    await c.tokenizer({ texts: DOCS });
    await c.init(INIT);
    const slow = c.pretrain(
      { documents: DOCS, epochs: 100_000, batch_size: 1 },
      { timeoutMs: 300 },
    );
    const behind = c.generate({ prompts: ['Q:'] });
    expect(await codeOf(slow)).toBe('FR_ERR_WORKER_TIMEOUT');
    const e = await behind.catch((err: unknown) => err);
    expect(isFactRecallError(e, 'FR_ERR_WORKER_CRASHED')).toBe(true);
    expect((e as Error).message).toMatch(/`pretrain` \(id \d+\) passed its 300 ms deadline/);
    const exit = await c.shutdown();
    expect(exit.signal).toBe('SIGKILL');
  });

  it('refuses to start an interpreter that does not exist, with FR_ERR_WORKER_SPAWN_FAILED', async () => {
    expect(await codeOf(WorkerClient.start({ python: '/nonexistent/python3' }))).toBe(
      'FR_ERR_WORKER_SPAWN_FAILED',
    );
  });

  it('has the same error codes and retryable flags as the Python worker', async () => {
    const cmd = workerCommand(python!);
    const { stdout } = await promisify(execFile)(cmd.command, [...cmd.args, '--list-errors'], {
      env: cmd.env,
    });
    const py = JSON.parse(stdout) as { code: string; retryable: boolean; doc: string }[];
    expect(py.length).toBeGreaterThan(5);
    for (const row of py) {
      const spec = workerError.catalogue[row.code as keyof typeof workerError.catalogue];
      expect(spec, `${row.code} missing from cuda-agent/coordinator/errors.ts`).toBeDefined();
      expect(spec.retryable, row.code).toBe(row.retryable);
      expect(row.doc, `${row.code} needs its one-line docstring`).not.toBe('');
    }
  });
});
