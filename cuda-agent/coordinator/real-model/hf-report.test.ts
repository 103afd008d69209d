import { describe, expect, it } from 'vitest';
import type { GreedyEval } from '../training/evaluate.ts';
import type { StepMetrics } from '../training/metrics.ts';
import type { GenerateParams, GenerateResult } from '../worker-types.ts';
import { answerStyle, memoGreedy, stepSecondsTable } from './hf-report.ts';

const answer = (text: string) => ({
  token_ids: [1],
  logprobs: [-1],
  text,
  finish_reason: 'stop' as const,
});

describe('the real-model report pieces', () => {
  it('memoise greedy answers per prompt, so a second judge sees the same answers, and pass sampling through', async () => {
    const calls: GenerateParams[] = [];
    let k = 0;
    const gen = async (p: GenerateParams): Promise<GenerateResult> => {
      calls.push(p);
      return { results: p.prompts.map(() => ({ prompt_ids: [k], samples: [answer(`a${k++}`)] })) };
    };
    const memo = memoGreedy(gen);
    const m = (q: string) => ({ messages: [{ role: 'user' as const, content: q }] });
    const first = await memo({ prompts: [m('x'), m('y')], greedy: true, max_new_tokens: 4 });
    const second = await memo({
      prompts: [m('y'), m('z'), m('x')],
      greedy: true,
      max_new_tokens: 4,
    });
    expect(second.results.map((r) => r.samples[0]!.text)).toEqual(['a1', 'a2', 'a0']);
    expect(first.results.map((r) => r.samples[0]!.text)).toEqual(['a0', 'a1']);
    expect(calls.map((c) => c.prompts.length)).toEqual([2, 1]);
    await memo({ prompts: [m('x')], greedy: true, max_new_tokens: 8 }); // another length: asked again
    await memo({ prompts: [m('x')], max_new_tokens: 4 }); // sampling: never memoised
    await memo({ prompts: [m('x')], max_new_tokens: 4 });
    expect(calls).toHaveLength(5);
  });

  it('measure answer length and the share of one-line answers', () => {
    const ev = {
      answers: [
        { answer: ' The capital is Paris. ' },
        { answer: 'Paris\nIt is in France.' },
        { answer: '' },
        { answer: 'Lima' },
      ],
    } as unknown as GreedyEval;
    expect(answerStyle(ev)).toEqual({
      answers: 4,
      meanChars: (21 + 22 + 0 + 4) / 4,
      meanWords: (4 + 5 + 0 + 1) / 4,
      oneLine: 3 / 4,
    });
  });

  it('average the seconds of each step phase, with and without the first step', () => {
    const step = (s: number, g: number): StepMetrics =>
      ({
        step: s,
        seconds: { generate: g, judge: 1, score: 2, train: 3, total: g + 6 },
      }) as StepMetrics;
    const t = stepSecondsTable([step(1, 10), step(2, 4), step(3, 6)]);
    expect(t.header).toEqual(['steps', 'generate', 'judge', 'score', 'train', 'total']);
    expect(t.rows).toEqual([
      ['3 (mean)', '6.67', '1.00', '2.00', '3.00', '12.67'],
      ['2 (mean)', '5.00', '1.00', '2.00', '3.00', '11.00'],
    ]);
  });
});
