/**
 * Questions of a split as rows for trainers that own their data (TRL datasets, verl parquet):
 * the env's own question ids and rendered prompts, so a trainer's completions map back to env
 * episodes (protocol `reset.questionIds`) and are judged by the server. Gold answers go with
 * the train split only; val rows carry none (scoring goes through the server), and the test
 * split is not exported at all (it is the eval role's).
 */
import { envError } from './errors.ts';
import type { FactRecallEnv } from './factrecall-env.ts';
import { renderPrompt } from './prompts.ts';
import type { ChatMessage, DatasetName, SplitName } from './types.ts';

/** One exported question. Keys are snake_case: the readers are Python trainers. */
export interface ExportRow {
  question_id: string;
  split: SplitName;
  dataset: DatasetName;
  question: string;
  /** The chat messages the env would send for this question (its prompt template). */
  prompt: ChatMessage[];
  /** Train split only. */
  answers?: string[];
  /** The spec fingerprint of the env the rows came from (judge included). */
  fingerprint: string;
}

export const EXPORTABLE_SPLITS = ['train', 'val'] as const;

/** Every question of `split` in id order. */
export function exportRows(env: FactRecallEnv, split: SplitName): ExportRow[] {
  if (!(EXPORTABLE_SPLITS as readonly string[]).includes(split)) {
    throw envError(
      'FR_ERR_ENV_BAD_OPTIONS',
      `split ${split} is not exported (only ${EXPORTABLE_SPLITS.join(', ')}): the test split is served to the eval role only`,
    );
  }
  const spec = env.spec();
  const records = env.records(split);
  if (records.length === 0) throw envError('FR_ERR_ENV_EMPTY_SPLIT', `${split} (${spec.source})`);
  return records.map((r) => ({
    question_id: r.id,
    split,
    dataset: spec.dataset,
    question: r.question,
    prompt: renderPrompt(spec.prompt, r.question),
    ...(split === 'train' ? { answers: [...r.answers] } : {}),
    fingerprint: spec.fingerprint,
  }));
}
