/**
 * `factrecall train`: GRPO with the bundled agent. The env is a server at `env.url`, or one
 * started on loopback for the run; the policy is the tiny model pretrained on FactWorld
 * (cached). SIGINT writes a checkpoint and stops; `--resume` continues from it.
 */
import type { Command } from 'commander';
import { runFactWorldGrpo } from '../../cuda-agent/coordinator/organism/factworld-run.ts';
import { DEMO_TRAIN_PRESET } from '../../cuda-agent/coordinator/organism/organism-config.ts';
import { loadRunConfig } from '../../cuda-agent/coordinator/organism/run-config.ts';
import { trainError } from '../../cuda-agent/coordinator/training/errors.ts';

/** First SIGINT asks for a checkpoint and a clean stop; a second one exits at once. */
export function installStopOnSigint(log: (l: string) => void): {
  shouldStop: () => boolean;
  dispose: () => void;
} {
  let stop = false;
  const handler = () => {
    if (stop) process.exit(130);
    stop = true;
    log('SIGINT: writing a checkpoint after this step (press Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', handler);
  return { shouldStop: () => stop, dispose: () => process.off('SIGINT', handler) };
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function register(program: Command): void {
  program
    .command('train')
    .description(
      'Train the bundled GRPO agent on FactRecall-v0 (FactWorld with a tiny pretrained model) and write runs/<id>/',
    )
    .option(
      '-c, --config <file>',
      'JSON run config: training fields (see cuda-agent/coordinator/training/config.ts) plus an optional "organism" section',
    )
    .option(
      '--set <key=value>',
      'override one config field, e.g. grpo.lr=1e-5 or organism.world.people=300 (repeatable)',
      collect,
      [],
    )
    .option('--run-id <id>', 'run folder name under runsDir (default: a timestamp)')
    .option('--resume', 'continue the run --run-id from its latest checkpoint')
    .option(
      '--paper-defaults',
      'start from the paper defaults (lr 1e-6, 128 x 5, ...) instead of the FactWorld demo preset',
    )
    .option('--quiet', 'no progress bars')
    .action(
      async (flags: {
        config?: string;
        set: string[];
        runId?: string;
        resume?: boolean;
        paperDefaults?: boolean;
        quiet?: boolean;
      }) => {
        const overrides = [...flags.set, ...(flags.runId ? [`runId=${flags.runId}`] : [])];
        const cfg = await loadRunConfig({
          ...(flags.config ? { file: flags.config } : {}),
          ...(flags.paperDefaults ? {} : { preset: DEMO_TRAIN_PRESET }),
          overrides,
        });
        if (cfg.train.env.dataset !== 'factworld')
          throw trainError(
            'FR_ERR_TRAIN_CONFIG_INVALID',
            `env.dataset ${cfg.train.env.dataset}: the bundled worker has only the tiny engine, whose word-level model is pretrained on FactWorld; real datasets need a Hugging Face engine`,
          );
        if (flags.resume && !cfg.train.runId)
          throw trainError('FR_ERR_TRAIN_CONFIG_INVALID', '--resume needs --run-id');
        const log = (l: string) => process.stderr.write(`${l}\n`);
        const sig = installStopOnSigint(log);
        try {
          const r = await runFactWorldGrpo({
            train: cfg.train,
            organism: cfg.organism,
            ...(flags.resume ? { resume: true } : {}),
            quiet: flags.quiet ?? false,
            log,
            shouldStop: sig.shouldStop,
          });
          process.stdout.write(`report: ${r.reportPath}\n`);
        } finally {
          sig.dispose();
        }
      },
    );
}
