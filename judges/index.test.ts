import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFileCount } from '../test/support/open-files.ts';
import { ContainsJudge } from './contains.ts';
import { ExactJudge } from './exact.ts';
import { createJudge } from './index.ts';

describe('createJudge', () => {
  it('builds the judge a name or a {kind, options} spec asks for', () => {
    expect(createJudge('exact')).toBeInstanceOf(ExactJudge);
    expect(createJudge({ kind: 'exact' })).toBeInstanceOf(ExactJudge);
    expect(createJudge('contains')).toBeInstanceOf(ContainsJudge);
    expect(createJudge({ kind: 'contains', options: { maxWords: 4 } }).fingerprint).toBe(
      new ContainsJudge({ maxWords: 4 }).fingerprint,
    );
  });

  it('refuses unknown kinds and options with FR_ERR_JUDGE_INVALID_SPEC', () => {
    expect(() => createJudge('fuzzy' as never)).toThrow(/unknown judge kind "fuzzy"/);
    expect(() => createJudge(null as never)).toThrow(/unknown or malformed judge spec/);
    expect(() => createJudge({ kind: 'exact', options: { x: 1 } } as never)).toThrow(
      /takes no options/,
    );
    let caught: unknown;
    try {
      createJudge('nope' as never);
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ code: 'FR_ERR_JUDGE_INVALID_SPEC', retryable: false });
  });

  it('gives different judges different fingerprints', () => {
    expect(createJudge('exact').fingerprint).not.toBe(createJudge('contains').fingerprint);
  });

  it('closes the panel members it made when a later member or the panel itself is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fr-judge-spec-'));
    try {
      const cachePath = join(dir, 'verdicts.sqlite');
      const llm = {
        kind: 'llm' as const,
        options: { baseURL: 'http://127.0.0.1:9/v1', model: 'm', cachePath },
      };
      expect(() =>
        createJudge({ kind: 'panel', options: { judges: [llm, 'fuzzy' as never] } }),
      ).toThrow(/unknown judge kind "fuzzy"/);
      expect(openFileCount(cachePath) ?? 0).toBe(0);
      expect(() => createJudge({ kind: 'panel', options: { judges: [llm] } })).toThrow(
        /at least two judges/,
      );
      expect(openFileCount(cachePath) ?? 0).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
