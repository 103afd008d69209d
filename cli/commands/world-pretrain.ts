/**
 * `factrecall world pretrain`: train the tiny model on a FactWorld's biographies and QA text
 * and cache it (keyed by a hash of world, architecture and schedule) under the
 * cache folder, so that `train` and the demo start from it at once.
 */
import type { Command } from 'commander';
import { DEMO_TRAIN_PRESET } from '../../cuda-agent/coordinator/organism/organism-config.ts';
import { ensurePretrained } from '../../cuda-agent/coordinator/organism/pretrain.ts';
import { loadRunConfig } from '../../cuda-agent/coordinator/organism/run-config.ts';
import { commandGroup } from './group.ts';

const collect = (v: string, prev: string[]) => [...prev, v];

export function register(program: Command): void {
  commandGroup(program, 'world', 'FactWorld: the synthetic world of fictional people')
    .command('pretrain')
    .description(
      'Pretrain (or find in the cache) the tiny FactWorld model; prints its path and losses',
    )
    .option(
      '-c, --config <file>',
      'JSON run config with an "organism" section (world, model, pretrain, threads)',
    )
    .option(
      '--set <key=value>',
      'override a field, e.g. organism.world.people=300 or organism.pretrain.epochs=20 (repeatable)',
      collect,
      [],
    )
    .option('--force', 'pretrain again even when cached')
    .option('--json', 'print the result as JSON')
    .option('--quiet', 'no progress bar')
    .action(
      async (flags: {
        config?: string;
        set: string[];
        force?: boolean;
        json?: boolean;
        quiet?: boolean;
      }) => {
        const cfg = await loadRunConfig({
          ...(flags.config ? { file: flags.config } : {}),
          preset: DEMO_TRAIN_PRESET,
          overrides: flags.set,
        });
        const log = (l: string) => process.stderr.write(`${l}\n`);
        const m = await ensurePretrained(cfg.organism, {
          quiet: flags.quiet ?? false,
          force: flags.force ?? false,
          log,
          ...(cfg.train.worker.python ? { python: cfg.train.worker.python } : {}),
        });
        if (flags.json)
          process.stdout.write(
            `${JSON.stringify({ path: m.path, cached: m.cached, ...m.meta }, null, 2)}\n`,
          );
        else
          process.stdout.write(
            `${m.cached ? 'cached' : 'pretrained'} ${m.path}\n${m.meta.parameters} parameters, vocabulary ${m.meta.vocabSize}, ${m.meta.documents} documents, final loss ${m.meta.epochLosses.at(-1)?.toFixed(4)}, ${m.meta.seconds.toFixed(1)} s\n`,
          );
      },
    );
}
