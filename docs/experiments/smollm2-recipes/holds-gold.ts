/** Shared by the SmolLM2 comparison's scripts: does an answer hold a gold alias anywhere? */
import { normalizeAnswer, wordsOf } from '../../../judges/normalize.ts';

/** Whether a gold alias occurs as a run of words in the answer (normalised, any length). */
export function holdsGold(answer: string, answers: readonly string[]): boolean {
  const w = ` ${wordsOf(normalizeAnswer(answer)).join(' ')} `;
  return answers.some((g) => {
    const n = normalizeAnswer(g);
    return n !== '' && w.includes(` ${n} `);
  });
}
