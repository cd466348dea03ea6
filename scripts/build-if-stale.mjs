#!/usr/bin/env node
// `npm test` runs this first: it compiles (tsc -p .) only when a TypeScript file (src, test, bench),
// tsconfig.json or package.json is newer than the last build it made (dist/.build-stamp), so testing an
// unchanged checkout does not rebuild.
//
// `--src` (npm install's prepare and `npm start`): only the emulator's own code is needed, and when it is stale
// it is transpiled file by file (TypeScript's transpileModule: no type check, about a third of tsc's CPU for
// src alone, a sixth of the whole build's), which is most of a fresh clone's `npm install` on a busy machine.
// Type errors are still caught by `npm run build` and `npm test` (the full tsc build above). A full build
// counts as a src build too.
//
// Either way, a build is followed by the bundle (scripts/bundle.mjs) that dist/src/main.js starts, and a
// missing or stale bundle is made again even when nothing else was.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle } from './bundle.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mtime = (f) => {
  try {
    return statSync(f).mtimeMs;
  } catch {
    return -1;
  }
};
function tsFiles(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) tsFiles(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}
const newest = (files) => Math.max(-1, ...files.map(mtime));
const config = Math.max(mtime(path.join(root, 'tsconfig.json')), mtime(path.join(root, 'package.json')));
const fullStamp = path.join(root, 'dist/.build-stamp');
const srcStamp = path.join(root, 'dist/.build-stamp-src');
const main = mtime(path.join(root, 'dist/src/main.js'));

if (process.argv.includes('--src')) {
  const files = tsFiles(path.join(root, 'src'));
  const built = main < 0 ? -1 : Math.max(mtime(fullStamp), mtime(srcStamp));
  if (built < 0 || Math.max(newest(files), config) > built) {
    await transpile(files);
    writeFileSync(srcStamp, `${new Date().toISOString()}\n`);
  }
} else {
  const built = Math.min(mtime(fullStamp), main);
  const sources = Math.max(...['src', 'test', 'bench'].map((d) => newest(tsFiles(path.join(root, d)))), config);
  if (built < 0 || sources > built) {
    execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', root], { stdio: 'inherit' });
    writeFileSync(fullStamp, `${new Date().toISOString()}\n`);
  }
}
// the bundle, when it is older than what any build wrote last (tsc alone writes dist/.tsbuildinfo)
const lastBuild = Math.max(mtime(fullStamp), mtime(srcStamp), mtime(path.join(root, 'dist/.tsbuildinfo')));
if (mtime(path.join(root, 'dist/src/bundle/main.js')) < lastBuild) await bundle({ quiet: true });

/** src/**.ts -> dist/src/**.js (+ .map) with tsconfig's options, each file on its own, as ES modules. */
async function transpile(files) {
  const { default: ts } = await import('typescript');
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  const options = {
    ...parsed.options,
    // the package is "type": "module": every file is an ES module (NodeNext would need the package.json lookup
    // that only a whole program does)
    module: ts.ModuleKind.ES2022,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    incremental: false,
    tsBuildInfoFile: undefined,
    sourceMap: true,
  };
  for (const file of files) {
    const out = path.join(root, 'dist', path.relative(root, file)).replace(/\.ts$/, '.js');
    const r = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: options, fileName: file, reportDiagnostics: true });
    const errors = (r.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
    if (errors.length) {
      console.error(ts.formatDiagnostics(errors, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' }));
      process.exit(1);
    }
    mkdirSync(path.dirname(out), { recursive: true });
    const map = `${path.basename(out)}.map`;
    writeFileSync(out, r.outputText.replace(/\/\/# sourceMappingURL=\S*\s*$/, `//# sourceMappingURL=${map}\n`));
    writeFileSync(path.join(path.dirname(out), map), r.sourceMapText ?? '');
  }
}
