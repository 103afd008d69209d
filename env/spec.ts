/**
 * The env spec and its fingerprint (docs/architecture.md, the env part).
 *
 * The fingerprint is the hash of everything that can change what an agent sees or the reward
 * it gets: the source's content hash, the judge's id and fingerprint, the prompt template (id,
 * version, text), the extraction rules and answer length cap, the question-order scheme, and
 * the env id and version.
 * Two envs with equal fingerprints give the same questions in the same order (for the same
 * seed; the seed is reported beside it, not in it, so runs with different seeds compare as the
 * same task) and judge the same answer the same way.
 */

import type { Judge } from '../judges/types.ts';
import { fingerprintOf } from '../lib/hash.ts';
import { EXTRACTION_RULES_ID } from './extract.ts';
import type { EnvOptions } from './options.ts';
import { ORDER_VERSION } from './order.ts';
import { promptTemplate } from './prompts.ts';
import type { EnvSpec, SplitName, SplitSource } from './types.ts';

export const OBSERVATION_SPACE =
  'one question per episode: {episodeId, groupId, index, questionId, dataset, split, question, ' +
  'messages (chat prompt with the template applied), prompt}; n episodes of one question share a groupId';
export const ACTION_SPACE =
  "{episodeId, answer}: the model's raw text; the env extracts the answer with the prompt's rules " +
  '(direct: first line; cot: the "Final answer:" line) and caps it at maxAnswerChars';
export const REWARD_RANGE: [number, number] = [0, 1];

export interface FingerprintParts {
  envId: string;
  envVersion: number;
  sourceHash: string;
  judgeId: string;
  judgeFingerprint: string;
  prompt: { id: string; version: number; system: string; user: string };
  extraction: string;
  /** The answer length cap changes what the judge sees, so it is part of the task. */
  maxAnswerChars: number;
  order: number;
}

/** The parts the fingerprint hashes, so callers can show what differs between two envs. */
export function fingerprintParts(
  envId: string,
  envVersion: number,
  source: SplitSource,
  judge: Judge,
  options: EnvOptions,
): FingerprintParts {
  const t = promptTemplate(options.prompt);
  return {
    envId,
    envVersion,
    sourceHash: source.hash,
    judgeId: judge.id,
    judgeFingerprint: judge.fingerprint,
    prompt: { id: t.id, version: t.version, system: t.system, user: t.user },
    extraction: EXTRACTION_RULES_ID,
    maxAnswerChars: options.maxAnswerChars,
    order: ORDER_VERSION,
  };
}

export function envFingerprint(parts: FingerprintParts): string {
  return fingerprintOf(parts, 32);
}

export function buildSpec(
  envId: string,
  envVersion: number,
  source: SplitSource,
  judge: Judge,
  options: EnvOptions,
  splitSizes: Partial<Record<SplitName, number>>,
): EnvSpec {
  const t = promptTemplate(options.prompt);
  return {
    id: envId,
    version: envVersion,
    fingerprint: envFingerprint(fingerprintParts(envId, envVersion, source, judge, options)),
    dataset: source.dataset,
    source: source.description,
    sourceHash: source.hash,
    judgeId: judge.id,
    judgeFingerprint: judge.fingerprint,
    prompt: t.id,
    promptVersion: t.version,
    seed: options.seed,
    rewardRange: [...REWARD_RANGE],
    observationSpace: OBSERVATION_SPACE,
    actionSpace: ACTION_SPACE,
    splits: splitSizes,
    limits: {
      maxAnswerChars: options.maxAnswerChars,
      episodeTtlMs: options.episodeTtlMs,
      maxResetEpisodes: options.maxResetEpisodes,
      maxStepActions: options.maxStepActions,
    },
  };
}
