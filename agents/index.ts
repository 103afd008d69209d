/** Agents that speak the env API. Scripted ones (oracle, prior) are for tests and demos. */
export { oracleFromGold, oracleFromSource } from './oracle.ts';
export { metaAttribute, mostFrequent, type PriorTable, priorAgent, priorTable } from './prior.ts';
export { type RunOptions, type RunSummary, runEpisodes } from './run-episodes.ts';
export { formatAnswer, type ScriptedAgent } from './scripted.ts';
