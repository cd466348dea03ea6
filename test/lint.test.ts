// eslint (eslint.config.js: typescript-eslint, type-aware, with no-floating-promises) as part of `npm test`: the
// command of `npm run lint` (package.json), run in a child process as npm runs it. It runs as a test file so that a
// whole, parallel run lints while other workers wait on real clients. The formatter's check is its own file
// (format.test.ts), so that a parallel run gives it another worker.
//
// `npm run lint` (scripts/lint.mjs) lints with eslint every file whose key is not in scripts/linted-files.txt: the
// key is the sha256 of the file, of every file of the tree it imports (directly or not), of the files that declare
// globals, and of the lint's configuration and installed packages, i.e. of everything the file's result depends on;
// a file whose key matches was clean when the record was written. The test lints a copy of this checkout (same bytes,
// same paths, node_modules linked) with two files planted in it, each with a floating promise, one in src/ and one in
// test/, and the record left as it is: the run must report those two files and no other. That proves both that the
// checkout has no problem (every other file clean, or unchanged since it was found clean) and that a file the record
// does not vouch for is linted with the type-aware rules; one run, so one TypeScript program.
//
// eslint runs in a child process: the TypeScript program it builds for src, test and bench would otherwise stay
// reachable in the mocha worker (~700-800 MB of live heap that every later full garbage collection walks again).
// The child's larger young generation (--max-semi-space-size=64, in package.json) cuts scavenges 3x (440 -> 142).
// (--single-threaded-gc was measured too: 4 full-lint pairs -11%, +14%, +1%, +1% CPU, noise: not used.)
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const PLANTED_SRC = `// planted by test/lint.test.ts
export async function later(): Promise<number> {
  return 1;
}

export function start(): void {
  later();
}
`;
const PLANTED_TEST = `// planted by test/lint.test.ts
async function settle(): Promise<void> {}

describe('planted', () => {
  it('forgets a promise', () => {
    settle();
  });
});
`;

describe('lint', function () {
  // Type-aware linting builds the whole program: a minute or more of CPU on a loaded 2-core machine when the record
  // vouches for few files.
  this.timeout(30 * 60_000);
  let tree = '';
  after(() => {
    if (tree) rmSync(tree, { recursive: true, force: true });
  });

  it('eslint reports no problem in src, test and bench (npm run lint), and reports floating promises planted in src and test', async () => {
    // package.json's own command, so that the test and the script cannot drift apart; run by sh as npm would, with
    // node_modules/.bin and this node first on PATH; --no-record: a test does not write into the tree.
    const script: string = JSON.parse(readFileSync('package.json', 'utf8')).scripts.lint;
    assert.match(script, /scripts\/lint\.mjs/);
    tree = mkdtempSync(path.join(os.tmpdir(), 'lint-'));
    // everything but .git and the folders eslint.config.js ignores whole (node_modules is linked)
    for (const e of readdirSync('.')) {
      if (['.git', 'node_modules', 'dist', '.arm-emulator', '.bench-data', 'coverage', 'test-output'].includes(e)) continue;
      cpSync(e, path.join(tree, e), { recursive: true });
    }
    symlinkSync(path.resolve('node_modules'), path.join(tree, 'node_modules'));
    writeFileSync(path.join(tree, 'src/planted-floating.ts'), PLANTED_SRC);
    writeFileSync(path.join(tree, 'test/planted-floating.test.ts'), PLANTED_TEST);

    const PATH = [path.resolve('node_modules/.bin'), path.dirname(process.execPath), process.env.PATH].join(path.delimiter);
    const { TSESTREE_SINGLE_RUN: _, ...env } = process.env;
    const { code, out } = await new Promise<{ code: number | string | null; out: string }>((resolve) => {
      execFile('sh', ['-c', `${script} --no-record`], { cwd: tree, env: { ...env, PATH }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
        resolve({ code: err ? (err.code ?? null) : 0, out: `${stdout}${stderr}` }),
      );
    });
    const reported = out
      .split('\n')
      .filter((l) => l.startsWith(tree))
      .map((l) => path.relative(tree, l.trim()))
      .sort();
    assert.deepEqual(reported, ['src/planted-floating.ts', 'test/planted-floating.test.ts'], `npm run lint (${script}) in a copy of the checkout:\n${out}`);
    assert.equal(code, 1, out);
    const floating = out.split('\n').filter((l) => l.includes('@typescript-eslint/no-floating-promises'));
    assert.equal(floating.length, 2, out);
    assert.match(out, /\d+ files: \d+ linted by eslint/);
  });

  it("a file's key changes with the files it imports (directly or not) and with any global declaration, not with others", async () => {
    const { keys } = await import(pathToFileURL(path.resolve('scripts/lint.mjs')).href);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lint-keys-'));
    try {
      symlinkSync(path.resolve('node_modules'), path.join(dir, 'node_modules'));
      cpSync('tsconfig.json', path.join(dir, 'tsconfig.json'));
      cpSync('package.json', path.join(dir, 'package.json'));
      const files: Record<string, string> = {
        'src/a.ts': 'export function later(): void {}\n',
        'src/b.ts': "import { later } from './a.js';\nlater();\n",
        'src/c.ts': 'export const c = 1;\n',
        'src/d.ts': "export * as a from './b.js';\n",
        'test/e.test.ts': "import { x } from '../src/missing.js';\nx();\n",
        'test/f.test.ts': "import { c } from '../src/c.js';\nimport { readFileSync } from 'node:fs';\nreadFileSync(String(c));\n",
      };
      const write = (f: string, text: string) => {
        mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        writeFileSync(path.join(dir, f), text);
      };
      for (const [f, text] of Object.entries(files)) write(f, text);
      const names = Object.keys(files);
      const now = async (): Promise<Record<string, string>> => Object.fromEntries((await keys(dir, names)).key);
      const k0 = await now();
      assert.deepEqual(Object.keys(k0).sort(), ['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/d.ts', 'test/f.test.ts'], 'no key for a file importing what does not exist');
      assert.deepEqual(await now(), k0, 'the same bytes, the same keys');
      const changed = (a: Record<string, string>, b: Record<string, string>) => names.filter((f) => a[f] !== b[f]).sort();
      // a.ts returns a promise now: b.ts (imports it) and d.ts (re-exports b.ts as a namespace) must be linted again
      write('src/a.ts', 'export async function later(): Promise<void> {}\n');
      const k1 = await now();
      assert.deepEqual(changed(k0, k1), ['src/a.ts', 'src/b.ts', 'src/d.ts']);
      write('src/c.ts', 'export const c = 2;\n');
      const k2 = await now();
      assert.deepEqual(changed(k1, k2), ['src/c.ts', 'test/f.test.ts']);
      // a declaration that reaches every file changes every key
      write('src/g.ts', 'export {};\ndeclare global {\n  var planted: number;\n}\n');
      const k3 = await now();
      assert.deepEqual(changed(k2, k3), ['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/d.ts', 'test/f.test.ts']);
      assert.deepEqual((await keys(dir, names)).globals, ['src/g.ts']);
      // and so does the configuration
      writeFileSync(path.join(dir, 'tsconfig.json'), readFileSync('tsconfig.json', 'utf8').replace('"strict": true', '"strict": false'));
      assert.deepEqual(changed(k3, await now()), ['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/d.ts', 'test/f.test.ts']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
