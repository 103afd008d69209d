/**
 * Prompt templates. Each has an id and a version; both, with the template text, enter the env
 * fingerprint, so any change to a template must bump its version (and, since it can change
 * learning results, the env version too).
 */
import type { ChatMessage, PromptName } from './types.ts';

export interface PromptTemplate {
  readonly id: PromptName;
  /** Bump on any change to `system` or `user`. */
  readonly version: number;
  readonly system: string;
  /** `{question}` is replaced by the bare question. */
  readonly user: string;
  /** One line saying what the template is for. */
  readonly description: string;
}

/** The label a `cot` answer must put before its final answer. */
export const FINAL_ANSWER_LABEL = 'Final answer:';

/**
 * `direct`: the paper's setting. Zero-shot, one question, the answer only, no reasoning.
 * `cot`: a test-time baseline. Reason first, then one line `Final answer: ...`.
 */
export const PROMPTS: Readonly<Record<PromptName, PromptTemplate>> = Object.freeze({
  direct: Object.freeze({
    id: 'direct',
    version: 1,
    system:
      'Answer the question from memory. Reply with the answer only (a name, place, date or number) on a single line, with no explanation.',
    user: '{question}',
    description: 'answer only, no reasoning (default; the paper setting)',
  }),
  cot: Object.freeze({
    id: 'cot',
    version: 1,
    system: `Answer the question from memory. Think step by step, then end with a last line of the form "${FINAL_ANSWER_LABEL} <answer>", where <answer> is only the answer (a name, place, date or number).`,
    user: '{question}',
    description: 'reason step by step, then a final-answer line (test-time baseline)',
  }),
});

export function promptTemplate(name: PromptName): PromptTemplate {
  return PROMPTS[name];
}

/** The chat messages an agent sends to its model for one question. */
export function renderPrompt(name: PromptName, question: string): ChatMessage[] {
  const t = PROMPTS[name];
  return [
    { role: 'system', content: t.system },
    // A function replacer, so `$&`-style patterns in a question are taken literally.
    { role: 'user', content: t.user.replace('{question}', () => question) },
  ];
}
