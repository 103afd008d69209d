/**
 * Chat messages in the OpenAI-compatible shape every LLM call in FactRecall uses: the env's
 * rendered prompts, the LLM judge's grading prompt and the dedup question. The lowest part that
 * sends them (the LLM client) owns the type; the env and the judges import it from here.
 */
export const CHAT_ROLES = ['system', 'user', 'assistant'] as const;

export interface ChatMessage {
  role: (typeof CHAT_ROLES)[number];
  content: string;
}
