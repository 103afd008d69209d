/**
 * FactWorld: a seeded, deterministic synthetic world of fictional people and their attributes
 * (birth city, birth year, employer, university, field, ...), the embedded default dataset of
 * FactRecall-v0 and, with a tiny word-level model pretrained on `pretrainCorpus`, a model
 * organism of the paper's effect that runs on a CPU.
 *
 * People fall into groups: `qa` (their question-answer text is in the corpus, teaching the
 * answer format, with a fraction of answers replaced by the attribute's popular value: a
 * general habit to fix), `train` (RL-training people) and `val`/`test` (held-out people).
 * Only biographies, which always tell the truth, mention train, val and test people.
 *
 * ```ts
 * const world = generateWorld({ seed: 1 });
 * const source = worldSplitSource(world);   // env splits: train, val, test
 * const corpus = pretrainCorpus(world);     // documents to pretrain a tiny model on
 * const prompt = formatQuestionPrompt(source.splits.test![0]!.question);
 * ```
 */
export { ATTRIBUTE_NAMES, type AttributeName, DEFAULT_ATTRIBUTES } from './attributes.ts';
export {
  allocateGroups,
  FACTWORLD_VERSION,
  GROUP_NAMES,
  type GroupName,
  parseWorldConfig,
  type WorldConfig,
  type WorldConfigInput,
  worldConfigSchema,
  worldFingerprint,
} from './config.ts';
export {
  type CorpusDocument,
  type CorpusOptions,
  pretrainCorpus,
  pretrainDocuments,
} from './corpus.ts';
export { factworldError } from './errors.ts';
export { formatQA, formatQuestionPrompt, questionText, tokenizeWords } from './format.ts';
export {
  type FactWorldQuestionMeta,
  groupQuestions,
  qaSeenQuestions,
  worldQuestions,
  worldSplitSource,
} from './questions.ts';
export {
  CHANCE_KS,
  type ChanceLevels,
  chanceLevels,
  type WorldStats,
  worldStats,
} from './stats.ts';
export { generateWorld, type Person, type World } from './world.ts';
