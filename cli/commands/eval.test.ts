/**
 * `factrecall eval` as a user runs it (a child process), against the rules-based Chat
 * Completions test server and an env server started here (--env-url): the printed table,
 * the reports, the plot and the episodes, and a rerun that resumes.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPreparedSplits } from '../../env/splits/load.ts';
import { prepareDataset } from '../../env/splits/prepare-dataset.ts';
import type { RunningServer } from '../../protocol/server.ts';
import { cli } from '../../test/support/cli.ts';
import { BASE_SEED, type EvalServers, startEvalServers } from '../../test/support/eval-fixture.ts';
import { type OpenAiTestServer, startOpenAiTestServer } from '../../test/support/openai-server.ts';

let servers: EvalServers;
let llm: OpenAiTestServer;
let env: RunningServer;
let dir: string;

beforeAll(async () => {
  servers = await startEvalServers();
  ({ llm, env, dir } = servers);
});
afterAll(async () => servers?.close());

/** `eval` against the two test servers. */
const connect = () => [
  'eval',
  '--model',
  'test-model',
  '--base-url',
  llm.baseURL,
  '--env-url',
  env.wsUrl,
];

describe('factrecall eval (CLI)', () => {
  it('prints the table with pass@k and maj@k, writes reports, the SVG plot and the episodes, and a rerun resumes without model calls', async () => {
    const args = connect();
    args.push('--splits', 'capitals', '--split', 'val', '--baseline', 'maj', '--samples', '4');
    args.push('--judge', 'contains', '--seed', String(BASE_SEED), '--out', dir, '--quiet');
    const r = await cli(...args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      '| capitals | val | maj | contains | 4 | 4 | 43.8% | 18.8% | 53.8% | 48.3% | 0 | 0 |',
    );
    expect(r.stdout).toContain('| 2 | 58.3% | 75.0% | 4 |');
    expect(r.stdout).toContain('| 4 | 75.0% | 50.0% | 4 |');
    const base = join(dir, 'capitals.val.maj.s4.contains');
    for (const ext of ['.json', '.md', '.svg', '.episodes.jsonl'])
      expect(existsSync(base + ext), ext).toBe(true);
    expect(readFileSync(`${base}.svg`, 'utf8')).toMatch(
      /^<svg[^>]*>\n<title>pass@k and maj@k: [\s\S]*<\/svg>\n$/,
    );
    const report = JSON.parse(readFileSync(`${base}.json`, 'utf8'));
    expect(report.fingerprint).toMatch(/^[0-9a-f]{8,}$/);
    expect(report.passAtK[1].value).toBeCloseTo(7 / 12, 12);

    const before = llm.requests.length;
    const again = await cli(...args);
    expect(again.code, again.stderr).toBe(0);
    expect(llm.requests.length).toBe(before);
    expect(again.stdout).toContain('0 answers generated now');
  }, 120_000);

  it('refuses bad options with coded errors', async () => {
    const common = [...connect(), '--splits', 'capitals'];
    // Each case is a child process (seconds on a busy machine): the CLI-level checks only; the
    // rest of the option checks are exercised through runEval and OpenAiPolicy.
    const cases: Array<[string[], RegExp]> = [
      [['--samples', '4', '--k', '8'], /FR_ERR_AGENT_BAD_OPTION.*--k 8 exceeds/],
      [['--split', 'test', '--samples', '4'], /FR_ERR_AGENT_NEEDS_REWARDS/],
    ];
    for (const [extra, want] of cases) {
      const r = await cli(...common, '--out', join(dir, 'bad'), ...extra);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(want);
    }
    const noUrl = await cli(
      'eval',
      '--model',
      'gpt-x',
      '--splits',
      'capitals',
      '--env-url',
      env.wsUrl,
    );
    expect(noUrl.stderr).toMatch(/FR_ERR_AGENT_BAD_OPTION.*--base-url is needed/);
  }, 120_000);
});

describe('factrecall eval on a test subsample through its own env server', () => {
  it('pins the first --questions test questions as the eval subset, so the run is complete and the server reports its accuracy', async () => {
    const root = mkdtempSync(join(tmpdir(), 'fr-eval-sub-'));
    const prepared = join(root, 'factworld');
    await prepareDataset({
      dataset: 'factworld',
      factworld: { people: 60 },
      outDir: prepared,
      quiet: true,
    });
    const test = (await loadPreparedSplits(prepared)).splits.test!;
    // Answers the gold of the split's first two test questions, nonsense to the rest.
    const gold = new Map(test.slice(0, 2).map((r) => [r.question, r.answers[0]!]));
    const model = await startOpenAiTestServer({
      answerer: (body) => {
        const q = String(body.messages.at(-1)?.content ?? '');
        for (const [question, answer] of gold) if (q.includes(question)) return answer;
        return 'no idea at all';
      },
    });
    try {
      const r = await cli(
        'eval',
        '--model',
        'test-model',
        '--base-url',
        model.baseURL,
        '--splits',
        prepared,
        '--split',
        'test',
        '--questions',
        '5',
        '--judge',
        'exact',
        '--out',
        join(root, 'out'),
        '--quiet',
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/only the server's aggregate is known: 2\/5 correct/);
    } finally {
      await model.close();
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);
});
