import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  RESULT_SCHEMA_ID,
  type RunReport,
  renderReport,
  runReportSchema,
  writeAtomic,
} from './result.ts';

const report = (): RunReport => ({
  schema: RESULT_SCHEMA_ID,
  startedAt: '2026-12-01T12:00:00.000Z',
  finishedAt: '2026-12-01T12:10:00.000Z',
  mode: 'quick',
  command: 'npm run bench -- --quick',
  machine: {
    cpus: 2,
    cpuModel: 'cpu',
    memGiB: 24,
    loadAvgStart: [20, 18, 15],
    loadAvgEnd: [21, 19, 16],
    node: 'v20.20.2',
    python: '3.11.2',
    commit: 'abc',
    dirty: false,
    platform: 'linux',
    note: 'shared machine',
  },
  results: [
    {
      name: 'protocol',
      title: 'Protocol',
      command: 'x',
      status: 'ok',
      seconds: 1,
      tables: [{ title: 'T', header: ['a', 'b'], rows: [['1', '2']] }],
      metrics: { eps: 1 },
    },
    {
      name: 'gpu',
      title: 'GPU',
      command: 'y',
      status: 'skipped',
      reason: 'no GPU',
      seconds: 0,
      tables: [],
    },
    {
      name: 'judge',
      title: 'Judge',
      command: 'z',
      status: 'ok',
      seconds: 2,
      tables: [],
      output: 'raw table\n',
    },
  ],
});

describe('benchmark result files', () => {
  it('accepts a whole report and refuses one without the machine or with an unknown status', () => {
    expect(runReportSchema.parse(report())).toEqual(report());
    const { machine: _m, ...noMachine } = report();
    expect(runReportSchema.safeParse(noMachine).success).toBe(false);
    const bad = report();
    (bad.results[0] as { status: string }).status = 'great';
    expect(runReportSchema.safeParse(bad).success).toBe(false);
  });

  it('renders the machine with its load average first, then each benchmark, its reason and its output', () => {
    const md = renderReport(report());
    expect(md).toContain('2 CPUs');
    expect(md).toContain('at start 20.00 / 18.00 / 15.00');
    expect(md).toContain('shared machine');
    expect(md.indexOf('## Protocol')).toBeLessThan(md.indexOf('## GPU'));
    expect(md).toContain('Skipped: no GPU');
    expect(md).toContain('```text\nraw table\n```');
  });

  it('writes a file whole through a temp file and leaves no temp behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fr-bench-test-'));
    try {
      await writeAtomic(join(dir, 'r.json'), '{"a":1}');
      expect(await readFile(join(dir, 'r.json'), 'utf8')).toBe('{"a":1}');
      expect(await readdir(dir)).toEqual(['r.json']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
