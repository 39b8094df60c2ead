// The layer rule of docs/architecture.md, read from its table (the docs are the single source): every
// import between our folders must be allowed by the importing folder's row, and the layers' runtime
// imports (type-only ones left out) must form no cycle.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '..', '..');

interface Layer {
  folder: string;
  allowed: string[];
}

/** The rows of the "Layers" table: the folder in the first cell, the backticked paths of the second. */
export function readLayerTable(markdown: string): Layer[] {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('Layers'));
  if (!section) throw new Error('docs/architecture.md has no "## Layers" section');
  const layers: Layer[] = [];
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const folder = /^`([^`]+\/)`$/.exec(cells[1] ?? '')?.[1];
    if (!folder) continue;
    const allowed = [...(cells[2] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!).filter((p) => /^(harness|mds|reports|authenticator-sim)(\/|$)/.test(p));
    layers.push({ folder, allowed });
  }
  return layers;
}

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}

/** Every relative import (static, dynamic, re-export) of our TypeScript files, tests left out. */
function importEdges(): Edge[] {
  const edges: Edge[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(join(REPO, dir), { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (path.endsWith('.ts') && !path.endsWith('.test.ts')) {
        const text = readFileSync(join(REPO, path), 'utf8');
        const pattern = /(?:^|[\s;])(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
        for (const m of text.matchAll(pattern)) {
          const spec = m[3] ?? m[4]!;
          edges.push({ from: path, to: relative(REPO, resolve(REPO, dirname(path), spec)), typeOnly: !!m[2] });
        }
      }
    }
  };
  for (const d of ['harness', 'authenticator-sim', 'mds', 'reports']) walk(d);
  return edges;
}

const doc = readFileSync(join(REPO, 'docs/architecture.md'), 'utf8');
const layers = readLayerTable(doc);
const layerOf = (path: string) =>
  layers.filter((l) => `${path}/`.startsWith(l.folder)).sort((a, b) => b.folder.length - a.folder.length)[0];
const covers = (entry: string, path: string) => (entry.endsWith('/') ? `${path}/`.startsWith(entry) : path === entry);

describe('layers (docs/architecture.md)', () => {
  const edges = importEdges();

  it('the table names every folder of ours and the import scan finds imports', () => {
    expect(layers.map((l) => l.folder)).toEqual(expect.arrayContaining(['harness/protocol/', 'harness/commands/', 'authenticator-sim/', 'mds/', 'reports/']));
    expect(edges.length).toBeGreaterThan(500);
    const unknown = edges.filter((e) => !layerOf(e.from)).map((e) => e.from);
    expect([...new Set(unknown)]).toEqual([]);
  });

  it('every import is allowed by its folder\'s row', () => {
    const violations = edges
      .filter((e) => {
        const from = layerOf(e.from)!;
        const to = layerOf(e.to);
        if (to === from) return false;
        return !from.allowed.some((entry) => covers(entry, e.to));
      })
      .map((e) => `${e.from} -> ${e.to}`);
    expect(violations).toEqual([]);
  });

  it('the layers\' runtime imports form no cycle', () => {
    const graph = new Map<string, Set<string>>();
    for (const e of edges) {
      const a = layerOf(e.from)!.folder;
      const b = layerOf(e.to)?.folder;
      if (!b || a === b || e.typeOnly) continue;
      graph.set(a, (graph.get(a) ?? new Set()).add(b));
    }
    const state = new Map<string, 'open' | 'done'>();
    const cycle: string[] = [];
    const visit = (n: string, path: string[]): boolean => {
      if (state.get(n) === 'done') return false;
      if (state.get(n) === 'open') {
        cycle.push(...path.slice(path.indexOf(n)), n);
        return true;
      }
      state.set(n, 'open');
      for (const m of graph.get(n) ?? []) if (visit(m, [...path, n])) return true;
      state.set(n, 'done');
      return false;
    };
    for (const n of graph.keys()) if (visit(n, [])) break;
    expect(cycle).toEqual([]);
  });

  it('a disallowed import in the table is caught (the check can fail)', () => {
    const strict = readLayerTable(doc.replace('| `harness/client/` | `harness/protocol/`, `harness/ctap/` |', '| `harness/client/` | `harness/protocol/` |'));
    const client = strict.find((l) => l.folder === 'harness/client/')!;
    const bad = edges.filter((e) => e.from.startsWith('harness/client/') && e.to.startsWith('harness/ctap/') && !client.allowed.some((a) => covers(a, e.to)));
    expect(bad.length).toBeGreaterThan(0);
  });
});
