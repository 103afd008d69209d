/**
 * Format detection from a file's name and first bytes, for when the caller does not say.
 * Content wins over the name; the name only breaks ties (a `.jsonl` that is JSON Lines).
 */
import { basename } from 'node:path';
import type { DatasetName } from '../types.ts';
import { isSimpleqaHeader } from './formats/simpleqa.ts';
import type { FormatName } from './records.ts';

/** The dataset each text format belongs to (parquet says it with its columns). */
export const DATASET_OF_FORMAT: Record<Exclude<FormatName, 'hf_parquet'>, DatasetName> = {
  nq_open_jsonl: 'nq_open',
  triviaqa_json: 'triviaqa',
  triviaqa_dpr_tsv: 'triviaqa',
  popqa_tsv: 'popqa',
  popqa_hipporag_json: 'popqa',
  popqa_corver_json: 'popqa',
  simpleqa_csv: 'simpleqa',
};

const PARQUET_MAGIC = 'PAR1';

export function looksLikeParquet(path: string, head: Uint8Array): boolean {
  return (
    path.endsWith('.parquet') ||
    Buffer.from(head.subarray(0, 4)).toString('latin1') === PARQUET_MAGIC
  );
}

/** The format of a text file, or undefined when nothing fits. `text` may be just its head. */
export function detectTextFormat(path: string, text: string): FormatName | undefined {
  const body = text.replace(/^\uFEFF/, '');
  const firstLine = (body.split('\n', 1)[0] ?? '').replace(/\r$/, '');
  const trimmed = body.trimStart();
  const name = basename(path).toLowerCase();

  if (trimmed.startsWith('[')) {
    // The first object's keys tell the two PopQA JSON copies apart.
    const head = trimmed.slice(0, 20_000);
    if (/"possible_answers"\s*:/.test(head)) return 'popqa_hipporag_json';
    if (/"aliases"\s*:/.test(head) && /"question"\s*:/.test(head)) return 'popqa_corver_json';
    return undefined;
  }
  if (trimmed.startsWith('{')) {
    if (/^\s*\{\s*"(Data|Domain|Split|Version|VerifiedEval)"\s*:/.test(trimmed)) {
      return 'triviaqa_json';
    }
    if (/"Data"\s*:\s*\[/.test(trimmed.slice(0, 2000))) return 'triviaqa_json';
    if (/"question"\s*:/.test(firstLine) && /"answer"\s*:/.test(firstLine)) return 'nq_open_jsonl';
    if (name.endsWith('.jsonl')) return 'nq_open_jsonl';
    return undefined;
  }
  const commaFields = firstLine.split(',');
  if (isSimpleqaHeader(commaFields)) return 'simpleqa_csv';
  const tabFields = firstLine.split('\t');
  if (tabFields.includes('question') && tabFields.includes('possible_answers')) return 'popqa_tsv';
  if (tabFields.length >= 2 && /^"?[[(]/.test(tabFields[tabFields.length - 1] ?? '')) {
    return 'triviaqa_dpr_tsv';
  }
  return undefined;
}
