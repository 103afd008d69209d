/**
 * The oracle: answers every question with its gold answer. A TEST AGENT: it reads answers no
 * real agent may see, to show the env's ceiling (accuracy 1 with an exact judge) and to check
 * the plumbing end to end.
 *
 * Two ways to know the gold:
 * - `oracleFromGold(env)`: the env's `gold` hook, as a `trainer` token would over the
 *   protocol. Works on the train split only: val and test gold never leave the env.
 * - `oracleFromSource(source)`: reads the SplitSource records directly, so it works on every
 *   split. For demos and tests, in the same process as the source.
 */
import type { LocalEnv, Observation, SplitSource } from '../env/types.ts';
import { formatAnswer, type ScriptedAgent } from './scripted.ts';

function oracle(name: string, goldOf: (o: Observation) => readonly string[]): ScriptedAgent {
  return {
    name,
    act: (observations) => observations.map((o) => formatAnswer(o.prompt, goldOf(o)[0] ?? '')),
  };
}

/** The oracle through `env.gold` (train split only; a coded error elsewhere). */
export function oracleFromGold(env: Pick<LocalEnv, 'gold'>): ScriptedAgent {
  return oracle('oracle', (o) => env.gold(o.episodeId));
}

/** The oracle reading the source's records (every split; a test agent). */
export function oracleFromSource(source: SplitSource): ScriptedAgent {
  const gold = new Map<string, readonly string[]>();
  for (const records of Object.values(source.splits)) {
    for (const r of records ?? []) gold.set(r.id, r.answers);
  }
  return oracle('oracle', (o) => {
    const answers = gold.get(o.questionId);
    if (!answers) throw new Error(`oracle: question ${o.questionId} is not in the source`);
    return answers;
  });
}
