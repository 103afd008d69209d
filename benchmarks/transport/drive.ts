/**
 * The two workloads every transport row runs: batched reset + step (B questions x N, one
 * answer each) for throughput, and a single episode (batch 1, group 1) round trip for latency
 * at low load. Both record each round's latency in an HDR histogram.
 */
import { type Histogram, newHistogram, recordMs } from '../lib/hdr.ts';

/** What a row needs of an env: the two verbs, whatever carries them. */
export interface Stepper {
  reset(o: {
    split: 'train';
    batchSize: number;
    groupSize: number;
  }): Promise<{ observations: ReadonlyArray<{ episodeId: string }> }>;
  step(actions: Array<{ episodeId: string; answer: string }>): Promise<unknown>;
}

export interface Workload {
  batch: number;
  group: number;
  rounds: number;
  warmup: number;
}

export interface Measured {
  episodesPerSecond: number;
  rounds: number;
  episodes: number;
  seconds: number;
  latency: Histogram;
}

/** Run `round` warmup + rounds times, timing each of the measured ones. */
export async function timeRounds(
  round: () => Promise<void>,
  w: { rounds: number; warmup: number },
  episodesPerRound: number,
): Promise<Measured> {
  for (let i = 0; i < w.warmup; i++) await round();
  const latency = newHistogram();
  const t0 = performance.now();
  for (let i = 0; i < w.rounds; i++) {
    const s = performance.now();
    await round();
    recordMs(latency, performance.now() - s);
  }
  const seconds = (performance.now() - t0) / 1000;
  const episodes = w.rounds * episodesPerRound;
  return { episodesPerSecond: episodes / seconds, rounds: w.rounds, episodes, seconds, latency };
}

/** reset(batch x group) then one step answering every episode "Paris". */
export function measureEnv(env: Stepper, w: Workload): Promise<Measured> {
  return timeRounds(envRound(env, w), w, w.batch * w.group);
}

/**
 * Several arms measured in turns (A B C A B C ...), each round timed into its own arm. On a
 * shared machine the load moves within seconds; taking turns gives every arm the same share
 * of it, so their ratio holds even when the absolute numbers do not.
 */
export async function interleave(
  arms: ReadonlyArray<() => Promise<void>>,
  w: { rounds: number; warmup: number },
  episodesPerRound: number,
): Promise<Measured[]> {
  for (let i = 0; i < w.warmup; i++) for (const a of arms) await a();
  const out = arms.map(() => ({ latency: newHistogram(), ms: 0 }));
  for (let i = 0; i < w.rounds; i++) {
    for (let k = 0; k < arms.length; k++) {
      const s = performance.now();
      await arms[k]!();
      const d = performance.now() - s;
      out[k]!.ms += d;
      recordMs(out[k]!.latency, d);
    }
  }
  const episodes = w.rounds * episodesPerRound;
  return out.map((o) => ({
    episodesPerSecond: episodes / (o.ms / 1000),
    rounds: w.rounds,
    episodes,
    seconds: o.ms / 1000,
    latency: o.latency,
  }));
}

/** One reset + step round of `env`, for {@link interleave}. */
export function envRound(env: Stepper, w: { batch: number; group: number }): () => Promise<void> {
  return async () => {
    const { observations } = await env.reset({
      split: 'train',
      batchSize: w.batch,
      groupSize: w.group,
    });
    if (observations.length !== w.batch * w.group) {
      throw new Error(`reset gave ${observations.length} observations, not ${w.batch * w.group}`);
    }
    await env.step(observations.map((o) => ({ episodeId: o.episodeId, answer: 'Paris' })));
  };
}
