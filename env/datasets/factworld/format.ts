/**
 * The exact text a tiny model sees. The pretraining corpus writes question-answer lines with
 * `formatQA`, and the GRPO agent prompts with `formatQuestionPrompt`: the two must agree, so
 * both live here, and the answer is whatever the model writes after the prompt.
 */
import { ATTRIBUTES, type AttributeName, fillTemplate } from './attributes.ts';

/** The one canonical question for `attr` of the person `name`. */
export function questionText(attr: AttributeName, name: string): string {
  return fillTemplate(ATTRIBUTES[attr].question, name);
}

/** The prompt for a question: `Q: <question> A:` (the model continues with " <answer>"). */
export function formatQuestionPrompt(question: string): string {
  return `Q: ${question} A:`;
}

/** A question with its answer, as in the pretraining corpus: `Q: <question> A: <answer>`. */
export function formatQA(question: string, answer: string): string {
  return `${formatQuestionPrompt(question)} ${answer}`;
}

/**
 * Word-level tokens of FactWorld text, split as the tiny engine's word tokenizer splits them
 * (cuda-agent/worker/factrecall_worker/tokenizer.py): newlines, words of letters and digits
 * (inner hyphens and apostrophes kept), and every other non-space character on its own. So
 * `worldStats`' distinct-word count is the vocabulary that tokenizer fits on the corpus.
 */
export function tokenizeWords(text: string): string[] {
  return (
    text.match(/\n|[\p{L}\p{N}\p{M}_]+(?:['’-][\p{L}\p{N}\p{M}_]+)*|[^\p{L}\p{N}\p{M}_\s]/gu) ?? []
  );
}
