import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { generateWorld } from '../../env/datasets/factworld/index.ts';
import { isFactRecallError } from '../../lib/errors.ts';
import { register, runWorldGenerate } from './world.ts';

const root = await mkdtemp(join(tmpdir(), 'factworld-cli-'));
afterAll(() => rm(root, { recursive: true, force: true }));

const FILES = [
  'corpus.txt',
  'questions.qa.jsonl',
  'questions.test.jsonl',
  'questions.train.jsonl',
  'questions.val.jsonl',
  'stats.json',
  'world.json',
];

async function readAll(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await readdir(dir)) out[f] = await readFile(join(dir, f), 'utf8');
  return out;
}

describe('factrecall world generate', () => {
  it('writes the world, corpus, questions per group and stats, and prints the stats table', async () => {
    const out = join(root, 'cli');
    const program = new Command().exitOverride();
    register(program);
    const printed: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      await program.parseAsync(
        ['world', 'generate', '--out', out, '--seed', '4', '--people', '80'],
        {
          from: 'user',
        },
      );
    } finally {
      spy.mockRestore();
    }
    const files = await readAll(out);
    expect(Object.keys(files).sort()).toEqual(FILES);
    const world = JSON.parse(files['world.json']!);
    expect(world.config.seed).toBe(4);
    expect(world.people).toHaveLength(80);
    // world.json's config regenerates the same world.
    const again = generateWorld(world.config);
    expect(again.fingerprint).toBe(world.fingerprint);
    expect(JSON.parse(JSON.stringify(again.people))).toEqual(world.people);
    const stats = JSON.parse(files['stats.json']!);
    expect(files['corpus.txt']!.split('\n')).toHaveLength(stats.corpus.documents + 1);
    const test = files['questions.test.jsonl']!.trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(test).toHaveLength(stats.questions.test);
    expect(test.every((q: { meta: { group: string } }) => q.meta.group === 'test')).toBe(true);
    const report = printed.join('');
    expect(report).toContain(`FactWorld ${stats.fingerprint}`);
    expect(report).toMatch(/^test\s+16\s+80\s/m);
    const corrupted = (100 * stats.qaText.corruptedFraction).toFixed(1);
    expect(report).toContain(`${corrupted}% of answers replaced by the popular value`);
  });

  it('writes byte-identical files for the same config and different ones for another seed', async () => {
    const a = await runWorldGenerate({
      out: join(root, 'a'),
      seed: '1',
      people: '60',
      quiet: true,
    });
    const b = await runWorldGenerate({
      out: join(root, 'b'),
      seed: '1',
      people: '60',
      quiet: true,
    });
    const c = await runWorldGenerate({
      out: join(root, 'c'),
      seed: '2',
      people: '60',
      quiet: true,
    });
    const [fa, fb, fc] = [await readAll(a.dir), await readAll(b.dir), await readAll(c.dir)];
    expect(fa).toEqual(fb);
    expect(fa['corpus.txt']).not.toBe(fc['corpus.txt']);
  });

  it('reads a config file and lets --seed and --people override it', async () => {
    const file = join(root, 'world-config.json');
    await writeFile(file, JSON.stringify({ people: 50, seed: 3, popularAnswerFraction: 0.25 }));
    const r = await runWorldGenerate({
      out: join(root, 'cfg'),
      config: file,
      seed: 9,
      quiet: true,
    });
    const world = JSON.parse(await readFile(join(r.dir, 'world.json'), 'utf8'));
    expect(world.config).toMatchObject({ seed: 9, people: 50, popularAnswerFraction: 0.25 });
    expect(r.stats.qaText.corruptedFraction).toBeCloseTo(0.25, 1);
  });

  it('fails with coded errors on a bad flag, a bad config file or a bad config, writing nothing', async () => {
    const file = join(root, 'broken.json');
    await writeFile(file, '{ "people": ');
    const unknownKey = join(root, 'unknown.json');
    await writeFile(unknownKey, '{ "peeple": 5 }');
    const cases: Array<[Parameters<typeof runWorldGenerate>[0], string]> = [
      [{ people: '12abc' }, 'FR_ERR_FACTWORLD_BAD_CONFIG'],
      [{ seed: '-3' }, 'FR_ERR_FACTWORLD_BAD_CONFIG'],
      [{ config: file }, 'FR_ERR_FACTWORLD_CONFIG_FILE'],
      [{ config: join(root, 'missing.json') }, 'FR_ERR_FACTWORLD_CONFIG_FILE'],
      [{ config: unknownKey }, 'FR_ERR_FACTWORLD_BAD_CONFIG'],
    ];
    for (const [opts, code] of cases) {
      const out = join(root, `bad-${code}-${Object.values(opts).join('')}`.replace(/[^\w-]/g, '_'));
      const error = await runWorldGenerate({ ...opts, out, quiet: true }).catch((e: unknown) => e);
      expect(isFactRecallError(error, code), `${JSON.stringify(opts)}: ${error}`).toBe(true);
      expect(existsSync(out)).toBe(false);
    }
  });
});
