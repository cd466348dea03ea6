// eslint (eslint.config.js: typescript-eslint, type-aware, with no-floating-promises) as part of `npm test`. It runs
// as a test file so that a whole, parallel run lints while other workers wait on real clients; `npm run lint` runs
// the same command alone. The formatter's check is its own file (format.test.ts), so that a parallel run gives it
// another worker.
//
// eslint runs in a child process, as `npm run lint` does: the TypeScript program it builds for src, test and bench
// stays reachable through the cached eslint.config.js module, and in the mocha worker that was ~700-800 MB of live
// heap for every later test file of that worker (each full garbage collection walked it again: the next file,
// arc/rest, took 6.2 s of CPU after an in-process lint and 5.6 s after this one). The child's larger young generation
// (--max-semi-space-size=64, in package.json) cuts scavenges 3x (440 -> 142); the lint's own CPU stays within the
// noise of the default on this shared machine.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

describe('lint', function () {
  // Type-aware linting builds the whole program: a minute or more of CPU on a loaded 2-core machine.
  this.timeout(30 * 60_000);

  it('eslint reports no problem in src, test and bench (npm run lint)', async () => {
    // package.json's own command (node with its flags, eslint, --max-warnings 0), so the test and the script cannot
    // drift apart; run by sh as npm would, with node_modules/.bin and this node first on PATH.
    const script: string = JSON.parse(readFileSync('package.json', 'utf8')).scripts.lint;
    assert.match(script, /eslint/);
    // A single run, as `npm run lint` is: no file changes while it lints, so eslint.config.js builds one Program
    // for all files (the project service, for editors, is not needed).
    const PATH = [path.resolve('node_modules/.bin'), path.dirname(process.execPath), process.env.PATH].join(path.delimiter);
    const env = { ...process.env, PATH, TSESTREE_SINGLE_RUN: 'true' };
    const { code, out } = await new Promise<{ code: number | string | null; out: string }>((resolve) => {
      execFile('sh', ['-c', script], { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => resolve({ code: err ? (err.code ?? null) : 0, out: `${stdout}${stderr}` }));
    });
    assert.equal(code, 0, `npm run lint (${script}):\n${out}`);
  });
});
