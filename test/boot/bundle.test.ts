// The bundle's files across rebuilds (scripts/bundle.mjs writeBuild): a build is written beside the earlier ones,
// so an emulator started from an earlier build still finds every chunk it loads later (the kube chunk at the first
// cluster, the template worker, PostgreSQL); main.js names its own build's worker entry; files of builds superseded
// more than a day ago are removed. Driven with made-up outputs and clock values, in a temporary folder; then the
// checkout's own bundle, when built, is checked whole.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { tmpDir } from '../support/emulator.js';

type Output = { path: string; contents: Uint8Array };
type BundleModule = { writeBuild(outputs: Output[], dir: string, now: number): void; BUNDLE_DIR: string };

const HOUR = 3600_000;
const text = (s: string) => new TextEncoder().encode(s);

describe('bundle: rebuilds under a running emulator', () => {
  let mod: BundleModule;
  before(async () => {
    mod = (await import(pathToFileURL(path.resolve('scripts/bundle.mjs')).href)) as BundleModule;
  });

  /** One build's outputs as esbuild names them: main-<hash>.js, entry-<hash>.js, chunks. */
  const build = (dir: string, tag: string, shared = 'SHARED00'): Output[] => [
    { path: path.join(dir, `main-M${tag}.js`), contents: text(`import "./chunk-${shared}.js";await import("./chunk-K${tag}.js");\n//# sourceMappingURL=main-M${tag}.js.map\n`) },
    { path: path.join(dir, `main-M${tag}.js.map`), contents: text('{}') },
    { path: path.join(dir, `entry-E${tag}.js`), contents: text(`import "./chunk-${shared}.js";\n`) },
    { path: path.join(dir, `chunk-K${tag}.js`), contents: text(`export const build = "${tag}";\n`) },
    { path: path.join(dir, `chunk-${shared}.js`), contents: text('export const shared = 1;\n') },
  ];

  it("keeps an earlier build's chunks, and main.js names its own build's worker entry before its source map comment", () => {
    const dir = tmpDir('bundle-');
    const t0 = Date.UTC(2026, 0, 1);
    mod.writeBuild(build(dir, 'A'), dir, t0);
    const mainA = readFileSync(path.join(dir, 'main.js'), 'utf8');
    assert.match(mainA, /globalThis\.armEmulatorWorkerEntry="\.\/entry-EA\.js";\n\/\/# sourceMappingURL=main-MA\.js\.map\n$/);
    assert.ok(!existsSync(path.join(dir, 'main-MA.js')), 'the main entry is written as main.js only');
    mod.writeBuild(build(dir, 'B'), dir, t0 + HOUR);
    // an emulator started from build A loads its chunk and its worker after the rebuild
    for (const f of ['chunk-KA.js', 'entry-EA.js', 'chunk-KB.js', 'entry-EB.js', 'chunk-SHARED00.js']) assert.ok(existsSync(path.join(dir, f)), f);
    assert.equal(readFileSync(path.join(dir, 'chunk-KA.js'), 'utf8'), 'export const build = "A";\n');
    assert.match(readFileSync(path.join(dir, 'main.js'), 'utf8'), /armEmulatorWorkerEntry="\.\/entry-EB\.js"/);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'builds.json'), 'utf8')) as { builds: { files: string[] }[] };
    assert.equal(manifest.builds.length, 2);
    assert.ok(!manifest.builds[1].files.includes('main.js'));
  });

  it("removes the files of a build superseded more than a day ago, never the current build's nor a shared one", () => {
    const dir = tmpDir('bundle-');
    const t0 = Date.UTC(2026, 0, 1);
    mod.writeBuild(build(dir, 'A'), dir, t0);
    mod.writeBuild(build(dir, 'B'), dir, t0 + HOUR); // A superseded at t0 + 1 h
    mod.writeBuild(build(dir, 'C'), dir, t0 + 20 * HOUR); // B superseded at t0 + 20 h
    assert.ok(existsSync(path.join(dir, 'chunk-KA.js')), 'A was superseded 19 h ago: kept');
    mod.writeBuild(build(dir, 'D'), dir, t0 + 26 * HOUR);
    const files = readdirSync(dir);
    assert.ok(!files.includes('chunk-KA.js') && !files.includes('entry-EA.js'), 'A superseded 25 h ago: removed');
    for (const f of ['chunk-KB.js', 'chunk-KC.js', 'chunk-KD.js', 'chunk-SHARED00.js', 'main.js', 'builds.json']) assert.ok(files.includes(f), f);
  });

  it("the checkout's bundle, when built: every file main.js and the worker entry import is there", function () {
    const dir = mod.BUNDLE_DIR;
    if (!existsSync(path.join(dir, 'main.js'))) this.skip();
    const main = readFileSync(path.join(dir, 'main.js'), 'utf8');
    const worker = /armEmulatorWorkerEntry="\.\/([^"]+)"/.exec(main)?.[1];
    assert.ok(worker && existsSync(path.join(dir, worker)), `worker entry ${worker}`);
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      assert.ok(existsSync(path.join(dir, file)), `${file} is missing`);
      for (const m of readFileSync(path.join(dir, file), 'utf8').matchAll(/(?:from|import)\s*\(?\s*"\.\/(chunk-[A-Z0-9]+\.js)"/g)) visit(m[1]);
    };
    visit('main.js');
    visit(worker);
    assert.ok(seen.size > 5, `${seen.size} files reached`);
  });
});
