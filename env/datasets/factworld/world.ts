/**
 * `generateWorld`: the people of a FactWorld, their true attributes, the value pools and the
 * popular values. A pure function of the config: every random choice draws from its own
 * seeded stream (names, each pool, each attribute's truths, the groups), so one part of the
 * world does not shift when an unrelated part is drawn differently.
 */
import { Rng, seededPermutation, seedFrom } from '../../../lib/rng.ts';
import { ATTRIBUTES, type AttributeName, reservedWords } from './attributes.ts';
import {
  allocateGroups,
  GROUP_NAMES,
  type GroupName,
  parseWorldConfig,
  poolSizeOf,
  type WorldConfig,
  type WorldConfigInput,
  worldFingerprint,
} from './config.ts';
import { factworldError } from './errors.ts';
import { inventPeopleNames, NameMint } from './names.ts';

/** One fictional person. */
export interface Person {
  /** `p0000`, `p0001`, ... in generation order; stable for a config. */
  readonly id: string;
  /** "First Surname", unique in the world. */
  readonly name: string;
  readonly group: GroupName;
  /** The truth, one value per configured attribute. */
  readonly attributes: Readonly<Partial<Record<AttributeName, string>>>;
}

/** A generated world. Read-only; same config => same world. */
export interface World {
  readonly config: WorldConfig;
  /** Fingerprint of the config and generator version (the env's split hash). */
  readonly fingerprint: string;
  readonly people: readonly Person[];
  /** The configured attributes, in config order. */
  readonly attributeNames: readonly AttributeName[];
  /** Every value `attr` can take, in rank order of the truth distribution (index 0 likeliest). */
  valuePool(attr: AttributeName): readonly string[];
  /** How many people hold each value of `attr` (zero counts included), in pool order. */
  valueCounts(attr: AttributeName): ReadonlyMap<string, number>;
  /** The value of `attr` most people hold (ties: the earlier in the pool): the prior agent's answer. */
  mostFrequentValue(attr: AttributeName): string;
  /** The value the corpus's question-answer text is biased toward (see `popularAnswerFraction`). */
  popularValue(attr: AttributeName): string;
  /** The fact `attr` of `person`. */
  fact(person: Person, attr: AttributeName): string;
}

interface AttributeData {
  pool: string[];
  counts: Map<string, number>;
  /** Pool values by count, descending; ties keep pool order. */
  byFrequency: string[];
  popular: string;
}

/** Draw `n` indices from weights (i+1)^-skew over `size` values (inverse CDF, binary search). */
function sampleZipf(rng: Rng, size: number, skew: number, n: number): number[] {
  const cdf: number[] = [];
  let total = 0;
  for (let i = 0; i < size; i++) {
    total += (i + 1) ** -skew;
    cdf.push(total);
  }
  return Array.from({ length: n }, () => {
    const u = rng.next() * total;
    let lo = 0;
    let hi = size - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  });
}

/**
 * Generate the world of `config` (any subset of `WorldConfig`; the rest defaults).
 * Throws FR_ERR_FACTWORLD_BAD_CONFIG for an invalid config.
 */
export function generateWorld(config: WorldConfigInput | WorldConfig = {}): World {
  const cfg = parseWorldConfig(config);
  const stream = (...parts: Array<string | number>) =>
    new Rng(seedFrom(cfg.seed, 'factworld', ...parts));
  const mint = new NameMint(reservedWords());

  const pools = new Map<AttributeName, string[]>();
  for (const attr of cfg.attributes) {
    pools.set(attr, ATTRIBUTES[attr].makePool(stream('pool', attr), mint, poolSizeOf(cfg, attr)));
  }
  const names = inventPeopleNames(stream('names'), mint, cfg.people);
  const truths = new Map<AttributeName, number[]>();
  for (const attr of cfg.attributes) {
    truths.set(
      attr,
      sampleZipf(stream('truth', attr), pools.get(attr)!.length, cfg.truthSkew, cfg.people),
    );
  }

  const groupOf: GroupName[] = new Array(cfg.people);
  const counts = allocateGroups(cfg.people, cfg.groups);
  const order = seededPermutation(cfg.people, cfg.seed, 'factworld', 'groups');
  let at = 0;
  for (const g of GROUP_NAMES) for (let k = 0; k < counts[g]; k++) groupOf[order[at++]!] = g;

  const width = Math.max(4, String(cfg.people - 1).length);
  const people: Person[] = names.map((name, i) =>
    Object.freeze({
      id: `p${String(i).padStart(width, '0')}`,
      name,
      group: groupOf[i]!,
      attributes: Object.freeze(
        Object.fromEntries(cfg.attributes.map((a) => [a, pools.get(a)![truths.get(a)![i]!]!])),
      ),
    }),
  );

  const data = new Map<AttributeName, AttributeData>();
  for (const attr of cfg.attributes) {
    const pool = pools.get(attr)!;
    const valueCounts = new Map(pool.map((v) => [v, 0]));
    for (const p of people) {
      const v = p.attributes[attr]!;
      valueCounts.set(v, valueCounts.get(v)! + 1);
    }
    const rankOf = new Map(pool.map((v, i) => [v, i]));
    const byFrequency = [...pool].sort(
      (a, b) => valueCounts.get(b)! - valueCounts.get(a)! || rankOf.get(a)! - rankOf.get(b)!,
    );
    const choice = cfg.popularValue[attr] ?? 0;
    let popular: string;
    if (typeof choice === 'number') popular = byFrequency[choice]!;
    else if (valueCounts.has(choice)) popular = choice;
    else {
      throw factworldError(
        'FR_ERR_FACTWORLD_BAD_CONFIG',
        `popularValue.${attr}: "${choice}" is not a value of the ${attr} pool`,
      );
    }
    data.set(attr, {
      pool: Object.freeze(pool) as string[],
      counts: valueCounts,
      byFrequency,
      popular,
    });
  }

  const get = (attr: AttributeName): AttributeData => {
    const d = data.get(attr);
    if (!d) {
      throw factworldError(
        'FR_ERR_FACTWORLD_UNKNOWN_ATTRIBUTE',
        `${attr} (this world has ${cfg.attributes.join(', ')})`,
      );
    }
    return d;
  };

  return Object.freeze({
    config: cfg,
    fingerprint: worldFingerprint(cfg),
    people: Object.freeze(people),
    attributeNames: cfg.attributes,
    valuePool: (attr: AttributeName) => get(attr).pool,
    valueCounts: (attr: AttributeName) => get(attr).counts,
    mostFrequentValue: (attr: AttributeName) => get(attr).byFrequency[0]!,
    popularValue: (attr: AttributeName) => get(attr).popular,
    fact(person: Person, attr: AttributeName): string {
      get(attr);
      return person.attributes[attr]!;
    },
  });
}
