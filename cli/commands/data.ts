/**
 * `factrecall data fetch <name>`: download a dataset's files into the cache (resumable,
 * verified), then load each to report its rows.
 * `factrecall data stats <name|file>`: load a dataset file and print its statistics.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { datasetError } from '../../env/datasets/errors.ts';
import {
  cachedPath,
  DATASET_SOURCES,
  datasetStats,
  type FetchedFile,
  FORMAT_NAMES,
  type FormatName,
  fetchDataset,
  formatDatasetStats,
  type LoadOptions,
  type LoadResult,
  loadDatasetFile,
  type ProgressCallback,
  selectSources,
  sharedDatasetPath,
} from '../../env/datasets/index.ts';
import { DATASET_NAMES, type DatasetName } from '../../env/types.ts';
import { type Progress, progress } from '../../lib/progress.ts';
import { numberFlag } from '../number-flag.ts';
import { commandGroup } from './group.ts';

const badOption = (detail: string) => datasetError('FR_ERR_DATASET_BAD_OPTION', detail);

/** Files with at least this many rows show a progress bar while loading. */
const PROGRESS_FROM_ROWS = 20_000;

/** A loader progress callback that shows a bar once it knows the file is big. */
function rowProgress(
  label: string,
  quiet: boolean,
): { onProgress: ProgressCallback; stop(): void } {
  let bar: Progress | undefined;
  let last = 0;
  return {
    onProgress(done, total) {
      if (quiet || total < PROGRESS_FROM_ROWS) return;
      bar ??= progress(label, total);
      bar.tick(done - last);
      last = done;
    },
    stop: () => bar?.stop(),
  };
}

function isDatasetName(name: string): name is Exclude<DatasetName, 'factworld'> {
  return (DATASET_NAMES as readonly string[]).includes(name) && name !== 'factworld';
}

export interface StatsOptions {
  format?: string;
  dataset?: string;
  popqaCopy?: 'corver' | 'hipporag';
  errors?: string;
  json?: boolean;
  quiet?: boolean;
}

/**
 * The file `data stats` reads for a target: a path as given; for a dataset name its shared
 * real file, else its first cached download.
 */
export function resolveStatsTarget(
  target: string,
  opts: Pick<StatsOptions, 'popqaCopy'> = {},
): string {
  if (!isDatasetName(target)) return target;
  const shared = sharedDatasetPath(target, opts.popqaCopy ? { popqaCopy: opts.popqaCopy } : {});
  if (existsSync(shared)) return shared;
  const cached = DATASET_SOURCES[target].files.map((f) => cachedPath(f)).find((p) => existsSync(p));
  if (cached) return cached;
  throw datasetError(
    'FR_ERR_DATASET_FILE_NOT_FOUND',
    `${target}: no shared copy at ${shared} and nothing cached; run \`factrecall data fetch ${target}\``,
  );
}

/** Load with a progress bar for big files; returns the result and the load time. */
async function loadWithProgress(
  path: string,
  opts: LoadOptions,
  quiet: boolean,
): Promise<{ result: LoadResult; ms: number }> {
  const bar = rowProgress(`loading ${path}`, quiet);
  const start = performance.now();
  try {
    const result = await loadDatasetFile(path, { ...opts, onProgress: bar.onProgress });
    return { result, ms: performance.now() - start };
  } finally {
    bar.stop();
  }
}

export async function runDataStats(target: string, opts: StatsOptions = {}): Promise<string> {
  if (opts.format !== undefined && !(FORMAT_NAMES as readonly string[]).includes(opts.format)) {
    throw datasetError(
      'FR_ERR_DATASET_UNKNOWN_FORMAT',
      `${opts.format} (known: ${FORMAT_NAMES.join(', ')})`,
    );
  }
  if (opts.dataset !== undefined && !isDatasetName(opts.dataset)) {
    throw datasetError('FR_ERR_DATASET_UNKNOWN_NAME', opts.dataset);
  }
  const maxErrors =
    opts.errors === undefined ? 10 : numberFlag('--errors', opts.errors, badOption, { min: 0 });
  const path = resolveStatsTarget(target, opts);
  const loadOpts: LoadOptions = {};
  if (opts.format) loadOpts.format = opts.format as FormatName;
  if (opts.dataset) loadOpts.dataset = opts.dataset as DatasetName;
  else if (isDatasetName(target)) loadOpts.dataset = target;
  const { result, ms } = await loadWithProgress(path, loadOpts, opts.quiet ?? false);
  const stats = datasetStats(result, { maxErrors });
  return opts.json
    ? `${JSON.stringify({ ...stats, loadMs: Math.round(ms) }, null, 1)}\n`
    : formatDatasetStats(stats, ms);
}

export interface FetchCliOptions {
  part?: string[];
  baseUrl?: string;
  force?: boolean;
  retries?: string;
  check?: boolean;
  quiet?: boolean;
}

export interface FetchReport {
  /** One paragraph per file: where it is, how it was verified, and its rows when checked. */
  text: string;
  /** Files that could not be fetched (the others were still fetched and reported). */
  failures: Array<{ part: string; error: unknown }>;
}

/** Fetch each selected file in turn; one file's failure does not stop the others. */
export async function runDataFetch(name: string, opts: FetchCliOptions = {}): Promise<FetchReport> {
  const files = selectSources(name, opts.part);
  const retries =
    opts.retries === undefined
      ? undefined
      : numberFlag('--retries', opts.retries, badOption, { min: 0 });
  const paragraphs: string[] = [];
  const failures: FetchReport['failures'] = [];
  for (const source of files) {
    let bar: { bar: Progress; last: number } | undefined;
    let fetched: FetchedFile;
    try {
      [fetched] = (await fetchDataset(name, {
        parts: [source.part],
        ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}),
        ...(opts.force ? { force: true } : {}),
        ...(retries !== undefined ? { retries } : {}),
        onRetry: (attempt, reason, waitMs) => {
          if (!opts.quiet) {
            process.stderr.write(`retry ${attempt} in ${Math.round(waitMs)} ms: ${reason}\n`);
          }
        },
        onProgress: (file, bytes, total) => {
          if (opts.quiet || total === undefined) return;
          bar ??= { bar: progress(`${name}/${file.part} bytes`, total), last: 0 };
          bar.bar.tick(bytes - bar.last);
          bar.last = bytes;
        },
      })) as [FetchedFile];
    } catch (error) {
      failures.push({ part: source.part, error });
      paragraphs.push(`${name}/${source.part}: FAILED: ${(error as Error).message}`);
      continue;
    } finally {
      bar?.bar.stop();
    }
    const f = fetched;
    const how =
      f.checksums.verified === 'recorded'
        ? 'no known checksum: recorded'
        : `verified by ${f.checksums.verified}`;
    let text = `${name}/${f.part}: ${f.status} ${f.path} (${f.checksums.bytes} bytes, sha256 ${f.checksums.sha256.slice(0, 12)}…, ${how})`;
    if (opts.check !== false) {
      const { result, ms } = await loadWithProgress(
        f.path,
        { format: f.format, dataset: name as DatasetName },
        opts.quiet ?? false,
      );
      text += `\n  ${result.records.length} rows loaded, ${result.errors.length} malformed, in ${ms.toFixed(0)} ms`;
      if (source.rows !== undefined && result.rowsRead !== source.rows) {
        text += ` (the complete file has ${source.rows} rows)`;
      }
      for (const e of result.errors.slice(0, 5)) {
        text += `\n    line ${e.line} (row ${e.row}): ${e.code}: ${e.message}`;
      }
    }
    paragraphs.push(text);
  }
  return { text: `${paragraphs.join('\n')}\n`, failures };
}

export function register(program: Command): void {
  const data = commandGroup(program, 'data', 'Real datasets: download, load and inspect');
  data
    .command('fetch')
    .description(
      `Download a dataset (${Object.keys(DATASET_SOURCES).join(', ')}) into the cache: resumable, retried, checksum-verified; then load it and report its rows`,
    )
    .argument('<name>', 'dataset name')
    .option(
      '--part <parts...>',
      "which files (e.g. dev train); default: the dataset's default parts",
    )
    .option(
      '--base-url <url>',
      'fetch from this mirror (<url>/<dataset>/<file>) instead of the public hosts (default: FACTRECALL_DATA_MIRROR)',
    )
    .option('--force', 'download again even when a verified copy is cached')
    .option('--retries <n>', 'retries per file after the first attempt (default 5)')
    .option('--no-check', 'do not load the files after downloading')
    .option('--quiet', 'no progress bars')
    .action(async (name: string, opts: FetchCliOptions) => {
      const report = await runDataFetch(name, opts);
      process.stdout.write(report.text);
      // The first failure becomes the command's error (exit code 2, `error FR_ERR_...`).
      if (report.failures[0]) throw report.failures[0].error;
    });
  data
    .command('stats')
    .description(
      'Load a dataset file (or the real/cached file of a dataset name) and print rows, malformed rows with their lines, answers per question, question length and duplicate questions',
    )
    .argument(
      '<target>',
      `a dataset name (${DATASET_NAMES.filter((d) => d !== 'factworld').join(', ')}) or a file path`,
    )
    .option(
      '--format <format>',
      `read the file as this format (${FORMAT_NAMES.join(', ')}); default: detected`,
    )
    .option('--dataset <name>', 'label the records with this dataset (default: from the format)')
    .option(
      '--popqa-copy <copy>',
      'for popqa: corver (14,267 rows, default) or hipporag (1,000 rows, all columns)',
    )
    .option('--errors <n>', 'how many malformed rows to list (default 10)')
    .option('--json', 'print the stats as JSON')
    .option('--quiet', 'no progress bar')
    .action(async (target: string, opts: StatsOptions) => {
      process.stdout.write(await runDataStats(target, opts));
    });
}
