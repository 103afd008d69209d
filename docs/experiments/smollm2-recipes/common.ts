/** Shared by the SmolLM2 comparison's scripts: reading their JSON-lines files, and gold aliases. */
import { readFileSync } from 'node:fs';
import { normalizeAnswer, wordsOf } from '../../../judges/normalize.ts';

/** The rows of a JSON-lines file (blank lines skipped), read as `T`. */
export const readJsonl = <T>(f: string): T[] =>
  readFileSync(f, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);

/** Question id -> gold aliases, from a prepared split file (val.jsonl). */
export function goldByQuestion(splitFile: string): Map<string, string[]> {
  return new Map(
    readJsonl<{ id: string; answers: string[] }>(splitFile).map((q) => [q.id, q.answers]),
  );
}

/** Whether a gold alias occurs as a run of words in the answer (normalised, any length). */
export function holdsGold(answer: string, answers: readonly string[]): boolean {
  const w = ` ${wordsOf(normalizeAnswer(answer)).join(' ')} `;
  return answers.some((g) => {
    const n = normalizeAnswer(g);
    return n !== '' && w.includes(` ${n} `);
  });
}
