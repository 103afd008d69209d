/**
 * Where each dataset lives on the public internet, with what we know about each file.
 *
 * Every file also has a `mirrorPath` (`<dataset>/<file>`): with a mirror base URL
 * (`--base-url`, FACTRECALL_DATA_MIRROR) the file is fetched from `<base>/<mirrorPath>`
 * instead of its home, so a mirror needs only that one layout. The cache uses the same path
 * under cacheDir('datasets').
 *
 * Checksums: `sha256` and git's blob SHA-1 (`git hash-object`) where a copy was verified
 * (../shared/datasets/README.md). A file with neither is checked against the sha256 recorded
 * when it was first fetched.
 *
 * Hugging Face files come from the hub's parquet conversion branch (`refs/convert/parquet`,
 * `<config>/<split>/0000.parquet`); large splits may have more shards than the one listed.
 */
import type { DatasetName } from '../../types.ts';
import { datasetError } from '../errors.ts';
import type { FormatName } from '../records.ts';

export interface SourceFile {
  /** Name of this file within the dataset (`dev`, `train`, `hf-validation`...). */
  part: string;
  /** Its public home. */
  url: string;
  /** `<dataset>/<file name>`: the path under a mirror and under the cache. */
  mirrorPath: string;
  format: FormatName;
  /** Fetched by `factrecall data fetch <name>` when no part is named. */
  default: boolean;
  sha256?: string;
  /** `git hash-object` of the file, for copies known only by their git blob. */
  gitBlobSha1?: string;
  bytes?: number;
  /** Rows when the file is complete, where known. */
  rows?: number;
  description: string;
}

export interface DatasetSources {
  dataset: Exclude<DatasetName, 'factworld'>;
  license: string;
  files: SourceFile[];
}

const GITHUB_RAW = 'https://raw.githubusercontent.com';
const HF = 'https://huggingface.co/datasets';
const HF_PARQUET = 'resolve/refs%2Fconvert%2Fparquet';

export const DATASET_SOURCES: Record<Exclude<DatasetName, 'factworld'>, DatasetSources> = {
  nq_open: {
    dataset: 'nq_open',
    license: 'CC BY-SA 3.0',
    files: [
      {
        part: 'dev',
        url: `${GITHUB_RAW}/google-research-datasets/natural-questions/master/nq_open/NQ-open.dev.jsonl`,
        mirrorPath: 'nq_open/NQ-open.dev.jsonl',
        format: 'nq_open_jsonl',
        default: true,
        sha256: 'f15567f38099f3615f5b8a685c0aef449c11ad90d3da3735e8d1b98115b40616',
        gitBlobSha1: '18e80da5a6cf5e0a9274bb843c18128ff9882ffd',
        bytes: 391_316,
        rows: 3610,
        description: 'NQ-open dev split (the usual test set of open-domain NQ)',
      },
      {
        part: 'train',
        url: `${GITHUB_RAW}/google-research-datasets/natural-questions/master/nq_open/NQ-open.train.jsonl`,
        mirrorPath: 'nq_open/NQ-open.train.jsonl',
        format: 'nq_open_jsonl',
        default: true,
        rows: 87_925,
        description: 'NQ-open train split',
      },
      {
        part: 'hf-validation',
        url: `${HF}/google-research-datasets/nq_open/${HF_PARQUET}/nq_open/validation/0000.parquet`,
        mirrorPath: 'nq_open/hf-validation.parquet',
        format: 'hf_parquet',
        default: false,
        rows: 3610,
        description: 'the dev split as Hugging Face parquet',
      },
    ],
  },
  triviaqa: {
    dataset: 'triviaqa',
    license: 'Apache-2.0',
    files: [
      {
        part: 'validation',
        url: `${HF}/mandarjoshi90/trivia_qa/${HF_PARQUET}/rc.nocontext/validation/0000.parquet`,
        mirrorPath: 'triviaqa/rc.nocontext-validation.parquet',
        format: 'hf_parquet',
        default: true,
        rows: 17_944,
        description: 'TriviaQA rc.nocontext validation (Hugging Face parquet)',
      },
      {
        part: 'train',
        url: `${HF}/mandarjoshi90/trivia_qa/${HF_PARQUET}/rc.nocontext/train/0000.parquet`,
        mirrorPath: 'triviaqa/rc.nocontext-train.parquet',
        format: 'hf_parquet',
        default: true,
        rows: 138_384,
        description: 'TriviaQA rc.nocontext train (Hugging Face parquet)',
      },
      {
        part: 'unfiltered-validation',
        url: `${HF}/mandarjoshi90/trivia_qa/${HF_PARQUET}/unfiltered.nocontext/validation/0000.parquet`,
        mirrorPath: 'triviaqa/unfiltered.nocontext-validation.parquet',
        format: 'hf_parquet',
        default: false,
        rows: 11_313,
        description: 'TriviaQA unfiltered validation: the open-domain test set (parquet)',
      },
      {
        part: 'dpr-test',
        url: `${GITHUB_RAW}/castorini/anserini-tools/master/topics/topics.dpr.trivia.test.txt`,
        mirrorPath: 'triviaqa/topics.dpr.trivia.test.txt',
        format: 'triviaqa_dpr_tsv',
        default: false,
        sha256: '041ed9ddd2977c7fe452d290cf60e1f7e0a803977b0f912e234d218261c10e57',
        gitBlobSha1: '1a86ddbd8662c1ed504dff8fb99bb24cf3657d29',
        bytes: 4_098_200,
        rows: 11_313,
        description: "the open-domain test set in DPR's tab-separated form (anserini topics)",
      },
    ],
  },
  popqa: {
    dataset: 'popqa',
    license: 'MIT',
    files: [
      {
        part: 'test',
        url: `${GITHUB_RAW}/AlexTMallen/adaptive-retrieval/main/data/popQA.tsv`,
        mirrorPath: 'popqa/popQA.tsv',
        format: 'popqa_tsv',
        default: true,
        gitBlobSha1: '0ad1a9bbe0c198f511131c011d71dacefee41001',
        rows: 14_267,
        description: 'PopQA, all 17 columns (original TSV)',
      },
      {
        part: 'hf-test',
        url: `${HF}/akariasai/PopQA/${HF_PARQUET}/default/test/0000.parquet`,
        mirrorPath: 'popqa/hf-test.parquet',
        format: 'hf_parquet',
        default: false,
        rows: 14_267,
        description: 'PopQA as Hugging Face parquet',
      },
    ],
  },
  simpleqa: {
    dataset: 'simpleqa',
    license: 'MIT',
    files: [
      {
        part: 'test',
        url: 'https://openaipublic.blob.core.windows.net/simple-evals/simple_qa_test_set.csv',
        mirrorPath: 'simpleqa/simple_qa_test_set.csv',
        format: 'simpleqa_csv',
        default: true,
        sha256: 'feee3f7e7db3617e94e8fcf1977b756ec420ef8568f4e0fcbbe0e92e9d5fc032',
        gitBlobSha1: '61991b8e6b4a612af48cf6451ffaad2e23a77e04',
        bytes: 2_012_910,
        rows: 4326,
        description: 'SimpleQA test set (OpenAI simple-evals)',
      },
    ],
  },
};

/** The files to fetch for `name`: the named parts, or the default ones. */
export function selectSources(name: string, parts?: readonly string[]): SourceFile[] {
  const sources = (DATASET_SOURCES as Record<string, DatasetSources | undefined>)[name];
  if (!sources) {
    throw datasetError(
      'FR_ERR_DATASET_NO_SOURCE',
      `${name} (datasets with sources: ${Object.keys(DATASET_SOURCES).join(', ')}; FactWorld is generated, not fetched)`,
    );
  }
  if (!parts || parts.length === 0) return sources.files.filter((f) => f.default);
  return parts.map((part) => {
    const file = sources.files.find((f) => f.part === part);
    if (!file) {
      throw datasetError(
        'FR_ERR_DATASET_NO_SOURCE',
        `${name} has no part ${part} (parts: ${sources.files.map((f) => f.part).join(', ')})`,
      );
    }
    return file;
  });
}

/** The URL to fetch: the mirror's copy when a base URL is set, else the file's home. */
export function sourceUrl(file: SourceFile, baseUrl?: string): string {
  if (!baseUrl) return file.url;
  return `${baseUrl.replace(/\/+$/, '')}/${file.mirrorPath}`;
}
