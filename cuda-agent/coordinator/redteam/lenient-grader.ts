/**
 * A stand-in for a weak LLM grader, for the GRPO red team: an in-process OpenAI-compatible
 * `fetch` (no socket, no model) that grades A whenever a gold alias appears, as whole words, in
 * the predicted answer, and B otherwise. It is what a grader fooled by lists looks like, the
 * way SmolLM2-135M-Instruct graded every item A (docs/judges.md). It is never a real model: the
 * red team uses it to show that the llm judge alone pays a format-searching policy when its
 * grader is weak, and that the panel (llm + contains, no reward on disagreement) does not.
 *
 * It answers through the real llm judge (grading prompt, StructuredClient, openai client, zod
 * schema): only the model behind it is simulated.
 */

import { ContainsJudge, createJudge, PanelJudge, parseJudgeSpec } from '../../../judges/index.ts';
import { itemFromGradingMessages } from '../../../judges/llm/grading-prompt.ts';
import { LlmJudge } from '../../../judges/llm/llm-judge.ts';
import { normalizeAnswer, wordsOf } from '../../../judges/normalize.ts';
import type { Judge } from '../../../judges/types.ts';
import { BufferedResponse } from '../../../lib/llm/http-fetch.ts';

const JSON_HEADERS = { 'content-type': 'application/json' };

function containsWords(hay: readonly string[], needle: readonly string[]): boolean {
  if (needle.length === 0) return false;
  for (let i = 0; i + needle.length <= hay.length; i++) {
    if (needle.every((w, j) => hay[i + j] === w)) return true;
  }
  return false;
}

/** The grade the stand-in gives one grading request's messages. */
export function lenientGrade(
  messages: ReadonlyArray<{ role: string; content?: unknown }>,
): 'A' | 'B' {
  const item = itemFromGradingMessages(messages);
  if (!item) return 'B';
  const said = wordsOf(normalizeAnswer(item.prediction));
  return item.answers.some((a) => containsWords(said, wordsOf(normalizeAnswer(a)))) ? 'A' : 'B';
}

export function lenientGraderFetch(): typeof fetch {
  return (async (_input: unknown, init: RequestInit = {}) => {
    const body = JSON.parse(String(init.body)) as {
      model: string;
      messages: Array<{ role: string; content?: unknown }>;
    };
    const content = JSON.stringify({ grade: lenientGrade(body.messages) });
    const reply = Buffer.from(
      JSON.stringify({
        id: 'chatcmpl-lenient',
        object: 'chat.completion',
        created: 0,
        model: body.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content, refusal: null },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
      }),
    );
    return new BufferedResponse(reply, { status: 200, headers: JSON_HEADERS }).asResponse();
  }) as typeof fetch;
}

/** The llm judge over the lenient stand-in grader (no cache, no network). */
export function lenientLlmJudge(): LlmJudge {
  return new LlmJudge(
    {
      baseURL: 'http://lenient-grader.invalid/v1',
      model: 'lenient-stand-in',
      cachePath: null,
      concurrency: 256,
    },
    { fetch: lenientGraderFetch() },
  );
}

/**
 * A judge for the GRPO red team: `lenient-llm` (the llm judge over the stand-in), `lenient-panel`
 * (the default panel's shape: that llm judge + contains, no reward when they disagree), or any
 * spec createJudge takes.
 */
export function redTeamJudge(spec: string): Judge {
  if (spec === 'lenient-llm') return lenientLlmJudge();
  if (spec === 'lenient-panel') {
    return new PanelJudge([lenientLlmJudge(), new ContainsJudge()], 'fail');
  }
  return createJudge(parseJudgeSpec(spec));
}
