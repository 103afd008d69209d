/**
 * The repository's import graph, read with TypeScript's own pre-processor (every `import`,
 * `import type`, `export ... from` and literal `import()`), and the two checks run on it by
 * test/architecture.test.ts: no import cycles, and every arrow pointing the way
 * docs/architecture.md draws it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

const SKIP = new Set([
  'node_modules',
  '.git',
  '.venv',
  '.venv-openenv',
  'runs',
  '.cache',
  'shared',
]);

/** file -> the files it imports (relative specifiers only; packages are not nodes). */
export type ImportGraph = Map<string, string[]>;

/** Every .ts/.js module under `root`, by repo-relative POSIX path. */
export function readImportGraph(root: string): ImportGraph {
  const graph: ImportGraph = new Map();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (SKIP.has(entry.name)) continue;
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.(ts|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        graph.set(posix(relative(root, p)), importsOf(root, p));
      }
    }
  };
  walk(root);
  return graph;
}

/** Package specifiers (non-relative) a file imports, e.g. 'vitest'. */
export function packageImportsOf(file: string): string[] {
  return ts
    .preProcessFile(readFileSync(file, 'utf8'), true, true)
    .importedFiles.map((r) => r.fileName)
    .filter((s) => !s.startsWith('.'));
}

function importsOf(root: string, file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((r) => r.fileName)
    .filter((s) => s.startsWith('.'))
    .map((s) => posix(relative(root, resolve(dirname(file), s))));
}

function posix(p: string): string {
  return p.split(sep).join('/');
}

/** Strongly connected components with more than one file (or a file importing itself). */
export function findCycles(graph: ImportGraph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  // Tarjan's algorithm, iterative so a deep graph cannot overflow the call stack.
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: Array<{ v: string; i: number }> = [{ v: start, i: 0 }];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const edges = (graph.get(frame.v) ?? []).filter((w) => graph.has(w));
      if (frame.i < edges.length) {
        const w = edges[frame.i++]!;
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(frame.v, Math.min(low.get(frame.v)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.v, Math.min(low.get(parent.v)!, low.get(frame.v)!));
      if (low.get(frame.v) === index.get(frame.v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== frame.v);
        const selfLoop = (graph.get(frame.v) ?? []).includes(frame.v);
        if (component.length > 1 || selfLoop) cycles.push(component.sort());
      }
    }
  }
  return cycles;
}

/**
 * A layer: the files it holds (path prefixes or exact paths; the longest match wins) and the
 * layers it may import. A file in no layer is not checked.
 */
export interface Layer {
  name: string;
  paths: readonly string[];
  mayImport: readonly string[];
}

export function layerOf(file: string, layers: readonly Layer[]): Layer | undefined {
  let best: { layer: Layer; length: number } | undefined;
  for (const layer of layers) {
    for (const p of layer.paths) {
      const hit = p.endsWith('/') ? file.startsWith(p) : file === p;
      if (hit && (!best || p.length > best.length)) best = { layer, length: p.length };
    }
  }
  return best?.layer;
}

/** Imports that point the wrong way: "from -> to (layer a may not import layer b)". */
export function wrongWayImports(graph: ImportGraph, layers: readonly Layer[]): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    const a = layerOf(from, layers);
    if (!a) continue;
    for (const to of targets) {
      const b = layerOf(to, layers);
      if (!b || b === a || a.mayImport.includes(b.name)) continue;
      out.push(`${from} -> ${to} (${a.name} may not import ${b.name})`);
    }
  }
  return out;
}
