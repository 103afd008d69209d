/**
 * The episode book: every group and episode an env issued, and the state each is in.
 *
 * An episode is `open` from its reset until it ends, exactly once, as `answered` (stepped,
 * whatever the judge said), `expired` (unanswered past its deadline) or `closed` (unanswered,
 * closed by the host). `pending` marks an episode whose answer is being judged, so that a
 * concurrent second step on it fails. Counts are kept incrementally, per split, so `stats()`
 * is cheap at any size.
 */
import { envError } from './errors.ts';
import type { EpisodeCounts, GroupStats, QARecord, SplitName } from './types.ts';

export type EpisodeState = 'open' | 'pending' | 'answered' | 'expired' | 'closed';

export interface Group {
  readonly groupId: string;
  readonly split: SplitName;
  readonly record: QARecord;
  readonly epoch: number;
  readonly deadline: number;
  readonly states: EpisodeState[];
  /** Rewards of answered episodes (null: judge failed); undefined while unanswered. */
  readonly rewards: Array<0 | 1 | null | undefined>;
}

export interface EpisodeRef {
  readonly group: Group;
  readonly index: number;
  readonly episodeId: string;
}

/** Counts of episodes, zero. */
export function zeroCounts(): EpisodeCounts {
  return {
    issued: 0,
    open: 0,
    answered: 0,
    expired: 0,
    closed: 0,
    judgeFailed: 0,
    scored: 0,
    rewardSum: 0,
    meanReward: null,
  };
}

export function episodeIdOf(groupId: string, index: number): string {
  return `${groupId}.${index}`;
}

/** Finished groups kept whole (so a late second answer gets its exact code); older ones are forgotten. */
export const RETAIN_FINISHED_GROUPS = 8192;

export class EpisodeBook {
  /** Live groups and the last `retainFinished` finished ones; the rest survive only in counts. */
  private readonly groups = new Map<string, Group>();
  /** Ids of finished groups still in `groups`, oldest first, from `finishedHead` on (a queue). */
  private finished: string[] = [];
  private finishedHead = 0;
  /** Groups with an open episode, in issue order = deadline order (one TTL for all). */
  private readonly live = new Map<string, Group>();
  private readonly counts = new Map<SplitName, EpisodeCounts>();
  private nextGroup = 0;

  /**
   * `tag` makes ids unique to this env instance, so another env's ids are unknown here.
   * Memory stays bounded however long the env lives: open groups, plus `retainFinished`
   * finished ones, plus the counts.
   */
  constructor(
    private readonly tag: string,
    private readonly retainFinished = RETAIN_FINISHED_GROUPS,
  ) {}

  issue(
    split: SplitName,
    items: ReadonlyArray<{ record: QARecord; epoch: number }>,
    groupSize: number,
    deadline: number,
  ): Group[] {
    const c = this.countsOf(split);
    return items.map(({ record, epoch }) => {
      const group: Group = {
        groupId: `${this.tag}-g${this.nextGroup++}`,
        split,
        record,
        epoch,
        deadline,
        states: Array.from({ length: groupSize }, () => 'open' as const),
        rewards: Array.from({ length: groupSize }, () => undefined),
      };
      this.groups.set(group.groupId, group);
      this.live.set(group.groupId, group);
      c.issued += groupSize;
      c.open += groupSize;
      return group;
    });
  }

  /** The episode, or undefined when this env never issued it. */
  find(episodeId: string): EpisodeRef | undefined {
    const dot = episodeId.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const group = this.groups.get(episodeId.slice(0, dot));
    const digits = episodeId.slice(dot + 1);
    if (!group || !/^(0|[1-9]\d*)$/.test(digits)) return undefined;
    const index = Number(digits);
    return index < group.states.length ? { group, index, episodeId } : undefined;
  }

  /** Like find, but a coded error for ids this env never issued (or issued and forgot). */
  get(episodeId: string): EpisodeRef {
    const ref = typeof episodeId === 'string' ? this.find(episodeId) : undefined;
    if (ref) return ref;
    if (typeof episodeId === 'string' && this.forgotten(episodeId)) {
      throw envError(
        'FR_ERR_ENV_EPISODE_DONE',
        `${episodeId} ended long ago (answered, expired or closed; its group is no longer kept)`,
      );
    }
    throw envError('FR_ERR_ENV_UNKNOWN_EPISODE', String(episodeId));
  }

  /** True for an id of a group this env issued and has since pruned. */
  private forgotten(episodeId: string): boolean {
    const m = /^(.+)-g(0|[1-9]\d*)\.(0|[1-9]\d*)$/.exec(episodeId);
    return (
      !!m &&
      m[1] === this.tag &&
      Number(m[2]) < this.nextGroup &&
      !this.groups.has(`${m[1]}-g${m[2]}`)
    );
  }

  /** Groups held whole now (open, plus the recently finished). */
  get heldGroups(): number {
    return this.groups.size;
  }

  /** Throws the coded error for an episode that can no longer be answered. */
  assertOpen(ref: EpisodeRef, now: number): void {
    if (ref.group.states[ref.index] === 'open' && now >= ref.group.deadline) this.expire(now);
    const state = ref.group.states[ref.index];
    if (state === 'answered') throw envError('FR_ERR_ENV_EPISODE_DONE', ref.episodeId);
    if (state === 'pending')
      throw envError(
        'FR_ERR_ENV_EPISODE_DONE',
        `${ref.episodeId} (a step in flight is answering it)`,
      );
    if (state === 'expired') throw envError('FR_ERR_ENV_EPISODE_EXPIRED', ref.episodeId);
    if (state === 'closed') throw envError('FR_ERR_ENV_EPISODE_CLOSED', ref.episodeId);
  }

  markPending(ref: EpisodeRef): void {
    ref.group.states[ref.index] = 'pending';
  }

  /** End a pending episode as answered, with its reward (null: the judge failed). */
  settle(ref: EpisodeRef, reward: 0 | 1 | null): void {
    const { group, index } = ref;
    group.states[index] = 'answered';
    group.rewards[index] = reward;
    const c = this.countsOf(group.split);
    c.open -= 1;
    c.answered += 1;
    if (reward === null) c.judgeFailed += 1;
    else {
      c.scored += 1;
      c.rewardSum += reward;
    }
    this.retireIfDone(group);
  }

  /** Expire open episodes whose deadline is at or before `now`; returns their ids. */
  expire(now: number): string[] {
    const ended: string[] = [];
    for (const group of this.live.values()) {
      if (group.deadline > now) break;
      ended.push(...this.endUnanswered(group, 'expired', () => true));
    }
    return ended;
  }

  /** Close the open episodes among `refs`; returns the ids closed. */
  close(refs: readonly EpisodeRef[]): string[] {
    const ended: string[] = [];
    for (const ref of refs) {
      ended.push(...this.endUnanswered(ref.group, 'closed', (i) => i === ref.index));
    }
    return ended;
  }

  /** Every episode still open (not pending), for a full close. */
  openEpisodes(): EpisodeRef[] {
    const out: EpisodeRef[] = [];
    for (const group of this.live.values()) {
      group.states.forEach((s, index) => {
        if (s === 'open') out.push({ group, index, episodeId: episodeIdOf(group.groupId, index) });
      });
    }
    return out;
  }

  groupStats(group: Group): GroupStats {
    let answered = 0;
    let scored = 0;
    let sum = 0;
    for (const r of group.rewards) {
      if (r === undefined) continue;
      answered += 1;
      if (r !== null) {
        scored += 1;
        sum += r;
      }
    }
    return {
      groupId: group.groupId,
      questionId: group.record.id,
      size: group.states.length,
      answered,
      scored,
      meanReward: scored ? sum / scored : null,
      complete: group.states.every((s) => s !== 'open' && s !== 'pending'),
    };
  }

  /** Groups ever issued. */
  get groupCount(): number {
    return this.nextGroup;
  }

  /** Counts per split, with meanReward filled in (copies). */
  perSplit(): Partial<Record<SplitName, EpisodeCounts>> {
    const out: Partial<Record<SplitName, EpisodeCounts>> = {};
    for (const [split, c] of this.counts) out[split] = withMean({ ...c });
    return out;
  }

  private endUnanswered(
    group: Group,
    state: 'expired' | 'closed',
    which: (index: number) => boolean,
  ): string[] {
    const ended: string[] = [];
    const c = this.countsOf(group.split);
    group.states.forEach((s, index) => {
      if (s !== 'open' || !which(index)) return;
      group.states[index] = state;
      c.open -= 1;
      c[state] += 1;
      ended.push(episodeIdOf(group.groupId, index));
    });
    this.retireIfDone(group);
    return ended;
  }

  private retireIfDone(group: Group): void {
    if (!group.states.every((s) => s !== 'open' && s !== 'pending')) return;
    if (!this.live.delete(group.groupId)) return;
    this.finished.push(group.groupId);
    // Prune the oldest finished groups: their counts are already in `counts`.
    while (this.finished.length - this.finishedHead > this.retainFinished) {
      this.groups.delete(this.finished[this.finishedHead++]!);
    }
    if (this.finishedHead > 4096 && this.finishedHead * 2 > this.finished.length) {
      this.finished = this.finished.slice(this.finishedHead);
      this.finishedHead = 0;
    }
  }

  private countsOf(split: SplitName): EpisodeCounts {
    let c = this.counts.get(split);
    if (!c) {
      c = zeroCounts();
      this.counts.set(split, c);
    }
    return c;
  }
}

/** Fill meanReward from rewardSum / scored. */
export function withMean(c: EpisodeCounts): EpisodeCounts {
  c.meanReward = c.scored ? c.rewardSum / c.scored : null;
  return c;
}

/** Add `c` into `into` (mean recomputed) and return `into`. */
export function addCounts(into: EpisodeCounts, c: EpisodeCounts): EpisodeCounts {
  into.issued += c.issued;
  into.open += c.open;
  into.answered += c.answered;
  into.expired += c.expired;
  into.closed += c.closed;
  into.judgeFailed += c.judgeFailed;
  into.scored += c.scored;
  into.rewardSum += c.rewardSum;
  return withMean(into);
}

/** Sum of several counts (the env-wide totals). */
export function sumCounts(all: readonly EpisodeCounts[]): EpisodeCounts {
  return all.reduce(addCounts, zeroCounts());
}
