/** The env registry (env/registry.ts) as the host sees it: ids with a description, and make. */
import { listEnvs, make } from '../env/registry.ts';
import type { EnvRegistry } from './host.ts';

const DESCRIPTIONS: Record<string, string> = {
  'FactRecall-v0':
    'closed-book one-hop factual questions answered directly; binary correctness reward from a judge; groups of n episodes per question for GRPO',
};

/** The process's env registry. */
export function envRegistry(): EnvRegistry {
  return {
    list: () => listEnvs().map((id) => ({ id, description: DESCRIPTIONS[id] ?? id })),
    make: (id, options) => make(id, options),
  };
}
