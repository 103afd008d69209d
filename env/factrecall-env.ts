/**
 * FactRecallEnv: the in-process environment. One question per episode, one answer per
 * episode, a binary reward from a pluggable judge; questions handed out in seeded groups.
 *
 * Versioning rule: the id's version (FactRecall-vN) must be bumped whenever a change could
 * change learning results: reward semantics, prompts, answer extraction, question order. The
 * prompt template, extraction rules and order scheme carry their own versions, and all of them
 * enter the fingerprint, so a silent change still shows as a new fingerprint.
 */
import { randomBytes } from 'node:crypto';
import type { Judge, JudgeItem, Verdict } from '../judges/types.ts';
import { failedVerdict } from '../judges/verdicts.ts';
import { isFactRecallError } from '../lib/errors.ts';
import { fairYield } from '../lib/fair-yield.ts';
import { EpisodeBook, type EpisodeRef, episodeIdOf, sumCounts } from './episodes.ts';
import { envError } from './errors.ts';
import { type Extraction, extractAnswer } from './extract.ts';
import type { EnvOptions } from './options.ts';
import { prepareSplits, SplitCursor } from './order.ts';
import { renderPrompt } from './prompts.ts';
import { ResetOptionsSchema } from './schemas.ts';
import { buildSpec } from './spec.ts';
import type {
  Action,
  EnvSpec,
  EnvStats,
  GroupStats,
  LocalEnv,
  Observation,
  QARecord,
  ResetOptions,
  ResetResult,
  SplitName,
  SplitSource,
  StepBatchResult,
  StepResult,
} from './types.ts';

export interface FactRecallEnvParts {
  id: string;
  version: number;
  options: EnvOptions;
  source: SplitSource;
  judge: Judge;
  /** True when the env made the judge from a spec, so `close` closes it too. */
  ownsJudge: boolean;
}

type JudgeOutcome = Pick<Verdict, 'verdict' | 'reward' | 'status' | 'judgeId' | 'cached'> &
  Pick<Verdict, 'latencyMs' | 'error'>;

/** Episodes handled between yields to the event loop in a big reset or step (fairYield: one
 * chunk of one request per turn of the loop, so small requests wait at most one chunk). */
const WORK_CHUNK = 1024;

export class FactRecallEnv implements LocalEnv {
  private readonly cursors: Partial<Record<SplitName, SplitCursor>> = {};
  private readonly sorted: Partial<Record<SplitName, readonly QARecord[]>>;
  /** Records by id, per split, built on the first reset by questionIds. */
  private readonly byId: Partial<Record<SplitName, Map<string, QARecord>>> = {};
  private readonly book = new EpisodeBook(randomBytes(4).toString('hex'));
  private readonly clock: () => number;
  private readonly specValue: EnvSpec;
  private closed = false;

  constructor(private readonly parts: FactRecallEnvParts) {
    const sorted = prepareSplits(parts.source);
    this.sorted = sorted;
    const sizes: Partial<Record<SplitName, number>> = {};
    for (const [split, records] of Object.entries(sorted) as Array<
      [SplitName, typeof sorted.train]
    >) {
      this.cursors[split] = new SplitCursor(
        parts.options.seed,
        split,
        records!,
        parts.options.start?.[split],
      );
      sizes[split] = records!.length;
    }
    this.clock = parts.options.clock ?? Date.now;
    this.specValue = Object.freeze(
      buildSpec(parts.id, parts.version, parts.source, parts.judge, parts.options, sizes),
    );
  }

  spec(): EnvSpec {
    return this.specValue;
  }

  async reset(opts: ResetOptions): Promise<ResetResult> {
    this.assertUsable();
    const parsed = ResetOptionsSchema.safeParse(opts);
    if (!parsed.success) {
      throw envError(
        'FR_ERR_ENV_BAD_RESET',
        parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; '),
      );
    }
    const { split, batchSize, groupSize, questionIds } = parsed.data;
    const limit = this.parts.options.maxResetEpisodes;
    if (batchSize * groupSize > limit) {
      throw envError(
        'FR_ERR_ENV_BAD_RESET',
        `batchSize x groupSize = ${batchSize * groupSize} episodes, more than maxResetEpisodes (${limit})`,
      );
    }
    const cursor = this.cursors[split];
    if (!cursor || cursor.size === 0) {
      throw envError(
        'FR_ERR_ENV_EMPTY_SPLIT',
        `${split} (source: ${this.parts.source.description})`,
      );
    }
    const items = questionIds ? this.chosen(split, questionIds, batchSize) : undefined;
    const now = this.clock();
    this.book.expire(now);
    const groups = this.book.issue(
      split,
      items ?? cursor.take(batchSize),
      groupSize,
      now + this.parts.options.episodeTtlMs,
    );
    const { dataset } = this.parts.source;
    const prompt = this.parts.options.prompt;
    const observations: Observation[] = [];
    for (const g of groups) {
      if (observations.length >= WORK_CHUNK && observations.length % WORK_CHUNK < groupSize) {
        await fairYield();
      }
      const messages = renderPrompt(prompt, g.record.question);
      for (let index = 0; index < groupSize; index++) {
        observations.push({
          episodeId: episodeIdOf(g.groupId, index),
          groupId: g.groupId,
          index,
          questionId: g.record.id,
          dataset,
          split,
          question: g.record.question,
          messages: messages.map((m) => ({ ...m })),
          prompt,
        });
      }
    }
    const where = cursor.where();
    return { observations, epoch: where.epoch, cursor: where.position, splitSize: cursor.size };
  }

  /**
   * The records of `questionIds` (reset's trainer path), checked whole before anything is
   * issued. They count in the epoch the cursor stands in; the cursor does not move.
   */
  private chosen(
    split: SplitName,
    questionIds: readonly string[],
    batchSize: number,
  ): Array<{ record: QARecord; epoch: number }> {
    if (questionIds.length !== batchSize) {
      throw envError(
        'FR_ERR_ENV_BAD_RESET',
        `questionIds has ${questionIds.length} ids; batchSize is ${batchSize}`,
      );
    }
    let byId = this.byId[split];
    if (!byId) {
      byId = new Map((this.sorted[split] ?? []).map((r) => [r.id, r]));
      this.byId[split] = byId;
    }
    const epoch = this.cursors[split]!.where().epoch;
    return questionIds.map((id) => {
      const record = byId.get(id);
      if (!record) {
        throw envError('FR_ERR_ENV_UNKNOWN_QUESTION', `${id} is not in the ${split} split`, {
          details: { questionId: id, split },
        });
      }
      return { record, epoch };
    });
  }

  async step(actions: readonly Action[]): Promise<StepBatchResult> {
    this.assertUsable();
    const refs = this.validateBatch(actions);
    // From here on nothing throws before every episode is settled.
    for (const ref of refs) this.book.markPending(ref);
    const cap = this.parts.options.maxAnswerChars;
    const extractions: Extraction[] = actions.map((a) =>
      extractAnswer(this.parts.options.prompt, a.answer, cap),
    );
    const items: JudgeItem[] = refs.map((ref, i) => ({
      question: ref.group.record.question,
      answers: ref.group.record.answers,
      prediction: extractions[i]!.text,
    }));
    // Big batches are judged and settled in chunks, yielding to the event loop between them,
    // so a server hosting this env keeps answering other clients meanwhile.
    const outcomes: JudgeOutcome[] = [];
    for (let at = 0; at < items.length; at += WORK_CHUNK) {
      if (at > 0) await fairYield();
      outcomes.push(...(await this.judgeBatch(items.slice(at, at + WORK_CHUNK))));
    }

    const results: StepResult[] = [];
    const touched = new Map<string, EpisodeRef['group']>();
    for (let i = 0; i < refs.length; i++) {
      if (i > 0 && i % WORK_CHUNK === 0) await fairYield();
      const ref = refs[i]!;
      const o = outcomes[i]!;
      this.book.settle(ref, o.reward);
      touched.set(ref.group.groupId, ref.group);
      results.push({
        episodeId: ref.episodeId,
        groupId: ref.group.groupId,
        index: ref.index,
        reward: o.reward,
        verdict: o.verdict,
        status: o.status,
        terminated: true,
        truncated: extractions[i]!.truncated,
        info: {
          questionId: ref.group.record.id,
          extracted: extractions[i]!.text,
          judgeId: o.judgeId,
          cached: o.cached,
          latencyMs: o.latencyMs,
          ...(o.error ? { error: o.error } : {}),
        },
      });
    }
    const groups: GroupStats[] = [...touched.values()].map((g) => this.book.groupStats(g));
    return { results, groups };
  }

  /**
   * The questions of a split sorted by id (the base its seeded order indexes into), for
   * in-process tools such as `factrecall export`; never sent over the wire.
   */
  records(split: SplitName): readonly QARecord[] {
    return this.sorted[split] ?? [];
  }

  gold(episodeId: string): readonly string[] {
    const ref = this.book.get(episodeId);
    if (ref.group.split !== 'train') {
      throw envError(
        'FR_ERR_ENV_GOLD_FORBIDDEN',
        `${episodeId} is in the ${ref.group.split} split`,
      );
    }
    return [...ref.group.record.answers];
  }

  expire(now: number = this.clock()): string[] {
    return this.book.expire(now);
  }

  closeEpisodes(episodeIds: readonly string[]): string[] {
    const refs = episodeIds.map((id) => this.book.get(id));
    return this.book.close(refs);
  }

  stats(): EnvStats {
    if (!this.closed) this.book.expire(this.clock());
    const perSplit = this.book.perSplit();
    return {
      ...sumCounts(Object.values(perSplit)),
      fingerprint: this.specValue.fingerprint,
      groups: this.book.groupCount,
      perSplit,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.book.close(this.book.openEpisodes());
    if (this.parts.ownsJudge) await this.parts.judge.close?.();
  }

  private assertUsable(): void {
    if (this.closed) throw envError('FR_ERR_ENV_CLOSED', this.specValue.id);
  }

  /** Every check on the batch, before anything is applied: it fails whole or not at all. */
  private validateBatch(actions: readonly Action[]): EpisodeRef[] {
    if (!Array.isArray(actions))
      throw envError('FR_ERR_ENV_BAD_BATCH', 'expected a list of actions');
    if (actions.length === 0) throw envError('FR_ERR_ENV_BAD_BATCH', 'the batch is empty');
    const limit = this.parts.options.maxStepActions;
    if (actions.length > limit) {
      throw envError(
        'FR_ERR_ENV_BAD_BATCH',
        `${actions.length} actions, more than maxStepActions (${limit})`,
      );
    }
    const now = this.clock();
    this.book.expire(now);
    const seen = new Set<string>();
    return actions.map((a, i) => {
      if (!a || typeof a.episodeId !== 'string' || typeof a.answer !== 'string') {
        throw envError(
          'FR_ERR_ENV_BAD_BATCH',
          `action ${i}: expected {episodeId: string, answer: string}`,
        );
      }
      if (seen.has(a.episodeId)) throw envError('FR_ERR_ENV_DUPLICATE_EPISODE', a.episodeId);
      seen.add(a.episodeId);
      const ref = this.book.get(a.episodeId);
      this.book.assertOpen(ref, now);
      return ref;
    });
  }

  /**
   * One judge call for the whole batch. A judge that throws, or breaks the contract (wrong
   * count, a reward that does not match its verdict), gives judge_failed for the items it
   * could not decide: reward null, never 0.
   */
  private async judgeBatch(items: readonly JudgeItem[]): Promise<JudgeOutcome[]> {
    const { judge } = this.parts;
    const started = performance.now();
    let verdicts: Verdict[];
    try {
      verdicts = await judge.judge(items);
    } catch (e) {
      const error = isFactRecallError(e)
        ? { code: e.code, message: e.message }
        : envError('FR_ERR_ENV_JUDGE_FAILED', e instanceof Error ? e.message : String(e)).toJSON();
      const latencyMs = performance.now() - started;
      return items.map(() => failed(judge.id, latencyMs, error));
    }
    if (!Array.isArray(verdicts) || verdicts.length !== items.length) {
      const error = envError(
        'FR_ERR_ENV_JUDGE_FAILED',
        `judge ${judge.id} returned ${Array.isArray(verdicts) ? verdicts.length : 'no list of'} verdicts for ${items.length} items`,
      ).toJSON();
      return items.map(() => failed(judge.id, performance.now() - started, error));
    }
    return verdicts.map((v) => checkedVerdict(judge.id, v));
  }
}

const failed = (judgeId: string, latencyMs: number, error: { code: string; message: string }) =>
  failedVerdict(judgeId, error, latencyMs);

const REWARD_OF = { correct: 1, incorrect: 0, not_attempted: 0 } as const;

/** Trust a verdict only when it is self-consistent; otherwise it is a judge failure. */
function checkedVerdict(judgeId: string, v: Verdict): JudgeOutcome {
  const latencyMs = typeof v?.latencyMs === 'number' ? v.latencyMs : 0;
  if (v?.status === 'judge_failed') {
    return failed(
      v.judgeId ?? judgeId,
      latencyMs,
      v.error ?? { code: 'FR_ERR_ENV_JUDGE_FAILED', message: 'the judge gave no verdict' },
    );
  }
  const label = v?.verdict;
  if (
    v?.status !== 'ok' ||
    label == null ||
    !(label in REWARD_OF) ||
    v.reward !== REWARD_OF[label]
  ) {
    return failed(
      judgeId,
      latencyMs,
      envError(
        'FR_ERR_ENV_JUDGE_FAILED',
        `judge ${judgeId} gave an inconsistent verdict: ${JSON.stringify(v)}`,
      ),
    );
  }
  return {
    verdict: label,
    reward: v.reward,
    status: 'ok',
    judgeId: v.judgeId ?? judgeId,
    cached: v.cached === true,
    latencyMs,
  };
}
