/**
 * A coordinator caught mid-call, for worker-reaper.test.ts: starts a tiny worker of `argv[2]`
 * ranks (with the Python `argv[3]`), sends it a pretraining that runs for minutes without a
 * progress frame (a write to the closed pipe would end it early), prints the worker's pid,
 * then waits for the test's SIGTERM.
 */
import { WorkerClient } from '../../cuda-agent/coordinator/worker-client.ts';

const DOCS = ['Alice Smith was born in Paris .', 'Q: Where was Alice Smith born?\nA: Paris\n'];
const ranks = Number(process.argv[2] ?? '1');
const python = process.argv[3]; // the interpreter, when the caller has found it already
const w = await WorkerClient.start({
  ranks,
  ...(python ? { python } : {}),
  env: { ...process.env, OMP_NUM_THREADS: '1' },
});
await w.tokenizer({ texts: DOCS });
await w.init({
  device: 'cpu',
  threads: 1,
  model: { block_size: 16, n_layer: 1, n_head: 1, n_embd: 8 },
});
// one epoch of 100,000 one-document steps (minutes) and no progress frame before its end
const documents = Array.from({ length: 100_000 }, (_, i) => DOCS[i % 2]!);
w.pretrain({ documents, epochs: 1, batch_size: 1, progress_every: 1_000_000_000 }).catch(
  () => undefined,
);
process.stdout.write(`${w.pid}\n`);
setInterval(() => {}, 1_000); // the pending call keeps nothing alive by itself
