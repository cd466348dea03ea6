// eslint (eslint.config.js: typescript-eslint, type-aware, with no-floating-promises) as part of `npm test`. It runs
// as a test file so that a whole, parallel run lints while other workers wait on real clients; `npm run lint` runs
// the same command alone. The formatter's check is its own file (format.test.ts), so that a parallel run gives it
// another worker.
//
// eslint runs in a child process, as `npm run lint` does, for two reasons of CPU (the suite is CPU-bound):
// - the TypeScript program of src, test and bench (about a gigabyte of heap once linted) is freed when eslint exits;
//   in the mocha worker it stayed reachable through the cached eslint.config.js module for every later test file of
//   that worker, so each of their full garbage collections walked it again;
// - the child gets a larger young generation (--max-semi-space-size): the program's nodes, types and ESTree copies
//   are long-lived, and with the default 16 MB the scavenger copied them several times before promoting them
//   (3 times fewer scavenges, 4-13% less CPU for the whole lint in same-run pairs at load 5-15).
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
