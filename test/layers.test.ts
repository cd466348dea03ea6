// The layers of src/, declared once (LAYERS below), checked over the import graph on every `npm test`:
// an import may stay in its own folder or point to a folder of a lower layer, never sideways or up (type-only
// imports and dynamic import() count too), and no files import each other in a circle. A folder of src/
// that no layer names fails the check: a new folder is placed in a layer when it is made.
// The imports are read with TypeScript's own pre-processor (ts.preProcessFile), so what tsc sees is checked, plus
// `export * as ns from`, which the pre-processor does not report.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type * as TS from 'typescript';

// typescript is CommonJS: required, not imported (an ECMAScript import of it first scans its 9 MB for named exports:
// ~0.7 s of CPU)
const ts: typeof TS = createRequire(import.meta.url)('typescript');

/** Bottom first. A name is a folder of src/ or a file at src/'s top. README.md "How it is built" draws this. */
export const LAYERS: { layer: string; parts: string[] }[] = [
  { layer: 'foundation', parts: ['config', 'store'] },
  { layer: 'wire types', parts: ['arm'] },
  // the client commands (arm-emulator env, aksarc, ...) reach the emulator over HTTPS only: config and wire types are all they may import
  { layer: 'client commands', parts: ['cli'] },
  { layer: 'below the framework', parts: ['identity', 'authorization', 'fabric', 'templates', 'catalogue'] },
  { layer: 'framework', parts: ['framework'] },
  { layer: 'on the framework', parts: ['lro', 'kubernetes', 'graph'] },
  { layer: 'Kubernetes API server', parts: ['kube'] },
  { layer: 'providers', parts: ['providers'] },
  { layer: 'admin API', parts: ['admin'] },
  { layer: 'CI farm admin (subscriptions, resets, snapshots)', parts: ['farm'] },
  { layer: 'dashboard', parts: ['dashboard'] },
  { layer: 'HTTP edge', parts: ['http'] },
  { layer: 'assembly', parts: ['emulator.ts'] },
  { layer: 'command line', parts: ['main.ts'] },
];

export interface Finding {
  from: string;
  to: string;
  why: string;
}

/** The part of src/ a file belongs to: its top folder, or the file itself at src/'s top. */
export function partOf(file: string): string {
  return file.split('/')[1];
}

/** Imports that point sideways or up, and files no layer names. `imports`: file -> files it imports (src/-relative paths). */
export function layerFindings(imports: Map<string, string[]>, layers = LAYERS): Finding[] {
  const rank = new Map<string, number>();
  layers.forEach((l, i) => l.parts.forEach((p) => rank.set(p, i)));
  const out: Finding[] = [];
  for (const [from, targets] of imports) {
    const a = partOf(from);
    const ra = rank.get(a);
    if (ra === undefined) {
      out.push({ from, to: '', why: `src/${a} is in no layer: add it to LAYERS in test/layers.test.ts (and to README's "How it is built")` });
      continue;
    }
    for (const to of targets) {
      const b = partOf(to);
      if (a === b) continue;
      const rb = rank.get(b);
      if (rb === undefined) continue; // reported for its own files
      if (rb >= ra) {
        const dir = rb === ra ? 'sideways' : 'up';
        out.push({ from, to, why: `${a} (${layers[ra].layer}) imports ${b} (${layers[rb].layer}): ${dir}` });
      }
    }
  }
  return out;
}

/** Every set of files that import each other in a circle (strongly connected components of more than one file, or a file importing itself). */
export function circles(imports: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of imports.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (imports.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of imports.keys()) if (!index.has(v)) visit(v);
  return out;
}

/**
 * The module specifiers a file's text imports: import, export-from, import type, import(), require, and
 * `export * as ns from` (which ts.preProcessFile does not report, nor its `export type` form).
 */
export function importsOf(text: string): string[] {
  const out = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
  for (const m of text.matchAll(/\bexport\s+(?:type\s+)?\*\s+as\s+[\w$]+\s+from\s*['"]([^'"\n]+)['"]/g)) out.push(m[1]);
  return out;
}

/** The import graph of src/: every relative import, export-from, import type and import(), resolved to the file. */
export function importGraph(root: string): Map<string, string[]> {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) files.push(rel);
    }
  };
  walk('src');
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const targets: string[] = [];
    for (const fileName of importsOf(readFileSync(path.join(root, f), 'utf8'))) {
      if (!fileName.startsWith('.')) continue; // packages and node: built-ins
      const to = path.posix.normalize(path.posix.join(path.posix.dirname(f), fileName)).replace(/\.js$/, '.ts');
      if (!known.has(to)) throw new Error(`${f} imports '${fileName}', which is no .ts file of src/`);
      if (!targets.includes(to)) targets.push(to);
    }
    graph.set(f, targets);
  }
  return graph;
}

describe('layers: imports in src/ only point down, and no circles', function () {
  const graph = importGraph(process.cwd());

  it('every import stays in its folder or points to a lower layer', () => {
    const found = layerFindings(graph);
    assert.deepEqual(
      found.map((f) => (f.to ? `${f.from} -> ${f.to}: ${f.why}` : `${f.from}: ${f.why}`)),
      [],
      'imports that break the layers (declared in test/layers.test.ts)',
    );
  });

  it('no files import each other in a circle (type-only imports included)', () => {
    assert.deepEqual(circles(graph), []);
  });

  it('the check itself catches an upward import, a sideways one, an undeclared folder and a circle', () => {
    const g = new Map<string, string[]>([
      ['src/arm/errors.ts', ['src/framework/types.ts']], // wire -> framework: up
      ['src/framework/types.ts', ['src/arm/errors.ts']],
      ['src/lro/engine.ts', ['src/graph/routes.ts']], // same layer, other folder: sideways
      ['src/graph/routes.ts', []],
      ['src/kubeapi/server.ts', ['src/arm/errors.ts']], // no layer names src/kubeapi
      ['src/framework/a.ts', ['src/framework/b.ts']],
      ['src/framework/b.ts', ['src/framework/a.ts']],
    ]);
    const why = layerFindings(g).map((f) => `${f.from} -> ${f.to || '?'}`);
    assert.deepEqual(why, ['src/arm/errors.ts -> src/framework/types.ts', 'src/lro/engine.ts -> src/graph/routes.ts', 'src/kubeapi/server.ts -> ?']);
    const found = circles(g)
      .map((c) => c.join(' '))
      .sort();
    assert.deepEqual(found, ['src/arm/errors.ts src/framework/types.ts', 'src/framework/a.ts src/framework/b.ts']);
  });

  it('reads type-only, re-exported and dynamic imports too', () => {
    const text = "import type { A } from './a.js';\nexport * from './b.js';\nconst c = await import('./c.js');\nexport * as d from './d.js';\nexport type * as e from './e.js';\n";
    assert.deepEqual(importsOf(text).sort(), ['./a.js', './b.js', './c.js', './d.js', './e.js']);
  });
});

/** The hooks of a ResourceTypeDefinition (src/framework/types.ts): behaviour that lives in a type's own file. */
const HOOKS = new Set(['validate', 'onPut', 'onPatch', 'onDelete', 'actions', 'handlers', 'toWire', 'onOperationSucceeded', 'onOperationFailed', 'generic']);

/**
 * What a provider folder's index.ts defines beyond listing: a resource type (a declaration typed
 * ResourceTypeDefinition, or an object holding a hook) or a function of its own. The convention (src/providers/README.md):
 * one file per resource type, named after it; index.ts imports the types and lists them in the provider.
 */
/** A function whose body only returns a list of names (`return [a, b, c]`) lists; it defines nothing. */
function listsOnly(f: TS.FunctionDeclaration): boolean {
  const body = f.body?.statements ?? [];
  if (body.length !== 1 || !ts.isReturnStatement(body[0]) || !body[0].expression || !ts.isArrayLiteralExpression(body[0].expression)) return false;
  return body[0].expression.elements.every((e) => ts.isIdentifier(e));
}

export function indexDefinitions(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const line = (n: TS.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  const visit = (n: TS.Node) => {
    if (ts.isFunctionDeclaration(n) && !listsOnly(n)) out.push(`${file}:${line(n)}: function ${n.name?.text ?? '(anonymous)'}`);
    if (ts.isVariableDeclaration(n) && n.type && /\bResourceTypeDefinition\b/.test(n.type.getText(sf))) out.push(`${file}:${line(n)}: resource type ${n.name.getText(sf)}`);
    if ((ts.isPropertyAssignment(n) || ts.isMethodDeclaration(n) || ts.isShorthandPropertyAssignment(n)) && HOOKS.has(n.name.getText(sf))) {
      out.push(`${file}:${line(n)}: hook ${n.name.getText(sf)}`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

describe('provider folders: one file per resource type, index.ts only lists them', function () {
  it('no src/providers/*/index.ts defines a resource type, a hook or a function', () => {
    const root = path.join(process.cwd(), 'src', 'providers');
    const found: string[] = [];
    for (const e of readdirSync(root, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const file = `src/providers/${e.name}/index.ts`;
      let text: string;
      try {
        text = readFileSync(path.join(process.cwd(), file), 'utf8');
      } catch {
        continue; // a folder without an index (a scaffolded namespace before its second type) lists nothing
      }
      found.push(...indexDefinitions(file, text));
    }
    assert.deepEqual(found, [], 'move these into a file of their own (one file per resource type; see src/providers/README.md)');
  });

  it('the check itself catches a type, a hook and a helper defined in an index', () => {
    const text = [
      "import type { ResourceProvider, ResourceTypeDefinition } from '../../framework/types.js';",
      "import { gizmos } from './gizmos.js';",
      "const widgets: ResourceTypeDefinition = { namespace: 'X', type: 'widgets', scope: 'resourceGroup', apiVersions: [], onPut: (_c, r) => ({ resource: r }) };",
      'function helper() { return 1; }',
      "export const p: ResourceProvider = { namespace: 'X', types: [gizmos, widgets], init() { helper(); } };",
    ].join('\n');
    assert.deepEqual(indexDefinitions('x/index.ts', text), ['x/index.ts:3: resource type widgets', 'x/index.ts:3: hook onPut', 'x/index.ts:4: function helper']);
    assert.deepEqual(indexDefinitions('y/index.ts', "import { gizmos } from './gizmos.js';\nexport const p = { namespace: 'X', types: [gizmos] };\n"), []);
  });
});
