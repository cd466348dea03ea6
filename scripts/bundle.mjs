#!/usr/bin/env node
// Bundles the built emulator (dist/src, from tsc or the --src transpile) into dist/src/bundle/ with esbuild:
// main.js (the command line) and entry.js (the template workers), plus chunks shared by them or loaded with
// `await import()` (the PostgreSQL store, the certificate generator, ...). Why: start-up was mostly Node
// resolving, reading and compiling ~900 modules one at a time (ES modules of ours, CommonJS trees of express,
// ajv, yaml, jsonwebtoken); one file per chunk is read, parsed and linked at once. dist/src/main.js starts the
// bundle when it is at least as new as the last build of dist/src (see bundleFresh in src/main.ts), else the
// modules themselves: a plain `tsc -p .` never runs stale code.
//
// Paths: the bundle sits three folders below the package root, as every dist/src/<folder>/<file>.js does, so
// the `../../..` that modules use to find schemas/, the catalogue and the dashboard's files still point at the
// root. `pg` stays outside (a native addon is optional to it, and it is loaded only for --store).
//
// Without esbuild installed (npm install --omit=dev) this does nothing and says so: the modules run as they are.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE_DIR = path.join(root, 'dist/src/bundle');

export async function bundle({ quiet = false } = {}) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    if (!quiet) console.error('bundle: esbuild is not installed; the emulator starts from its modules (slower start-up)');
    return false;
  }
  const entry = path.join(root, 'dist/src/main.js');
  if (!existsSync(entry)) throw new Error('bundle: dist/src/main.js is missing: build first (npm run build)');
  // iconv-lite (body-parser's decoder: half a megabyte of code tables, read only for a non-UTF-8 body) stays a
  // package of its own, required where body-parser requires it, when the bundle's folder can resolve it (it
  // can when npm hoisted it, as it does): the first answer then parses a third less.
  // mime-db (express's table of media types) likewise: required from its package it is JSON, parsed into the
  // same objects, where bundled it is 150 KB of script source that V8 keeps for the life of the process.
  const outside = [];
  for (const pkg of ['iconv-lite', 'mime-db']) {
    try {
      createRequire(path.join(BUNDLE_DIR, 'main.js')).resolve(pkg);
      outside.push(pkg);
    } catch {
      // nested under the package that uses it: bundled as any other package
    }
  }
  const result = await esbuild.build({
    entryPoints: { main: entry, entry: path.join(root, 'dist/src/templates/worker/entry.js') },
    outdir: BUNDLE_DIR,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // ES builds of dual packages (jsonc-parser's CommonJS build is UMD, with requires esbuild cannot follow)
    mainFields: ['module', 'main'],
    external: ['pg', 'pg-native', ...outside],
    // every file but main.js is named by its content's hash: see writeBuild
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    write: false,
    // CommonJS packages inside an ES module bundle still call require() for Node's built-ins
    banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
    define: { ARM_EMULATOR_BUNDLE: 'true' },
    legalComments: 'eof',
    // V8 keeps every loaded chunk's source text (and the line-end table of every file an error's stack was
    // read from) for the life of the process: whitespace and comments out, and syntax shortened, halve it.
    // Names are kept (identifiers are never renamed), so a stack trace still names its functions; its
    // line:column points into the bundle, and `node --enable-source-maps` (or NODE_OPTIONS) maps it back to
    // the TypeScript line through the .map files written beside each chunk (read only with that flag).
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: quiet ? 'error' : 'warning',
  });
  writeBuild(result.outputFiles);
  return true;
}

/** A superseded build's files are kept this long (then removed by the next build), and at most this many builds. */
const KEEP_MS = 24 * 3600_000;
const KEEP_BUILDS = 20;
const MANIFEST = 'builds.json';

/**
 * Writes a build beside the earlier ones instead of over them. A running emulator loads chunks long after it
 * started (the kube chunk at the first cluster, the template worker, PostgreSQL): had a rebuild replaced them,
 * those loads would fail, or mix code of two builds. Each file is named by its content's hash, so an earlier
 * build's files stay as they were; only main.js, read once at start, is replaced, and it names the template
 * worker's entry of its own build (src/templates/worker/pool.ts). Files no build of the last day (and of the
 * last KEEP_BUILDS) names are removed; an emulator that outlives that and then loads a chunk reports it (restart
 * it after a rebuild).
 */
export function writeBuild(outputs, dir = BUNDLE_DIR, now = Date.now()) {
  mkdirSync(dir, { recursive: true });
  const rel = (f) => path.relative(dir, f.path);
  const mainOut = outputs.find((f) => /^main-[A-Z0-9]+\.js$/.test(rel(f)));
  const workerOut = outputs.find((f) => /^entry-[A-Z0-9]+\.js$/.test(rel(f)));
  if (!mainOut || !workerOut) throw new Error('bundle: esbuild wrote no main or worker entry');
  const files = [];
  for (const f of outputs) {
    if (f === mainOut) continue;
    const name = rel(f);
    files.push(name);
    const target = path.join(dir, name);
    if (!existsSync(target)) writeAtomically(target, f.contents);
  }
  // main.js last: its time says the bundle is fresh (src/main.ts freshBundle). Its source map keeps the hashed
  // name (the comment at its end names it), and the worker entry is set before anything can start a worker.
  const worker = `globalThis.armEmulatorWorkerEntry=${JSON.stringify(`./${rel(workerOut)}`)};\n`;
  const text = Buffer.from(mainOut.contents).toString('utf8');
  const at = text.lastIndexOf('//# sourceMappingURL=');
  writeFileSync(
    path.join(dir, 'README.txt'),
    'Built by scripts/bundle.mjs from dist/src: do not edit. dist/src/main.js starts main.js here when it is fresh; every other file is named by its content and kept for emulators started from an earlier build (builds.json).\n',
  );
  prune(files, dir, now);
  // before the source map's comment, which stays last, so no mapped line moves
  writeAtomically(path.join(dir, 'main.js'), at < 0 ? text + worker : text.slice(0, at) + worker + text.slice(at));
}

/** A file is either absent or whole: a build stopped half-way never leaves a truncated chunk that a later build would keep. */
function writeAtomically(file, contents) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}

/** Records this build and removes the files of builds superseded more than KEEP_MS ago. */
function prune(files, dir, now) {
  let builds = [];
  try {
    builds = JSON.parse(readFileSync(path.join(dir, MANIFEST), 'utf8')).builds ?? [];
  } catch {
    // no manifest: what is there came from builds before it, superseded now
    const before = readdirSync(dir).filter((f) => f !== 'main.js' && f !== 'README.txt' && !files.includes(f));
    if (before.length) builds = [{ at: now, files: before }];
  }
  // each earlier build was superseded when the next one was written
  builds = builds.map((b, i) => ({ ...b, supersededAt: b.supersededAt ?? builds[i + 1]?.at ?? now }));
  const kept = builds.filter((b) => now - b.supersededAt < KEEP_MS).slice(-KEEP_BUILDS);
  kept.push({ at: now, files });
  const live = new Set(['main.js', 'README.txt', MANIFEST, ...kept.flatMap((b) => b.files)]);
  for (const f of readdirSync(dir)) {
    // (a .tmp file is another build's, being written)
    if (!live.has(f) && !f.endsWith('.tmp') && statSync(path.join(dir, f)).isFile()) rmSync(path.join(dir, f), { force: true });
  }
  writeFileSync(path.join(dir, MANIFEST), `${JSON.stringify({ builds: kept }, null, 1)}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  bundle().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
