import { describe, expect, it } from 'vitest';
import { importGraph, specifiersIn, type ImportEdge } from '../support/importGraph';
import { allowed, DOMAIN_PACKAGES, KNOWN_VIOLATIONS, layerOf, WORKFLOW_PACKAGES } from '../support/layers';
import { sourceFiles } from '../support/sourceFiles';

/** The layers of docs/architecture.md, read from the import graph the TypeScript compiler sees (rules: test/support/layers.ts). */
const graph = importGraph(['src', 'workflows', 'activities', 'bench']);
const key = (e: { from: string; to: string }): string => `${e.from} -> ${e.to}`;
const known = new Set(KNOWN_VIOLATIONS.map(([from, to]) => key({ from, to })));
const describeEdge = (e: ImportEdge): string => `${key(e)} (${layerOf(e.from)} -> ${e.external ? 'package' : layerOf(e.to)}${e.typeOnly ? ', types' : ''})`;
const unique = (xs: string[]): string[] => [...new Set(xs)].sort();

/** Edges (one per file pair) that `ok` refuses and KNOWN_VIOLATIONS does not list. */
const unlisted = (edges: ImportEdge[], ok: (e: ImportEdge) => boolean): string[] => unique(edges.filter((e) => !ok(e) && !known.has(key(e))).map(describeEdge));

describe('layering (import graph)', () => {
  it('tells type-only imports from value imports', () => {
    const found = specifiersIn(`
      import type { A } from './typeOnly';
      import { type B, type C } from './everyNamedIsType';
      import { type D, e } from './mixed';
      import f from './defaultImport';
      import './sideEffect';
      export type { G } from './exportType';
      export { h } from './exportValue';
      export * from './exportStar';
      type I = typeof import('./importType');
      const j = () => import('./dynamicImport');
    `);
    expect(Object.fromEntries(found.map(({ specifier, typeOnly }) => [specifier, typeOnly]))).toEqual({
      './typeOnly': true,
      './everyNamedIsType': true,
      './mixed': false,
      './defaultImport': false,
      './sideEffect': false,
      './exportType': true,
      './exportValue': false,
      './exportStar': false,
      './importType': true,
      './dynamicImport': false,
    });
  });

  it('reads every file, resolves every relative import and places every file in a layer', () => {
    expect(graph.files.length).toBeGreaterThan(100);
    expect(graph.unresolved).toEqual([]);
    expect(graph.files.filter((f) => layerOf(f) === undefined)).toEqual([]);
    expect(graph.edges.filter((e) => !e.external && layerOf(e.to) === undefined).map(key)).toEqual([]);
    expect(graph.edges.some((e) => e.from.startsWith('workflows/') && e.to.startsWith('src/domain/') && !e.typeOnly)).toBe(true);
  });

  it('imports run one way, as the layer table allows (apart from the known violations)', () => {
    const internal = graph.edges.filter((e) => !e.external);
    // A failure here is a new edge against the layers: move the code, or import a type with `import type`.
    expect(unlisted(internal, (e) => allowed(layerOf(e.from)!, layerOf(e.to)!, e.typeOnly))).toEqual([]);
  });

  it('every known violation still exists, so the list only shrinks', () => {
    const internal = graph.edges.filter((e) => !e.external);
    const actual = new Set(internal.filter((e) => !allowed(layerOf(e.from)!, layerOf(e.to)!, e.typeOnly)).map(key));
    // A failure here is good news: the edge is gone; delete its line from KNOWN_VIOLATIONS.
    expect([...known].filter((k) => !actual.has(k)).sort()).toEqual([]);
  });

  it('lists each known violation once, with a reason', () => {
    expect(KNOWN_VIOLATIONS.length).toBe(known.size);
    expect(KNOWN_VIOLATIONS.filter(([, , reason]) => reason.trim().length < 10)).toEqual([]);
  });

  it('workflows/ loads only @temporalio/workflow, src/domain and workflows/ at run time; activities as types only', () => {
    const fromWorkflows = graph.edges.filter((e) => e.from.startsWith('workflows/'));
    const ok = (e: ImportEdge): boolean => {
      if (e.external) return e.typeOnly || WORKFLOW_PACKAGES.includes(e.to);
      if (e.to.startsWith('src/domain/') || e.to.startsWith('workflows/')) return true;
      return e.typeOnly && e.to.startsWith('activities/');
    };
    expect(unlisted(fromWorkflows, ok)).toEqual([]);
  });

  it('src/domain is pure: it imports nothing outside src/domain', () => {
    const fromDomain = graph.edges.filter((e) => e.from.startsWith('src/domain/'));
    const ok = (e: ImportEdge): boolean => (e.external ? DOMAIN_PACKAGES.includes(e.to) : e.to.startsWith('src/domain/'));
    expect(unlisted(fromDomain, ok)).toEqual([]);
  });

  it('HTTP handlers go through libraries: no model query in src/http', async () => {
    const query =
      /models\.\w+\.(find|findOne|findById|findOneAndUpdate|findOneAndDelete|updateOne|updateMany|insertMany|deleteOne|deleteMany|create|countDocuments)\(/;
    const offenders = (await sourceFiles('src/http')).filter(({ text }) => query.test(text)).map(({ file }) => file);
    expect(offenders).toEqual([]);
  });
});
