/**
 * The arrows of docs/architecture.md, checked on the real import graph: no import cycles, each
 * part imports only the parts below it, and production code imports no test code. The graph is
 * read with TypeScript's own pre-processor (test/support/import-graph.ts), so `import type` and
 * `export ... from` count like any other import.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  findCycles,
  type ImportGraph,
  type Layer,
  layerOf,
  packageImportsOf,
  readImportGraph,
  wrongWayImports,
} from './support/import-graph.ts';

const root = join(import.meta.dirname, '..');

const CORE = ['lib', 'llm-chat', 'judge-contract', 'env-contract', 'judges', 'env'];
const WIRE = ['wire', 'client', 'server'];
const BELOW_APPS = [...CORE, ...WIRE];

/** The parts, bottom up; a layer may import itself and the layers it lists. */
const LAYERS: readonly Layer[] = [
  { name: 'llm-chat', paths: ['lib/llm/chat.ts'], mayImport: [] },
  { name: 'lib', paths: ['lib/'], mayImport: ['llm-chat'] },
  { name: 'judge-contract', paths: ['judges/types.ts'], mayImport: [] },
  { name: 'judges', paths: ['judges/'], mayImport: ['judge-contract', 'lib', 'llm-chat'] },
  {
    name: 'env-contract',
    paths: ['env/types.ts', 'env/schemas.ts'],
    mayImport: ['judge-contract', 'llm-chat'],
  },
  {
    name: 'env',
    paths: ['env/'],
    mayImport: ['env-contract', 'judges', 'judge-contract', 'lib', 'llm-chat'],
  },
  {
    name: 'wire',
    paths: [
      'protocol/schema.ts',
      'protocol/errors.ts',
      'protocol/codec.ts',
      'protocol/proto-codec.ts',
    ],
    mayImport: ['env-contract', 'judge-contract', 'llm-chat', 'lib'],
  },
  {
    name: 'client',
    paths: ['protocol/client/'],
    mayImport: ['wire', 'env-contract', 'judge-contract', 'llm-chat', 'lib'],
  },
  { name: 'server', paths: ['protocol/'], mayImport: [...CORE, 'wire'] },
  { name: 'models', paths: ['models/'], mayImport: BELOW_APPS },
  { name: 'agents', paths: ['agents/'], mayImport: [...BELOW_APPS, 'models'] },
  { name: 'cuda-agent', paths: ['cuda-agent/'], mayImport: [...BELOW_APPS, 'models', 'agents'] },
  { name: 'leaderboard', paths: ['leaderboard/'], mayImport: [...BELOW_APPS, 'models', 'agents'] },
  {
    name: 'cli',
    paths: ['cli/'],
    mayImport: [...BELOW_APPS, 'models', 'agents', 'cuda-agent', 'leaderboard'],
  },
  { name: 'bin', paths: ['bin/'], mayImport: ['cli'] },
];

/** Test files and test support are clients of everything; only production code is checked. */
function isTestCode(file: string): boolean {
  return /\.test(-d)?\.ts$/.test(file) || file.startsWith('test/');
}

function productionGraph(graph: ImportGraph): ImportGraph {
  return new Map([...graph].filter(([f]) => !isTestCode(f) && !f.startsWith('benchmarks/')));
}

/** Every file the layer rules see must be in a layer, so a new folder cannot dodge them. */
function unlayered(graph: ImportGraph): string[] {
  const out = new Set<string>();
  for (const [from, targets] of graph) {
    if (!layerOf(from, LAYERS)) continue;
    for (const to of targets) if (!isTestCode(to) && !layerOf(to, LAYERS)) out.add(to);
  }
  return [...out];
}

const graph = readImportGraph(root);

describe('the import graph (docs/architecture.md)', () => {
  it('has no import cycles', () => {
    expect(findCycles(graph)).toEqual([]);
  });

  it('points every arrow of production code down: judges know nothing of env, env nothing of the wire, the client nothing of the server', () => {
    const prod = productionGraph(graph);
    expect(prod.size).toBeGreaterThan(100);
    expect(wrongWayImports(prod, LAYERS)).toEqual([]);
    expect(unlayered(prod)).toEqual([]);
  });

  it('keeps test code out of production: no production file imports a test file, test/ or vitest', () => {
    const bad: string[] = [];
    for (const [from, targets] of productionGraph(graph)) {
      for (const to of targets) if (isTestCode(to)) bad.push(`${from} -> ${to}`);
      if (packageImportsOf(join(root, from)).includes('vitest')) bad.push(`${from} -> vitest`);
    }
    expect(bad).toEqual([]);
  });
});

describe('test code lives with tests', () => {
  it('has no production file that only tests import (test helpers belong under test/support/)', () => {
    const importers = new Map<string, string[]>();
    for (const [from, targets] of graph) {
      for (const to of targets) importers.set(to, [...(importers.get(to) ?? []), from]);
    }
    const testOnly = [...productionGraph(graph).keys()].filter((f) => {
      const by = importers.get(f) ?? [];
      return by.length > 0 && by.every(isTestCode);
    });
    expect(testOnly).toEqual([]);
  });
});

describe('the import graph checks themselves', () => {
  it('find a cycle of two files, a longer one, and a file importing itself, and nothing in a tree', () => {
    const g: ImportGraph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['a.ts', 'c.ts']],
      ['c.ts', ['d.ts']],
      ['d.ts', ['e.ts']],
      ['e.ts', ['c.ts']],
      ['f.ts', ['f.ts']],
      ['g.ts', ['a.ts', 'c.ts']],
    ]);
    expect(findCycles(g).sort()).toEqual([['a.ts', 'b.ts'], ['c.ts', 'd.ts', 'e.ts'], ['f.ts']]);
    expect(
      findCycles(
        new Map([
          ['x.ts', ['y.ts']],
          ['y.ts', []],
        ]),
      ),
    ).toEqual([]);
  });

  it('report an upward import, and match the most specific layer (a contract file inside its part)', () => {
    const g: ImportGraph = new Map([
      ['judges/exact.ts', ['env/types.ts', 'judges/types.ts', 'lib/hash.ts']],
      ['env/types.ts', ['judges/types.ts', 'env/episodes.ts']],
      ['protocol/client/client.ts', ['protocol/host.ts', 'protocol/schema.ts']],
    ]);
    expect(wrongWayImports(g, LAYERS)).toEqual([
      'judges/exact.ts -> env/types.ts (judges may not import env-contract)',
      'env/types.ts -> env/episodes.ts (env-contract may not import env)',
      'protocol/client/client.ts -> protocol/host.ts (client may not import server)',
    ]);
  });

  it('read type-only imports, re-exports and dynamic imports as edges', () => {
    expect(graph.get('env/types.ts')).toEqual(
      expect.arrayContaining(['lib/llm/chat.ts', 'judges/types.ts']),
    );
    expect(graph.get('test/architecture.test.ts')).toContain('test/support/import-graph.ts');
  });
});
