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
import { existsSync, rmSync, writeFileSync } from 'node:fs';
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
  rmSync(BUNDLE_DIR, { recursive: true, force: true });
  // iconv-lite (body-parser's decoder: half a megabyte of code tables, read only for a non-UTF-8 body) stays a
  // package of its own, required where body-parser requires it, when the bundle's folder can resolve it (it
  // can when npm hoisted it, as it does): the first answer then parses a third less.
  const outside = [];
  try {
    createRequire(path.join(BUNDLE_DIR, 'main.js')).resolve('iconv-lite');
    outside.push('iconv-lite');
  } catch {
    // nested under body-parser: bundled as any other package
  }
  await esbuild.build({
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
    chunkNames: 'chunk-[hash]',
    // CommonJS packages inside an ES module bundle still call require() for Node's built-ins
    banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
    define: { ARM_EMULATOR_BUNDLE: 'true' },
    legalComments: 'eof',
    logLevel: quiet ? 'error' : 'warning',
  });
  // ES modules: the package.json above says so already; the stamp says what it was built from
  writeFileSync(path.join(BUNDLE_DIR, 'README.txt'), 'Built by scripts/bundle.mjs from dist/src: do not edit. dist/src/main.js starts it when it is fresh.\n');
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  bundle().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
