/**
 * NQ-open JSON Lines: one object per line, `{"question": str, "answer": [str, ...]}`
 * (google-research-datasets/natural-questions, nq_open/). Other keys go to `meta`.
 */
import { isPlainObject, type RecordCollector } from '../records.ts';

export function parseNqOpenJsonl(text: string, out: RecordCollector): void {
  const lines = text.split('\n');
  out.setTotal(lines.reduce((n, l) => (l.trim() === '' ? n : n + 1), 0));
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    if (raw.trim() === '') continue;
    const line = i + 1;
    let row: unknown;
    try {
      row = JSON.parse(raw);
    } catch (e) {
      out.fail(line, 'FR_ERR_DATASET_BAD_JSON', (e as Error).message);
      continue;
    }
    if (!isPlainObject(row)) {
      out.fail(line, 'FR_ERR_DATASET_BAD_FIELD', 'row is not a JSON object');
      continue;
    }
    const { question, answer, id, ...rest } = row;
    if (answer !== undefined && !Array.isArray(answer)) {
      out.fail(line, 'FR_ERR_DATASET_BAD_FIELD', '`answer` is not a list');
      continue;
    }
    out.add(line, {
      sourceId: typeof id === 'string' || typeof id === 'number' ? id : undefined,
      question,
      answers: answer ?? [],
      meta: rest,
    });
  }
}
