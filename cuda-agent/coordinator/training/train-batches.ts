/**
 * Where the GRPO loop's training batches come from: one env session on one server (its
 * question order walked by successive resets), or a pool of servers (env-pool.ts) that
 * shards each batch and fails over. Both hand out the same questions in the same order.
 */

import type { Action, EnvSpec, Observation, StepResult } from '../../../env/types.ts';
import { isFactRecallError } from '../../../lib/errors.ts';
import type { RemoteEnv } from '../../../protocol/client/remote-env.ts';
import type { CoordinatorState } from './checkpoint.ts';
import { type EnvConnections, skipTo } from './env-connection.ts';

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
  const env = await openTrainEnv(conn, state);
  return {
    spec: () => env.spec(),
    async next(_at, batchSize, groupSize) {
      const r = await env.reset({ split: 'train', batchSize, groupSize });
      return {
        observations: r.observations,
        epoch: r.epoch,
        cursor: r.cursor,
        step: async (actions) => (await env.step(actions)).results,
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
async function openTrainEnv(conn: EnvConnections, state: CoordinatorState): Promise<RemoteEnv> {
  const { epoch, cursor } = state.data;
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
