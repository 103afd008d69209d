import { describe, expect, it } from 'vitest';
import { isFactRecallError } from '../../../lib/errors.ts';
import {
  allocateGroups,
  GROUP_NAMES,
  parseWorldConfig,
  worldConfigSchema,
  worldFingerprint,
} from './config.ts';

function badConfigMessage(input: unknown): string {
  try {
    parseWorldConfig(input);
  } catch (e) {
    expect(isFactRecallError(e, 'FR_ERR_FACTWORLD_BAD_CONFIG')).toBe(true);
    return (e as Error).message;
  }
  throw new Error('config was accepted');
}

describe('the FactWorld config', () => {
  it('fills every default from an empty config, and spells out per-attribute defaults', () => {
    const cfg = parseWorldConfig({});
    expect(cfg.people).toBe(400);
    expect(cfg.attributes).toEqual(['birth_city', 'birth_year', 'employer', 'university', 'field']);
    expect(cfg.poolSizes).toEqual({
      birth_city: 80,
      birth_year: 60,
      employer: 80,
      university: 60,
      field: 60,
    });
    expect(cfg.popularValue).toEqual({
      birth_city: 0,
      birth_year: 0,
      employer: 0,
      university: 0,
      field: 0,
    });
    expect(cfg.popularAnswerFraction).toBe(0.6);
    expect(cfg.biographiesPerPerson).toBe(6);
  });

  it('documents every field, and every field has a default', () => {
    for (const [key, field] of Object.entries(worldConfigSchema.shape)) {
      expect(field.description, key).toMatch(/^.{20,}$/);
      expect(field.description, key).toMatch(/default/i);
    }
    expect(Object.keys(parseWorldConfig({})).sort()).toEqual(
      Object.keys(worldConfigSchema.shape).sort(),
    );
  });

  it('is frozen all the way down', () => {
    const cfg = parseWorldConfig({});
    expect(Object.isFrozen(cfg)).toBe(true);
    expect(Object.isFrozen(cfg.groups)).toBe(true);
    expect(Object.isFrozen(cfg.attributes)).toBe(true);
  });

  it('fingerprints the empty config and its explicit defaults alike, and a changed seed differently', () => {
    const explicit = parseWorldConfig(JSON.parse(JSON.stringify(parseWorldConfig({}))));
    expect(worldFingerprint(explicit)).toBe(worldFingerprint(parseWorldConfig({})));
    expect(worldFingerprint(parseWorldConfig({ seed: 1 }))).not.toBe(
      worldFingerprint(parseWorldConfig({})),
    );
  });

  it('rejects an unknown key with a coded error naming it', () => {
    expect(badConfigMessage({ peeple: 10 })).toMatch(/peeple/);
    expect(
      badConfigMessage({ groups: { qa: 0.3, train: 0.4, val: 0.1, test: 0.2, x: 0 } }),
    ).toMatch(/groups.*x/);
  });

  it('rejects group fractions that do not sum to 1, or leave train or test empty', () => {
    expect(badConfigMessage({ groups: { qa: 0.5, train: 0.5, val: 0.5, test: 0.5 } })).toMatch(
      /sum to 1/,
    );
    expect(badConfigMessage({ groups: { qa: 0.5, train: 0, val: 0, test: 0.5 } })).toMatch(
      /groups.train/,
    );
    expect(badConfigMessage({ groups: { qa: 0.5, train: 0.5, val: 0, test: 0 } })).toMatch(
      /groups.test/,
    );
    expect(badConfigMessage({ groups: { qa: -0.5, train: 1, val: 0.3, test: 0.2 } })).toMatch(
      /groups.qa/,
    );
  });

  it('rejects too few people to fill every group with a positive fraction', () => {
    expect(
      badConfigMessage({ people: 5, groups: { qa: 0.1, train: 0.5, val: 0.1, test: 0.3 } }),
    ).toMatch(/people/);
  });

  it('rejects out-of-range values, repeated attributes, and pools or popular values of absent attributes', () => {
    expect(badConfigMessage({ people: 2.5 })).toMatch(/people/);
    expect(badConfigMessage({ seed: -1 })).toMatch(/seed/);
    expect(badConfigMessage({ popularAnswerFraction: 1.5 })).toMatch(/popularAnswerFraction/);
    expect(badConfigMessage({ attributes: ['field', 'field'] })).toMatch(/repeat/);
    expect(badConfigMessage({ attributes: ['height'] })).toMatch(/attributes/);
    expect(badConfigMessage({ poolSizes: { residence_city: 10 } })).toMatch(
      /poolSizes.residence_city/,
    );
    expect(badConfigMessage({ poolSizes: { field: 1000 } })).toMatch(/at most 144/);
    expect(badConfigMessage({ poolSizes: { birth_year: 1 } })).toMatch(/poolSizes.birth_year/);
    expect(badConfigMessage({ popularValue: { birth_year: 60 } })).toMatch(/outside the pool/);
  });

  it('names every bad field at once', () => {
    const message = badConfigMessage({ people: 0, truthSkew: -1 });
    expect(message).toMatch(/people/);
    expect(message).toMatch(/truthSkew/);
  });
});

describe('allocateGroups', () => {
  it('hands out exactly all people, each group within one of its exact share', () => {
    const fractions = { qa: 0.3, train: 0.4, val: 0.1, test: 0.2 };
    for (const people of [4, 7, 13, 400, 401, 999]) {
      const counts = allocateGroups(people, fractions);
      expect(GROUP_NAMES.reduce((s, g) => s + counts[g], 0)).toBe(people);
      for (const g of GROUP_NAMES) {
        expect(Math.abs(counts[g] - people * fractions[g])).toBeLessThan(1);
      }
    }
  });
});
