/**
 * `factrecall judge redteam-grpo`: the GRPO red team (cuda-agent/coordinator/redteam/): a
 * policy that searches answer formats for reward without the fact, trained with GRPO on
 * FactWorld against each judge given, with its reward curve per judge.
 *
 * Judges: any spec `judge eval` takes (exact, contains, llm, panel, JSON), and two that run with
 * no endpoint: `lenient-llm`, the llm judge over an in-process stand-in for a weak grader (A
 * whenever a gold alias appears; cuda-agent/coordinator/redteam/lenient-grader.ts), and
 * `lenient-panel`, the default panel (that llm judge + contains, no reward on disagreement).
 */
import type { Command } from 'commander';
import {
  formatGrpoRedTeam,
  type GrpoRedTeamReport,
  runGrpoRedTeam,
} from '../../cuda-agent/coordinator/redteam/grpo-redteam.ts';
import { redTeamJudge } from '../../cuda-agent/coordinator/redteam/lenient-grader.ts';
import { judgeError } from '../../judges/errors.ts';
import { writeFileAtomic } from '../../lib/files.ts';
import { numberFlag } from '../number-flag.ts';
import { commandGroup } from './group.ts';

export function register(program: Command): void {
  const judge = commandGroup(program, 'judge', 'judges: verdict cache and agreement with labels');
  judge
    .command('redteam-grpo')
    .description(
      'train a format-searching policy with GRPO on FactWorld against each judge (no fact, only answer formats) and print its reward curve',
    )
    .option(
      '--judge <spec...>',
      'judges: exact, contains, llm, panel, JSON {kind, options}, lenient-llm, lenient-panel',
      ['exact', 'contains', 'lenient-panel', 'lenient-llm'],
    )
    .option('--steps <n>', 'GRPO steps', '40')
    .option('--questions <n>', 'questions per step', '16')
    .option('--group <n>', 'answers per question', '8')
    .option('--candidates <n>', 'candidate values per answer, the gold among them', '20')
    .option('--lr <x>', 'Adam learning rate on the policy logits', '0.1')
    .option('--seed <n>', 'seed', '12')
    .option('--every <n>', 'print every n-th step of the curve', '5')
    .option('--out <file>', 'also write the report (text, or JSON with --json) to this file')
    .option('--json', 'print the reports as JSON (every step)')
    .action(
      async (opts: {
        judge: string[];
        steps: string;
        questions: string;
        group: string;
        candidates: string;
        lr: string;
        seed: string;
        every: string;
        out?: string;
        json?: boolean;
      }) => {
        const refuse = (detail: string) => judgeError('FR_ERR_JUDGE_INVALID_SPEC', detail);
        const int = (flag: string, v: string, min = 1) => numberFlag(flag, v, refuse, { min });
        const options = {
          steps: int('--steps', opts.steps),
          questionsPerStep: int('--questions', opts.questions),
          groupSize: int('--group', opts.group, 2),
          candidates: int('--candidates', opts.candidates, 2),
          lr: numberFlag('--lr', opts.lr, refuse, { integer: false, min: 0 }),
          seed: int('--seed', opts.seed, 0),
        };
        const every = int('--every', opts.every);
        const reports: Array<{ spec: string; report: GrpoRedTeamReport }> = [];
        const text: string[] = [];
        for (const spec of opts.judge) {
          const j = redTeamJudge(spec);
          try {
            const report = await runGrpoRedTeam(j, options);
            reports.push({ spec, report });
            const block = formatGrpoRedTeam(report, spec, every);
            text.push(block);
            if (!opts.json) process.stdout.write(`${block}\n\n`);
          } finally {
            await j.close?.();
          }
        }
        const json = `${JSON.stringify(reports, null, 2)}\n`;
        if (opts.json) process.stdout.write(json);
        if (opts.out) await writeFileAtomic(opts.out, opts.json ? json : `${text.join('\n\n')}\n`);
      },
    );
}
