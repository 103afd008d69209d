/**
 * `factrecall train`: GRPO with the bundled agent. The env is a server at `env.url`, or one
 * started on loopback for the run. Without `--model` the policy is the tiny model pretrained on
 * FactWorld (cached); with `--model <smollm2 | dir | hub id | file.gguf>` it is that language
 * model on the `hf` engine, trained on prepared splits (`--splits`, `factrecall data prepare`)
 * with the reward of `--judge`. SIGINT writes a checkpoint and stops; `--resume` continues.
 */
import type { Command } from 'commander';
import { runFactWorldGrpo } from '../../cuda-agent/coordinator/organism/factworld-run.ts';
import { DEMO_TRAIN_PRESET } from '../../cuda-agent/coordinator/organism/organism-config.ts';
import { loadRunConfig } from '../../cuda-agent/coordinator/organism/run-config.ts';
import { runHfGrpo } from '../../cuda-agent/coordinator/real-model/hf-run.ts';
import { trainError } from '../../cuda-agent/coordinator/training/errors.ts';
import { shellQuote } from '../../lib/shell-quote.ts';
import { type RealModelFlags, realModelConfig } from './real-model-config.ts';

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
      'Train the bundled GRPO agent on FactRecall-v0 and write runs/<id>/: FactWorld with a tiny pretrained model, or --model (a real LLM) on --splits',
    )
    .option(
      '--model <name|dir|id|file.gguf>',
      'a real language model on the hf engine: a registry name (smollm2, fetched), a model directory, a GGUF file or a Hugging Face id',
    )
    .option(
      '--splits <name|dir>',
      'with --model: prepared splits to train on (factrecall data prepare), e.g. triviaqa',
    )
    .option('--judge <spec>', 'with --model: the reward judge (env.judge), e.g. contains')
    .option(
      '--beside-judge <spec>',
      'with --model: a second judge reported beside the reward on the same greedy answers',
      'exact',
    )
    .option(
      '--preset <name>',
      'with --model: paper (the defaults) or cpu (a small CPU run)',
      'paper',
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
        model?: string;
        splits?: string;
        judge?: string;
        besideJudge: string;
        preset: string;
      }) => {
        const overrides = [...flags.set, ...(flags.runId ? [`runId=${flags.runId}`] : [])];
        if (flags.model !== undefined || flags.splits !== undefined) {
          await trainRealModel(flags, overrides);
          return;
        }
        const cfg = await loadRunConfig({
          ...(flags.config ? { file: flags.config } : {}),
          ...(flags.paperDefaults ? {} : { preset: DEMO_TRAIN_PRESET }),
          overrides,
        });
        if (cfg.train.env.dataset !== 'factworld')
          throw trainError(
            'FR_ERR_TRAIN_CONFIG_INVALID',
            `env.dataset ${cfg.train.env.dataset}: the tiny engine's word-level model is pretrained on FactWorld; train a real model on real data with --model <smollm2|dir|id|file.gguf> --splits <prepared>`,
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

/** `train --model`: GRPO on a real language model over prepared splits (real-model/hf-run.ts). */
async function trainRealModel(
  flags: RealModelFlags & { resume?: boolean; besideJudge: string },
  overrides: string[],
): Promise<void> {
  const cfg = await realModelConfig(flags, overrides);
  if (flags.resume && !cfg.runId)
    throw trainError('FR_ERR_TRAIN_CONFIG_INVALID', '--resume needs --run-id');
  const log = (l: string) => process.stderr.write(`${l}\n`);
  const sig = installStopOnSigint(log);
  try {
    const r = await runHfGrpo({
      train: cfg,
      ...(flags.resume ? { resume: true } : {}),
      log,
      shouldStop: sig.shouldStop,
      besideJudge: flags.besideJudge,
      command: shellQuote(['factrecall', ...process.argv.slice(2)]),
    });
    process.stdout.write(`report: ${r.reportPath}\n`);
  } finally {
    sig.dispose();
  }
}
