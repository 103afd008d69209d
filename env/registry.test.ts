import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capitalsSource } from '../test/support/env-doubles.ts';
import { openFileCount } from '../test/support/open-files.ts';
import { FactRecallEnv } from './factrecall-env.ts';
import { parseEnvOptions } from './options.ts';
import { listEnvs, make, parseEnvId, register } from './registry.ts';

describe('the env registry', () => {
  it('has FactRecall-v0 registered by default and makes it', async () => {
    expect(listEnvs()).toContain('FactRecall-v0');
    const env = await make('FactRecall-v0', { source: capitalsSource() });
    expect(env).toBeInstanceOf(FactRecallEnv);
    expect(env.spec().id).toBe('FactRecall-v0');
  });

  it('validates ids as Name-vN', async () => {
    expect(parseEnvId('FactRecall-v0')).toEqual({ name: 'FactRecall', version: 0 });
    expect(parseEnvId('My-Env-v12')).toEqual({ name: 'My-Env', version: 12 });
    for (const bad of [
      'FactRecall',
      'FactRecall-v',
      'FactRecall-v01',
      'factrecall v0',
      '-v0',
      'X-V0',
    ]) {
      expect(() => parseEnvId(bad), bad).toThrow(
        expect.objectContaining({ code: 'FR_ERR_ENV_BAD_ID' }),
      );
    }
    await expect(make('FactRecall')).rejects.toMatchObject({ code: 'FR_ERR_ENV_BAD_ID' });
  });

  it('names the known ids when asked for an unknown one', async () => {
    const e = await make('FactRecall-v9').catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'FR_ERR_ENV_UNKNOWN_ID' });
    expect((e as Error).message).toContain('FactRecall-v0');
  });

  it('registers new ids once, and refuses to replace one', async () => {
    const id = `RegistryTest-v${process.pid}`;
    register(
      id,
      (options) =>
        new FactRecallEnv({
          id,
          version: process.pid,
          options: parseEnvOptions(options),
          source: capitalsSource(),
          judge: { id: 'exact-stub', fingerprint: 'x', judge: async () => [] },
          ownsJudge: false,
        }),
    );
    expect(listEnvs()).toContain(id);
    expect((await make(id)).spec().id).toBe(id);
    expect(() =>
      register(id, () => {
        throw new Error('unreachable');
      }),
    ).toThrow(expect.objectContaining({ code: 'FR_ERR_ENV_ALREADY_REGISTERED' }));
    expect(() =>
      register('bad id', () => {
        throw new Error('unreachable');
      }),
    ).toThrow(expect.objectContaining({ code: 'FR_ERR_ENV_BAD_ID' }));
  });
});

describe('env options', () => {
  it('fill defaults and freeze', () => {
    const o = parseEnvOptions({});
    expect(o).toMatchObject({ judge: 'exact', prompt: 'direct', seed: 0, maxAnswerChars: 200 });
    expect(Object.isFrozen(o)).toBe(true);
  });

  it('refuse unknown keys, naming the nearest known one and listing all', () => {
    const e = (() => {
      try {
        parseEnvOptions({ sed: 3 });
      } catch (x) {
        return x as Error & { code: string };
      }
    })();
    expect(e?.code).toBe('FR_ERR_ENV_BAD_OPTIONS');
    expect(e?.message).toMatch(
      /unknown option 'sed' \(did you mean 'seed'\?\); known options: source, splits, force, judge, prompt, seed/,
    );
  });

  it('refuse values of the wrong type or range, saying which field', () => {
    expect(() => parseEnvOptions({ prompt: 'fewshot' })).toThrow(/prompt:/);
    expect(() => parseEnvOptions({ seed: -1 })).toThrow(/seed:/);
    expect(() => parseEnvOptions({ maxAnswerChars: 0 })).toThrow(/maxAnswerChars:/);
    expect(() => parseEnvOptions({ source: { dataset: 'nope' } })).toThrow(/source:/);
    expect(() => parseEnvOptions({ judge: 42 })).toThrow(/judge:/);
  });

  it('pass judge specs to createJudge, and report a spec it refuses as FR_ERR_ENV_BAD_OPTIONS with the judge error as cause', async () => {
    const refused = await make('FactRecall-v0', {
      source: capitalsSource(),
      judge: 'oracle',
    }).catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: 'FR_ERR_ENV_BAD_OPTIONS',
      message: expect.stringMatching(/judge: .*unknown judge kind "oracle"/),
      cause: expect.objectContaining({ code: 'FR_ERR_JUDGE_INVALID_SPEC' }),
    });
    const env = await make('FactRecall-v0', { source: capitalsSource(), judge: 'contains' });
    expect(env.spec().judgeId).toBe('contains');
  });

  it('refuse a source with a duplicate id or a record without answers', async () => {
    const dup = capitalsSource();
    dup.splits.train = [...dup.splits.train!, dup.splits.train![0]!];
    await expect(make('FactRecall-v0', { source: dup })).rejects.toMatchObject({
      code: 'FR_ERR_ENV_BAD_SOURCE',
    });
    const noAnswers = capitalsSource();
    noAnswers.splits.test = [{ ...noAnswers.splits.test![0]!, answers: [] }];
    await expect(make('FactRecall-v0', { source: noAnswers })).rejects.toThrow(/answers/);
  });

  it('close the judge they made when the source is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fr-env-judge-'));
    try {
      const cachePath = join(dir, 'verdicts.sqlite');
      const dup = capitalsSource();
      dup.splits.train = [...dup.splits.train!, dup.splits.train![0]!];
      const judge = {
        kind: 'llm',
        options: { baseURL: 'http://127.0.0.1:9/v1', model: 'm', cachePath },
      };
      await expect(make('FactRecall-v0', { source: dup, judge })).rejects.toMatchObject({
        code: 'FR_ERR_ENV_BAD_SOURCE',
      });
      expect(openFileCount(cachePath) ?? 0).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
