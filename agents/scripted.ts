/**
 * Scripted agents: fixed policies for tests, demos and baselines. They speak the env API
 * (EnvApi), so they run against a local env or a protocol client alike.
 */
import { FINAL_ANSWER_LABEL } from '../env/prompts.ts';
import type { Observation, PromptName } from '../env/types.ts';

export interface ScriptedAgent {
  /** Short name for tables: oracle, prior. */
  readonly name: string;
  /** One raw answer per observation, in order. */
  act(observations: readonly Observation[]): string[] | Promise<string[]>;
}

/** The raw text a well-behaved model would send with this answer under this prompt. */
export function formatAnswer(prompt: PromptName, answer: string): string {
  return prompt === 'cot' ? `I recall this fact.\n${FINAL_ANSWER_LABEL} ${answer}` : answer;
}
