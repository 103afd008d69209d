/**
 * Where the GRPO loop's training batches come from: one env session on one server (its
 * question order walked by successive resets), or a pool of servers (env-pool.ts) that
 * shards each batch and fails over. Both hand out the same questions in the same order, and
 * both survive the end of an env's connection (the server closes the env and its episodes):
 * a fresh env at the batch's position hands out the same questions again.
 */

import type { Action, EnvSpec, Observation, StepResult } from '../../../env/types.ts';
import { isFactRecallError } from '../../../lib/errors.ts';
import type { RemoteEnv } from '../../../protocol/client/remote-env.ts';
import type { CoordinatorState } from './checkpoint.ts';
import { type EnvConnections, skipTo } from './env-connection.ts';
import { sameQuestions } from './env-pool.ts';

/** One batch: its observations, the order position after it, and how to answer it. */
export interface TrainBatch {
  observations: Observation[];
  epoch: number;
  cursor: number;
  step(actions: readonly Action[]): Promise<StepResult[]>;
}

export interface TrainBatches {
  spec(): EnvSpec;
  /** The next `batchSize` questions, each `groupSize` episodes, from order position `at`. */
  next(at: CoordinatorState['data'], batchSize: number, groupSize: number): Promise<TrainBatch>;
  close(): Promise<void>;
}

/** Batches for a run standing at `state.data`. */
export async function openTrainBatches(
  conn: EnvConnections,
  state: CoordinatorState,
): Promise<TrainBatches> {
  const pool = conn.pool;
  if (pool) {
    const spec = await pool.spec('policy');
    const size = spec.splits.train ?? 0;
    return {
      spec: () => spec,
      async next(at, batchSize, groupSize) {
        const b = await pool.openBatch(at, batchSize, groupSize, size);
        return { ...b, step: (actions) => pool.stepBatch(b, actions, groupSize) };
      },
      close: async () => undefined,
    };
  }
  let env = await openTrainEnv(conn, state.data);
  /** A fresh env at order position `at`, in place of one whose connection ended. */
  const reopen = async (at: CoordinatorState['data']) => {
    void env.close().catch(() => undefined);
    env = await openTrainEnv(conn, at);
    return env;
  };
  return {
    spec: () => env.spec(),
    async next(at, batchSize, groupSize) {
      // The server closed the env with the connection that made it: a fresh one where this
      // batch starts, so the order goes on instead of starting over.
      if (!env.live) await reopen(at);
      const first = env;
      const r = await first.reset({ split: 'train', batchSize, groupSize });
      return {
        observations: r.observations,
        epoch: r.epoch,
        cursor: r.cursor,
        step: async (actions) => {
          try {
            return (await first.step(actions)).results;
          } catch (e) {
            if (!isFactRecallErrorLike(e, 'FR_ERR_PROTO_ENV_LOST')) throw e;
            // The batch's episodes went with the connection. The same questions again from
            // a fresh env at the batch's start, answered with the answers already generated;
            // the results carry the first episode ids, so each answer gets one reward.
            const again = await (await reopen(at)).reset({ split: 'train', batchSize, groupSize });
            sameQuestions(r.observations, again.observations);
            const toNew = new Map(
              r.observations.map((o, i) => [o.episodeId, again.observations[i]!.episodeId]),
            );
            const toFirst = new Map([...toNew].map(([a, b]) => [b, a]));
            const out = await env.step(
              actions.map((a) => ({
                episodeId: toNew.get(a.episodeId) ?? a.episodeId,
                answer: a.answer,
              })),
            );
            return out.results.map((x) => ({
              ...x,
              episodeId: toFirst.get(x.episodeId) ?? x.episodeId,
            }));
          }
        },
      };
    },
    close: () => env.close(),
  };
}

/**
 * The training env, positioned where the checkpointed run stood: made with the `start` option,
 * or, on a server that does not let clients set it, by drawing and discarding the questions
 * before that point (`skipTo`; the server counts those episodes closed).
 */
async function openTrainEnv(
  conn: EnvConnections,
  at: CoordinatorState['data'],
): Promise<RemoteEnv> {
  const { epoch, cursor } = at;
  if (epoch === 0 && cursor === 0) return conn.make('policy');
  try {
    return await conn.make('policy', { start: { train: { epoch, cursor } } });
  } catch (e) {
    if (!isFactRecallErrorLike(e, 'FR_ERR_PROTO_FORBIDDEN')) throw e;
  }
  const env = await conn.make('policy');
  await skipTo(env, 'train', { epoch, cursor, splitSize: env.spec().splits.train ?? 0 });
  return env;
}

function isFactRecallErrorLike(e: unknown, code: string): boolean {
  return isFactRecallError(e, code) || (e as { code?: unknown } | null)?.code === code;
}
