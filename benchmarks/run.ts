/**
 * `npm run bench`: every benchmark that needs no GPU, one after another, into one result.
 * Benchmarks written here run as modules (protocol, GRPO step); those of other areas run as
 * their own scripts, their printed tables kept verbatim. Writes
 * benchmarks/results/<mode>-<time>.json (schema in lib/result.ts) and .md, prints the markdown.
 *
 *   npm run bench                 # full: the figures of benchmarks/README.md (about 30 min on 2 busy cores)
 *   npm run bench -- --quick      # a fast pass over the same code paths (a few minutes)
 *   npm run bench -- --only protocol,judge
 *
 * The OpenEnv peer needs openenv-core in its own venv (.venv-openenv): a full run makes it
 * (one pip install of benchmarks/requirements-openenv.txt); --quick uses it only if present.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cacheDir, REPO_ROOT } from '../lib/paths.ts';
import * as grpo from './grpo_step.ts';
import { describeMachine } from './lib/machine.ts';
import {
  type BenchResult,
  RESULT_SCHEMA_ID,
  type RunReport,
  renderReport,
  runReportSchema,
  writeAtomic,
} from './lib/result.ts';
import { runScript, type ScriptBench } from './lib/subprocess.ts';
import * as protocol from './protocol.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string', default: join(REPO_ROOT, 'benchmarks', 'results') },
    note: {
      type: 'string',
      default:
        'The machine was shared with other work while this ran (see the load average): absolute numbers move with it; the ratios of rows measured in turns hold better.',
    },
  },
});
const quick = values.quick;
const only = values.only ? new Set(values.only.split(',')) : null;
const PY = join(REPO_ROOT, '.venv', 'bin', 'python');
const OPENENV_PY = join(REPO_ROOT, '.venv-openenv', 'bin', 'python');
const tsx = (script: string, ...args: string[]) => ({
  cmd: 'node',
  args: ['--import', 'tsx', `benchmarks/${script}`, ...args],
});
const needs = (path: string, hint: string) => () =>
  existsSync(path) ? null : `${hint} (${path} missing)`;

function ensureOpenEnvVenv(): string | null {
  if (existsSync(OPENENV_PY)) return null;
  if (quick)
    return 'no .venv-openenv (a full run makes it; or: python3 -m venv .venv-openenv && .venv-openenv/bin/pip install -r benchmarks/requirements-openenv.txt)';
  try {
    process.stderr.write('[bench] making .venv-openenv (openenv-core, its own venv)\n');
    execFileSync('python3', ['-m', 'venv', join(REPO_ROOT, '.venv-openenv')], { stdio: 'inherit' });
    execFileSync(
      join(REPO_ROOT, '.venv-openenv', 'bin', 'pip'),
      [
        'install',
        '-q',
        '--disable-pip-version-check',
        '-r',
        join(REPO_ROOT, 'benchmarks', 'requirements-openenv.txt'),
      ],
      { stdio: 'inherit' },
    );
    return null;
  } catch (e) {
    return `could not install openenv-core: ${(e as Error).message}`;
  }
}

const q = <T>(a: T, b: T) => (quick ? a : b);
const scripts: ScriptBench[] = [
  {
    name: 'openenv-peer',
    title: 'A real peer: OpenEnv server and client, beside FactRecall behind the same client',
    cmd: OPENENV_PY,
    args: ['benchmarks/openenv_peer.py', '--episodes', q('300', '1000')],
    timeoutS: q(300, 300),
    missing: ensureOpenEnvVenv,
  },
  {
    name: 'load',
    title: 'Load: concurrent sessions against one serve process',
    ...tsx('load.ts', '--sessions', q('200', '2000'), '--rounds', q('2', '3')),
    timeoutS: q(300, 420),
  },
  {
    name: 'load-batched',
    title: 'Load, batched: 200 sessions each stepping 16 questions x 5 a round',
    ...tsx(
      'load.ts',
      '--sessions',
      '200',
      '--batch',
      '16',
      '--group',
      '5',
      '--rounds',
      q('1', '5'),
      '--big-clients',
      '0',
    ),
    timeoutS: q(300, 420),
  },
  {
    name: 'memory',
    title: 'Memory: a long env and never-reading clients',
    cmd: 'node',
    args: [
      '--import',
      'tsx',
      '--expose-gc',
      'benchmarks/memory.ts',
      '--episodes',
      q('50000', '100000'),
      '--clients',
      q('4', '12'),
    ],
    timeoutS: q(300, 420),
  },
  {
    name: 'judge',
    title: 'Judge client: the LLM judge against a 50 ms server, beside the server alone',
    ...tsx('judge.ts', '--items', q('400', '2000'), '--concurrency', '16,64'),
    // 7 arms x 2 servers x 2 rounds x 2 concurrency levels, at 320 verdicts/s at best for 16.
    timeoutS: q(300, 600),
  },
  {
    name: 'judge-groups',
    title: 'Judge client: verdicts deduplicated within a GRPO group, on real rollouts',
    ...tsx('judge-groups.ts', '--questions', q('32', '128'), '--rounds', q('1', '3')),
    timeoutS: q(420, 600),
    missing: needs(PY, 'no .venv (node scripts/setup.mjs makes it)'),
  },
  {
    name: 'trl-reward',
    title: 'The TRL reward function beside the plain Python client',
    cmd: PY,
    args: ['benchmarks/trl_reward.py', q('3', '10')],
    timeoutS: q(300, 300),
    missing: needs(PY, 'no .venv (node scripts/setup.mjs makes it)'),
  },
  {
    name: 'leaderboard',
    title: 'Leaderboard scoring throughput',
    ...tsx('leaderboard.ts', '--submissions', q('3', '10')),
    timeoutS: q(300, 300),
  },
  {
    name: 'retrieval',
    title: 'Candidate retrieval for fact-level dedup',
    ...tsx('retrieval.ts', '--train', q('2000', '5000')),
    timeoutS: q(300, 300),
  },
  {
    name: 'model-server',
    title: 'Local model server (SmolLM2-135M-Instruct, llama.cpp) tokens/s',
    ...tsx(
      'model-server.ts',
      // As for generation below: --quick is the busy-machine pass, where 2 threads on 2
      // contended cores missed the 300 s deadline (1 thread: several times faster).
      '--threads',
      q('1', '2'),
      '--parallel',
      q('4', '8'),
      '--rounds',
      '1',
      '--max-tokens',
      q('16', '32'),
    ),
    timeoutS: q(300, 300),
    missing: needs(
      cacheDir('models', 'smollm2'),
      'model not fetched: npx factrecall model fetch smollm2',
    ),
  },
  {
    name: 'generation',
    title:
      "Generation tokens/s (SmolLM2-135M-Instruct, CPU): the worker's hf engine, plain transformers generate, llama.cpp",
    ...tsx(
      'generation.ts',
      // --quick is the busy-machine pass: 2 torch threads on 2 contended cores ran several
      // times slower than 1 (the same for every arm); the full run takes both cores.
      '--threads',
      q('1', '2'),
      '--prompts',
      q('4', '8'),
      '--n',
      q('4', '8'),
      '--max-tokens',
      q('16', '32'),
    ),
    timeoutS: q(480, 600),
    missing: () =>
      !existsSync(PY)
        ? 'no .venv (node scripts/setup.mjs makes it)'
        : !existsSync(cacheDir('models', 'smollm2'))
          ? 'model not fetched: npx factrecall model fetch smollm2'
          : null,
  },
];

const want = (name: string) => only === null || only.has(name);
const started = new Date();
const machine = describeMachine(REPO_ROOT, existsSync(PY) ? PY : 'python3', values.note);
const results: BenchResult[] = [];
mkdirSync(values.out, { recursive: true });
const stem = join(
  values.out,
  `${quick ? 'quick' : 'full'}-${started.toISOString().replace(/[:.]/g, '-').slice(0, 19)}`,
);
/** The report so far, written whole after every entry: a run stopped midway keeps what it measured. */
async function save(): Promise<string> {
  const report: RunReport = runReportSchema.parse({
    schema: RESULT_SCHEMA_ID,
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    command: `npm run bench${quick ? ' -- --quick' : ''}${values.only ? ` -- --only ${values.only}` : ''}`,
    machine: { ...machine, loadAvgEnd: loadavg() },
    results,
  });
  const md = renderReport(report);
  await writeAtomic(`${stem}.json`, `${JSON.stringify(report, null, 2)}\n`);
  await writeAtomic(`${stem}.md`, md);
  return md;
}
const guard = async (
  name: string,
  title: string,
  command: string,
  f: () => Promise<BenchResult>,
) => {
  const t0 = performance.now();
  try {
    results.push(await f());
  } catch (e) {
    results.push({
      name,
      title,
      command,
      status: 'failed',
      reason: (e as Error).stack ?? String(e),
      seconds: (performance.now() - t0) / 1000,
      tables: [],
    });
  }
};
const say = (name: string) =>
  process.stderr.write(`[bench] ${name} (load ${loadavg()[0]!.toFixed(1)})\n`);

if (want('protocol')) {
  say('protocol');
  await guard('protocol', 'Protocol', 'node --import tsx benchmarks/protocol.ts', () =>
    protocol.run({ quick }),
  );
  await save();
}
for (const s of scripts) {
  if (!want(s.name)) continue;
  say(s.name);
  results.push(await runScript(s, REPO_ROOT));
  await save();
}
if (want('grpo-step')) {
  say('grpo-step');
  await guard(
    'grpo-step',
    'A GRPO step, dissected',
    'node --import tsx benchmarks/grpo_step.ts',
    () => grpo.run({ quick, smollm2: !quick }),
  );
}
if (want('gpu')) {
  results.push({
    name: 'gpu',
    title: 'GPU',
    command: 'benchmarks/gpu/run.sh',
    status: 'skipped',
    reason:
      'no GPU on this machine: the GPU table (learner MFU, generation on the device) has not run; it is folded in here when a run on a GPU exists, with the GPU named',
    seconds: 0,
    tables: [],
  });
}

const md = await save();
process.stdout.write(md);
process.stderr.write(`[bench] wrote ${stem}.md and .json\n`);
