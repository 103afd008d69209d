/**
 * `factrecall data prepare` and `factrecall data report`: deduplicated train/val/test splits
 * with a manifest (env/splits). `data fetch` / `data stats` live in data.ts, in the same group.
 */
import type { Command } from 'commander';
import { parseProportions } from '../../env/splits/assign.ts';
import { splitsError } from '../../env/splits/errors.ts';
import { DEFAULT_HEURISTIC_THRESHOLDS } from '../../env/splits/heuristic-decider.ts';
import { configuredLlm, LlmDecider } from '../../env/splits/llm-decider.ts';
import { type DeciderFactory, heuristicDecider } from '../../env/splits/prepare.ts';
import { PREPARE_DEFAULTS, prepareDataset } from '../../env/splits/prepare-dataset.ts';
import { datasetReport, defaultReportDirs, formatReport } from '../../env/splits/report.ts';
import { DATASET_NAMES, type DatasetName } from '../../env/types.ts';
import { numberFlag } from '../number-flag.ts';
import { commandGroup } from './group.ts';

interface PrepareCliOptions {
  dataset: string;
  train?: string;
  eval?: string;
  out?: string;
  seed: string;
  trainSize: string;
  valSize: string;
  proportions?: string;
  topK: string;
  answerK: string;
  concurrency: string;
  decider: string;
  llmBaseUrl?: string;
  llmModel?: string;
  llmTimeoutMs?: string;
  llmCache?: string;
  similarity: string;
  nearDuplicate: string;
  skipBadRows?: boolean;
  popqaCopy?: string;
  people?: string;
  quiet?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  const data = commandGroup(program, 'data', 'datasets: fetch, inspect, split and deduplicate');

  data
    .command('prepare')
    .description(
      'write train/val/test JSON lines, train deduplicated against val and test, and a manifest (sha256 of every file, seed, dedup summary per held-out split, decider)',
    )
    .requiredOption('--dataset <name>', `one of ${DATASET_NAMES.join(', ')}`)
    .option(
      '--train <file>',
      'official train file: sample train and val from it (NQ-open, TriviaQA)',
    )
    .option('--eval <file>', 'evaluation file (default: the shared real file for the dataset)')
    .option('--out <dir>', 'output directory (default: <cache>/prepared/<dataset>)')
    .option('--seed <n>', 'seed of every random choice', String(PREPARE_DEFAULTS.seed))
    .option(
      '--train-size <n>',
      'train questions sampled from --train',
      String(PREPARE_DEFAULTS.trainSize),
    )
    .option(
      '--val-size <n>',
      'val questions sampled from the rest of --train',
      String(PREPARE_DEFAULTS.valSize),
    )
    .option(
      '--proportions <train,val,test>',
      'partition of the eval file when there is no --train (default 0.7,0.05,0.25)',
    )
    .option(
      '--top-k <n>',
      'lexical (BM25) candidates per held-out (val or test) question',
      String(PREPARE_DEFAULTS.topK),
    )
    .option(
      '--answer-k <n>',
      'answer-sharing candidates per held-out (val or test) question',
      String(PREPARE_DEFAULTS.answerK),
    )
    .option(
      '--concurrency <n>',
      'containment decisions in flight',
      String(PREPARE_DEFAULTS.concurrency),
    )
    .option(
      '--decider <kind>',
      'auto (llm when configured, else heuristic), llm or heuristic',
      'auto',
    )
    .option(
      '--llm-base-url <url>',
      'OpenAI-compatible endpoint for the llm decider (default OPENAI_BASE_URL)',
    )
    .option(
      '--llm-model <name>',
      'model for the llm decider (default FACTRECALL_DEDUP_MODEL or FACTRECALL_JUDGE_MODEL)',
    )
    .option('--llm-timeout-ms <n>', 'per-request timeout of the llm decider')
    .option('--llm-cache <file>', "llm decision cache (SQLite), or 'none'")
    .option(
      '--similarity <x>',
      'heuristic: similarity needed with a shared answer',
      String(DEFAULT_HEURISTIC_THRESHOLDS.similarity),
    )
    .option(
      '--near-duplicate <x>',
      'heuristic: word overlap that makes a near-duplicate question',
      String(DEFAULT_HEURISTIC_THRESHOLDS.nearDuplicate),
    )
    .option(
      '--skip-bad-rows',
      'record and skip rows that fail to load instead of refusing the file',
    )
    .option(
      '--popqa-copy <copy>',
      'PopQA shared copy without --eval: corver (all rows) or hipporag',
    )
    .option('--people <n>', 'FactWorld: number of people in the generated world')
    .option('--quiet', 'no progress output')
    .option('--json', 'print the manifest as JSON')
    .action(async (o: PrepareCliOptions) => {
      const dataset = parseDataset(o.dataset);
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once('SIGINT', onSigint);
      try {
        const result = await prepareDataset({
          dataset,
          ...(o.train ? { trainFile: o.train } : {}),
          ...(o.eval ? { evalFile: o.eval } : {}),
          ...(o.out ? { outDir: o.out } : {}),
          seed: int('--seed', o.seed, -(2 ** 31)),
          trainSize: int('--train-size', o.trainSize),
          valSize: int('--val-size', o.valSize),
          ...(o.proportions ? { proportions: parseProportions(o.proportions) } : {}),
          topK: int('--top-k', o.topK),
          answerK: int('--answer-k', o.answerK),
          concurrency: int('--concurrency', o.concurrency, 1),
          decider: deciderFrom(o),
          ...(o.skipBadRows ? { skipBadRows: true } : {}),
          ...(o.popqaCopy ? { popqaCopy: parsePopqaCopy(o.popqaCopy) } : {}),
          ...(o.people ? { factworld: { people: int('--people', o.people, 1) } } : {}),
          signal: controller.signal,
          quiet: o.quiet ?? false,
        });
        if (o.json) {
          process.stdout.write(`${JSON.stringify(result.manifest, null, 2)}\n`);
          return;
        }
        const m = result.manifest;
        const s = m.dedup.summary;
        process.stdout.write(
          [
            `${m.dataset} (${m.mode}, seed ${m.seed}) -> ${result.outDir}`,
            `  train ${m.splits.train.count} (of ${s.trainBefore}; ${s.removedTrain} removed by ${m.dedup.decider.kind} dedup: ${s.heldOut.test.removedTrain} because of test, ${s.heldOut.val.removedTrain} because of val, ${s.removedTrainByBoth} of them both)`,
            ...(['val', 'test'] as const).map(
              (k) =>
                `  ${k.padEnd(5)} ${m.splits[k].count} (${s.heldOut[k].candidatePairs} candidate pairs, ${s.heldOut[k].containedPairs} contained, ${s.heldOut[k].withContained} ${k} questions had a contained train item)`,
            ),
            `  ${m.dedup.scope}`,
            `  manifest ${m.hash}`,
            `  ${(result.elapsedMs / 1000).toFixed(1)} s (retrieval ${(result.dedup.run.retrievalMs / 1000).toFixed(1)} s, ${result.dedup.run.fromLog} decisions resumed from the log)`,
            m.dedup.decider.kind === 'heuristic' ? `  note: ${m.dedup.note}` : '',
          ]
            .filter(Boolean)
            .join('\n') + '\n',
        );
      } finally {
        process.off('SIGINT', onSigint);
      }
    });

  data
    .command('report')
    .description('per prepared dataset: counts before and after dedup, removed pairs, time taken')
    .option(
      '--dir <dirs...>',
      'prepared directories (default: every dataset under <cache>/prepared)',
    )
    .option('--examples <n>', 'removed pairs shown per dataset', '3')
    .option('--json', 'print JSON')
    .action(async (o: { dir?: string[]; examples: string; json?: boolean }) => {
      const dirs = o.dir ?? defaultReportDirs();
      const examples = int('--examples', o.examples);
      const reports = [];
      for (const d of dirs) reports.push(await datasetReport(d, examples));
      if (o.json) process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
      else process.stdout.write(formatReport(reports));
    });
}

function deciderFrom(o: PrepareCliOptions): DeciderFactory {
  const llmOpts = {
    ...(o.llmBaseUrl ? { baseURL: o.llmBaseUrl } : {}),
    ...(o.llmModel ? { model: o.llmModel } : {}),
  };
  const kind = o.decider;
  if (kind !== 'auto' && kind !== 'llm' && kind !== 'heuristic') {
    throw splitsError(
      'FR_ERR_SPLITS_INVALID_OPTIONS',
      `--decider ${kind}: use auto, llm or heuristic`,
    );
  }
  if (kind === 'llm' || (kind === 'auto' && configuredLlm(llmOpts))) {
    const decider = new LlmDecider({
      ...llmOpts,
      concurrency: int('--concurrency', o.concurrency, 1),
      ...(o.llmTimeoutMs ? { timeoutMs: int('--llm-timeout-ms', o.llmTimeoutMs, 1) } : {}),
      ...(o.llmCache ? { cachePath: o.llmCache === 'none' ? null : o.llmCache } : {}),
    });
    return () => decider;
  }
  return heuristicDecider({
    similarity: num('--similarity', o.similarity),
    nearDuplicate: num('--near-duplicate', o.nearDuplicate),
  });
}

function parseDataset(name: string): DatasetName {
  if (!(DATASET_NAMES as readonly string[]).includes(name)) {
    throw splitsError(
      'FR_ERR_SPLITS_INVALID_OPTIONS',
      `--dataset ${name}: use one of ${DATASET_NAMES.join(', ')}`,
    );
  }
  return name as DatasetName;
}

function parsePopqaCopy(copy: string): 'corver' | 'hipporag' {
  if (copy !== 'corver' && copy !== 'hipporag') {
    throw splitsError(
      'FR_ERR_SPLITS_INVALID_OPTIONS',
      `--popqa-copy ${copy}: use corver or hipporag`,
    );
  }
  return copy;
}

const badOption = (detail: string) => splitsError('FR_ERR_SPLITS_INVALID_OPTIONS', detail);

function int(flag: string, text: string, min = 0): number {
  return numberFlag(flag, text, badOption, { min });
}

function num(flag: string, text: string): number {
  return numberFlag(flag, text, badOption, { integer: false });
}
