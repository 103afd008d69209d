import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFactRecallError } from '../../lib/errors.ts';
import { hasSharedDatasets, sharedDatasetsDir } from '../../lib/paths.ts';
import { startTestMirror, type TestMirror } from '../../test/support/test-mirror.ts';
import { register, runDataFetch, runDataStats } from './data.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fr-data-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('factrecall data', () => {
  it('registers fetch and stats under the data group, each command and option described in words its help shows', () => {
    const program = new Command();
    register(program);
    const data = program.commands.find((c) => c.name() === 'data')!;
    const words = (text: string) => text.trim().split(/\s+/).filter(Boolean).length;
    expect(data.commands.map((c) => c.name()).sort()).toEqual(
      expect.arrayContaining(['fetch', 'stats']),
    );
    for (const name of ['fetch', 'stats']) {
      const cmd = data.commands.find((c) => c.name() === name)!;
      expect(words(cmd.description()), `${name}: ${cmd.description()}`).toBeGreaterThanOrEqual(3);
      expect(cmd.options.length, name).toBeGreaterThan(0);
      // Help wraps long lines: compare with runs of whitespace made one space.
      const flat = (text: string) => text.replace(/\s+/g, ' ');
      const help = flat(cmd.helpInformation());
      expect(help).toContain(flat(cmd.description()));
      for (const opt of cmd.options) {
        expect(words(opt.description), `${name} ${opt.flags}`).toBeGreaterThanOrEqual(2);
        expect(help).toContain(flat(opt.description));
      }
    }
  });

  it('stats lists the malformed rows of a file with their lines, and counts repeated questions', async () => {
    const path = join(dir, 'bad.jsonl');
    await writeFile(
      path,
      '{"question": "q1", "answer": ["a"]}\n{"question": "q1", "answer": ["b"]}\n{oops\n{"question": "q3"}\n',
    );
    const text = await runDataStats(path, { quiet: true });
    expect(text).toContain('rows read 4: 2 loaded, 2 malformed');
    expect(text).toContain('line 3 (row 3): FR_ERR_DATASET_BAD_JSON');
    expect(text).toContain('line 4 (row 4): FR_ERR_DATASET_MISSING_ANSWER');
    expect(text).toContain('1 texts repeated, 1 extra rows');
    const json = JSON.parse(await runDataStats(path, { quiet: true, json: true, errors: '1' }));
    expect(json.firstErrors).toHaveLength(1);
    await expect(runDataStats(path, { errors: 'x' })).rejects.toSatisfy((e) =>
      isFactRecallError(e, 'FR_ERR_DATASET_BAD_OPTION'),
    );
  });

  describe.skipIf(!hasSharedDatasets())('with the real files', () => {
    let mirror: TestMirror;
    beforeAll(async () => {
      const nq = await readFile(join(sharedDatasetsDir(), 'nq_open/NQ-open.dev.jsonl'));
      mirror = await startTestMirror({ 'nq_open/NQ-open.dev.jsonl': nq });
    });
    afterAll(() => mirror.close());

    it('stats of a dataset name reads its shared real file', async () => {
      const text = await runDataStats('nq_open', { quiet: true });
      expect(text).toContain('rows read 3610: 3610 loaded, 0 malformed');
    });

    it('fetch downloads from a mirror into the cache and reports the rows it loaded', async () => {
      const before = process.env.FACTRECALL_CACHE;
      process.env.FACTRECALL_CACHE = join(dir, 'cache');
      try {
        const { text, failures } = await runDataFetch('nq_open', {
          part: ['dev'],
          baseUrl: mirror.baseUrl,
          quiet: true,
        });
        expect(text).toMatch(/nq_open\/dev: downloaded .*verified by sha256/);
        expect(text).toContain('3610 rows loaded, 0 malformed');
        expect(failures).toEqual([]);
        const { text: again } = await runDataFetch('nq_open', {
          part: ['dev'],
          baseUrl: mirror.baseUrl,
          quiet: true,
        });
        expect(again).toMatch(/nq_open\/dev: cached /);
        // The default parts include train, which this mirror lacks: dev is still reported.
        const both = await runDataFetch('nq_open', {
          baseUrl: mirror.baseUrl,
          quiet: true,
          retries: '0',
        });
        expect(both.text).toMatch(/nq_open\/dev: cached /);
        expect(both.text).toMatch(/nq_open\/train: FAILED: .*HTTP 404/);
        expect(both.failures.map((f) => f.part)).toEqual(['train']);
      } finally {
        if (before === undefined) delete process.env.FACTRECALL_CACHE;
        else process.env.FACTRECALL_CACHE = before;
      }
    });
  });
});
