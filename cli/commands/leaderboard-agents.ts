/**
 * The scripted agents as leaderboard entrants, for seeding the table and for checking the
 * plumbing end to end (scripts/seed-leaderboard.sh):
 * - `leaderboard predict`: a scripted agent answers a prepared test split in this process and
 *   writes a predictions file in the submission format (JSON lines {id, answer}).
 * - `leaderboard run`: a scripted agent runs the test split through an env server with an
 *   eval token; the run is recorded by the server and its evalRunId printed, ready for
 *   `leaderboard submit --run`.
 * The oracle reads gold from the local prepared files (a test agent: the table's ceiling);
 * the prior answers the most frequent train answer of the question's kind.
 */
import type { Command } from 'commander';
import { oracleFromSource } from '../../agents/oracle.ts';
import { priorAgent } from '../../agents/prior.ts';
import { runEpisodes } from '../../agents/run-episodes.ts';
import type { ScriptedAgent } from '../../agents/scripted.ts';
import { make } from '../../env/registry.ts';
import { loadPreparedSplits } from '../../env/splits/load.ts';
import type { QARecord, SplitSource } from '../../env/types.ts';
import { boardError } from '../../leaderboard/errors.ts';
import { writeFileAtomic } from '../../lib/files.ts';
import { progress } from '../../lib/progress.ts';
import { FactRecallClient } from '../../protocol/client/client.ts';
import { commandGroup } from './group.ts';
import { intFlag } from './leaderboard.ts';

const AGENTS = ['oracle', 'prior'] as const;

/** The kind of question a record asks (what the prior counts answers by), per dataset. */
function kindOf(r: QARecord): string | undefined {
  const m = r.meta;
  const v = m.attribute ?? m.prop ?? m.answer_type;
  return typeof v === 'string' ? v : undefined;
}

function agentFor(name: string, source: SplitSource): ScriptedAgent {
  if (name === 'oracle') return oracleFromSource(source);
  if (name === 'prior') return priorAgent(source, kindOf);
  throw boardError('FR_ERR_LEADERBOARD_BAD_CONFIG', `--agent must be one of ${AGENTS.join(', ')}`);
}

export function register(program: Command): void {
  const lb = commandGroup(program, 'leaderboard', 'the leaderboard: server, submissions, admin');

  lb.command('predict')
    .description('a scripted agent answers a prepared test split; writes a predictions file')
    .requiredOption('--agent <name>', AGENTS.join(' or '))
    .requiredOption('--splits <dataset|dir>', 'prepared splits (factrecall data prepare)')
    .requiredOption('--out <file>', 'predictions file to write (JSON lines {id, answer})')
    .option('--batch-size <n>', 'questions per reset', '256')
    .action(async (f: { agent: string; splits: string; out: string; batchSize: string }) => {
      const source = await loadPreparedSplits(f.splits);
      const agent = agentFor(f.agent, source);
      const env = await make('FactRecall-v0', { source });
      const batch = intFlag(f.batchSize, '--batch-size', 1, 4096);
      const lines: string[] = [];
      try {
        const total = env.spec().splits.test ?? 0;
        while (lines.length < total) {
          const { observations } = await env.reset({
            split: 'test',
            batchSize: Math.min(batch, total - lines.length),
            groupSize: 1,
          });
          const answers = await agent.act(observations);
          for (let i = 0; i < observations.length; i++) {
            lines.push(JSON.stringify({ id: observations[i]!.questionId, answer: answers[i] }));
          }
        }
      } finally {
        await env.close();
      }
      await writeFileAtomic(f.out, `${lines.join('\n')}\n`);
      process.stdout.write(
        `${JSON.stringify({ agent: agent.name, dataset: source.dataset, predictions: lines.length, out: f.out })}\n`,
      );
    });

  lb.command('run')
    .description('a scripted agent runs the test split through an env server with an eval token')
    .requiredOption('--agent <name>', AGENTS.join(' or '))
    .requiredOption(
      '--splits <dataset|dir>',
      'the prepared splits the server serves (the agent reads train, or gold for the oracle)',
    )
    .requiredOption('--url <url>', 'env server: ws://host:port/v1/ws or grpc://host:port')
    .option('--token <token>', 'eval token (else FACTRECALL_TOKEN)')
    .option('--batch-size <n>', 'questions per reset', '256')
    .option('--quiet', 'no progress output')
    .action(
      async (f: {
        agent: string;
        splits: string;
        url: string;
        token?: string;
        batchSize: string;
        quiet?: boolean;
      }) => {
        const source = await loadPreparedSplits(f.splits);
        const agent = agentFor(f.agent, source);
        const token = f.token ?? process.env.FACTRECALL_TOKEN;
        const client = await FactRecallClient.connect(f.url, {
          ...(token ? { token } : { role: 'eval' }),
          clientName: `leaderboard-run/${agent.name}`,
        });
        try {
          const env = await client.make('FactRecall-v0');
          const spec = await env.spec();
          if (spec.sourceHash !== source.hash) {
            throw boardError(
              'FR_ERR_LEADERBOARD_BAD_CONFIG',
              `the server serves splits ${spec.sourceHash.slice(0, 12)}, --splits holds ${source.hash.slice(0, 12)}`,
            );
          }
          const total = spec.splits.test ?? 0;
          const bar = progress(`${agent.name} on ${spec.dataset} test`, total, {
            quiet: f.quiet ?? false,
          });
          let done = 0;
          await runEpisodes(env, agent, {
            split: 'test',
            batchSize: intFlag(f.batchSize, '--batch-size', 1, 4096),
            onProgress: (n) => {
              bar.tick(n - done);
              done = n;
            },
          });
          bar.stop();
          const summary = await env.closeWithSummary();
          process.stdout.write(
            `${JSON.stringify({ agent: agent.name, dataset: spec.dataset, evalRunId: summary?.evalRunId ?? null, counts: summary?.counts })}\n`,
          );
        } finally {
          client.close();
        }
      },
    );
}
