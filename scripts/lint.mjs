#!/usr/bin/env node
// `npm run lint`: eslint (eslint.config.js: typescript-eslint, type-aware) over every file `eslint .` lints, failing on
// any error or warning (as --max-warnings 0). `npm test` runs it too (test/lint.test.ts).
//
// scripts/linted-files.txt records, for each file eslint found clean, a key: the sha256 of everything its result can
// depend on. A file whose key is unchanged is not linted again; every other file is, exactly as a full run would lint
// it (eslint.config.js builds the TypeScript program from the files linted and the global ones below: TypeScript adds
// what they import, so each file has the types it has in the whole program). The key of a file is the sha256 of
//   - its path and bytes, and the path and bytes of every file of the tree it imports, directly or not (import,
//     export-from, import type, import(), /// <reference path>, JSON modules), resolved as TypeScript resolves them
//     with tsconfig.json: a typed rule sees the types of what a file imports and nothing else of the tree;
//   - the files that can change every file's types: any file of the program that is not plainly a module (no top-level
//     import or export), declares `global` or a module, or references a lib or types package;
//   - the lint's own inputs: eslint.config.js, tsconfig.json, package.json, package-lock.json, this script, and the
//     version of every installed package (eslint, its plugins, typescript, the @types and the libraries whose types
//     the sources import).
// A file importing something that resolves outside node_modules and the tree, or to nothing, has no key: it is linted
// every time. So the record never passes a file whose result could differ from when it was written; a stale record
// only costs the time of linting the files it no longer matches. The record is written when a run finds no problem
// (all files clean), unless --no-record (the test) is given. `--all` lints every file; `--fix` fixes (and lints all);
// `--stale` only lists the files a run would lint.
import { createHash } from 'node:crypto';
import { builtinModules, createRequire } from 'node:module';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RECORD = 'scripts/linted-files.txt';
const EXPORT_STAR_AS = /\bexport\s+(type\s+)?\*\s+as\s+[\w$]+\s+from\s*['"]([^'"\n]+)['"]/g;
const sha256 = (data) => createHash('sha256').update(data).digest('hex');
const relative = (dir, file) => path.relative(dir, file).split(path.sep).join('/');

/** The files `eslint .` lints: not ignored, and with a configuration (eslint's own answers for each file of the tree). */
async function lintable(eslint) {
  const out = [];
  const walk = async (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== '.git') await walk(file);
      } else if (e.isFile() && /\.[cm]?[jt]sx?$/.test(e.name) && !(await eslint.isPathIgnored(file)) && (await eslint.calculateConfigForFile(file)) !== undefined) {
        out.push(relative(root, file));
      }
    }
  };
  await walk(root);
  return out.sort();
}

/**
 * Every installed package's name and version (node_modules, one level and scoped), but those built for one platform
 * (an `os` or `cpu` field: native binaries such as @esbuild/linux-x64, no types), so that a clean install on
 * another platform keeps the record.
 */
function installed(dir) {
  const out = [];
  const nm = path.join(dir, 'node_modules');
  const add = (dir, name) => {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
      if (!pkg.os && !pkg.cpu) out.push(`${name}@${pkg.version}`);
    } catch {
      out.push(`${name}@?`);
    }
  };
  for (const e of readdirSync(nm, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    if (e.name.startsWith('@')) for (const s of readdirSync(path.join(nm, e.name))) add(path.join(nm, e.name, s), `${e.name}/${s}`);
    else add(path.join(nm, e.name), e.name);
  }
  return out.sort();
}

/**
 * `key`: file -> key (a sha256) for each of `files` (paths relative to `dir`, the checkout) that has one (see the
 * opening comment); `globals`: the files of the program every key depends on.
 */
export async function keys(dir, files) {
  // required, not imported: an ECMAScript import of typescript (CommonJS) first scans its 9 MB for named exports
  const ts = createRequire(import.meta.url)('typescript');
  const rel = (file) => relative(dir, file);
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(dir, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  const options = parsed.options;
  const cache = ts.createModuleResolutionCache(dir, (f) => f, options);
  const builtins = new Set(builtinModules);
  const nodes = new Map(); // rel -> { hash, edges: rel[], keyless: boolean, global: boolean }
  const visit = (r) => {
    if (nodes.has(r)) return;
    const file = path.join(dir, r);
    const node = { hash: '', edges: [], keyless: false, global: false };
    nodes.set(r, node);
    let bytes;
    try {
      bytes = readFileSync(file);
    } catch {
      node.keyless = true;
      return;
    }
    node.hash = sha256(bytes);
    if (!/\.[cm]?[jt]sx?$/.test(r)) return; // a JSON module: its bytes are all there is
    const text = bytes.toString('utf8');
    const info = ts.preProcessFile(text, true, true);
    // A module: a file with a top-level import or export, or one TypeScript takes as ECMAScript module whatever it holds
    // (not a .d.ts, and module node16/nodenext with the nearest package.json's "type": "module": every .ts here).
    const esm =
      !r.endsWith('.d.ts') &&
      (options.moduleDetection ?? ts.ModuleDetectionKind.Auto) !== ts.ModuleDetectionKind.Legacy &&
      ts.getImpliedNodeFormatForFile(file, cache.getPackageJsonInfoCache(), ts.sys, options) === ts.ModuleKind.ESNext;
    const module = esm || /^\s*(import|export)\b/m.test(text);
    node.global = !module || /\bdeclare\s+(global|module)\b/.test(text) || info.libReferenceDirectives.length > 0 || info.typeReferenceDirectives.length > 0;
    const edge = (to) => {
      if (to.startsWith('..') || path.isAbsolute(to)) node.keyless = true;
      else node.edges.push(to);
    };
    for (const { fileName } of info.referencedFiles) edge(rel(path.resolve(path.dirname(file), fileName)));
    // ts.preProcessFile does not report `export * as ns from '...'` (nor its `export type` form): read those here, from
    // the text (a match may be in a string or a comment: one that resolves to nothing is left out, as a real one that
    // resolved to nothing would fail the build, tsc's error TS2307).
    const starAs = new Set([...text.matchAll(EXPORT_STAR_AS)].map((m) => m[2]));
    const specs = [...info.importedFiles.map((f) => f.fileName), ...starAs];
    for (const spec of specs) {
      const resolved = ts.resolveModuleName(spec, file, options, ts.sys, cache).resolvedModule;
      if (!resolved) {
        if (spec.startsWith('node:') || builtins.has(spec) || starAs.has(spec)) continue; // a built-in's types: @types/node, installed
        node.keyless = true;
        continue;
      }
      if (resolved.isExternalLibraryImport || resolved.resolvedFileName.includes('/node_modules/')) continue; // a package: versions below
      edge(rel(resolved.resolvedFileName));
    }
    for (const to of node.edges) visit(to);
  };
  for (const f of parsed.fileNames) visit(rel(f));
  for (const f of files) visit(f);

  const inputs = ['eslint.config.js', 'tsconfig.json', 'package.json', 'package-lock.json', 'scripts/lint.mjs'].map((f) => {
    const p = path.join(dir, f);
    return `${f} ${existsSync(p) ? sha256(readFileSync(p)) : '-'}`;
  });
  const globals = [...nodes]
    .filter(([, n]) => n.global)
    .map(([r]) => r)
    .sort();
  const base = sha256([...inputs, ...installed(dir), ...globals.map((r) => `${r} ${nodes.get(r).hash}`)].join('\n'));

  const out = new Map();
  // a global file that has no key leaves every file without one
  if (globals.some((r) => nodes.get(r).keyless)) return { key: out, globals };
  for (const f of files) {
    const seen = new Set([f]);
    const stack = [f];
    let keyless = false;
    while (stack.length && !keyless) {
      const n = nodes.get(stack.pop());
      if (n.keyless) keyless = true;
      for (const to of n.edges) if (!seen.has(to)) (seen.add(to), stack.push(to));
    }
    if (keyless) continue;
    const lines = [...seen].sort().map((r) => `${r} ${nodes.get(r).hash}`);
    out.set(f, sha256(`${base}\n${f}\n${lines.join('\n')}`));
  }
  return { key: out, globals };
}

function readRecord() {
  const p = path.join(root, RECORD);
  if (!existsSync(p)) return new Map();
  return new Map(
    readFileSync(p, 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
      .map((l) => l.trim().split(/\s+/)),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const fix = args.includes('--fix');
  const all = fix || args.includes('--all');
  const write = !args.includes('--no-record');
  // One run over files that do not change while it lints: eslint.config.js builds one Program for all of them.
  // --fix changes files under the parser: the project service then (as in editors).
  process.env.TSESTREE_SINGLE_RUN ??= fix ? 'false' : 'true';
  const { ESLint } = await import('eslint');
  const eslint = new ESLint({ cwd: root, fix });
  const files = await lintable(eslint);
  const { key, globals } = await keys(root, files);
  const record = all ? new Map() : readRecord();
  const stale = files.filter((f) => !key.has(f) || record.get(f) !== key.get(f));

  if (args.includes('--stale')) {
    console.log(`files every key depends on: ${globals.join(' ') || 'none'}`);
    console.log(stale.join('\n'));
    console.log(`${stale.length} of ${files.length} files to lint`);
    process.exit(0);
  }
  let problems = 0;
  if (stale.length) {
    // The TypeScript program eslint.config.js builds: the files linted now and the global ones (see its lintProgram).
    process.env.ARM_EMULATOR_LINT_ROOTS = [...new Set([...stale, ...globals])].map((f) => path.join(root, f)).join('\n');
    const results = await eslint.lintFiles(stale.map((f) => path.join(root, f)));
    if (fix) await ESLint.outputFixes(results);
    problems = results.reduce((n, r) => n + r.errorCount + r.warningCount, 0);
    const text = await (await eslint.loadFormatter('stylish')).format(results);
    if (text) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }
  console.log(`${files.length} files: ${stale.length} linted by eslint, ${files.length - stale.length} unchanged since the record (${RECORD}) was written`);
  if (problems) process.exit(1);
  if (write && !fix) {
    const head = [
      '# Written by `npm run lint` when eslint found no problem: each file eslint lints, and the sha256 of everything its',
      '# result depends on (its bytes and those of the files it imports, the globals, the lint configuration and the installed',
      '# packages; scripts/lint.mjs says what exactly). A file whose key still matches is not linted again; any other is.',
      '# After a merge (or a conflict here: take either side), `npm run lint` brings it up to date.',
    ];
    const lines = files.filter((f) => key.has(f)).map((f) => `${f} ${key.get(f)}`);
    const next = [...head, ...lines, ''].join('\n');
    const p = path.join(root, RECORD);
    if (!existsSync(p) || readFileSync(p, 'utf8') !== next) writeFileSync(p, next);
  }
}
