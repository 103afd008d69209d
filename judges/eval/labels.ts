/** Reading a labelled-verdicts file (JSON lines) for `factrecall judge eval`. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { REPO_ROOT } from '../../lib/paths.ts';
import { judgeError } from '../errors.ts';

/**
 * The labelled slices that ship with FactRecall (our own predictions, labelled by the strict
 * human-grader rule of docs/judges.md): `easy`, 228 items on real dataset questions, mostly short
 * answers; `hard`, the classes a policy can exploit or that misreward correct answers.
 */
export const LABEL_SLICES = {
  easy: join(REPO_ROOT, 'judges', 'labels', 'easy.jsonl'),
  hard: join(REPO_ROOT, 'judges', 'labels', 'hard.jsonl'),
} as const;
export type LabelSlice = keyof typeof LABEL_SLICES;

/** The easy slice (the set that shipped first). */
export const BUNDLED_LABELS = LABEL_SLICES.easy;

export const labelledItemSchema = z.object({
  id: z.string().optional(),
  dataset: z.string().optional(),
  question: z.string(),
  answers: z.array(z.string()).min(1),
  prediction: z.string(),
  label: z.enum(['correct', 'incorrect', 'not_attempted']),
  category: z.string().optional(),
});
export type LabelledItem = z.infer<typeof labelledItemSchema>;

/** Every line of a labels file, checked; a bad line throws FR_ERR_JUDGE_LABELS_INVALID naming it. */
export async function readLabels(path: string): Promise<LabelledItem[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw judgeError('FR_ERR_JUDGE_LABELS_INVALID', `${path}: ${(e as Error).message}`);
  }
  const items: LabelledItem[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      throw judgeError('FR_ERR_JUDGE_LABELS_INVALID', `${path}:${i + 1}: ${(e as Error).message}`);
    }
    const parsed = labelledItemSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw judgeError(
        'FR_ERR_JUDGE_LABELS_INVALID',
        `${path}:${i + 1}: ${issue?.path.join('.')} ${issue?.message}`,
      );
    }
    items.push(parsed.data);
  });
  if (items.length === 0) throw judgeError('FR_ERR_JUDGE_LABELS_INVALID', `${path}: no items`);
  return items;
}
