// eslint (eslint.config.js: typescript-eslint, type-aware, with no-floating-promises) and the formatter's check
// (scripts/formatted-files.txt) as part of `npm test`. They run as a test file so that a whole, parallel run
// lints while other workers wait on real clients; `npm run lint` and `npm run format:check` run them alone.
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';

describe('lint and format', function () {
  // Type-aware linting builds the whole program: minutes of CPU on a loaded 2-core machine.
  this.timeout(30 * 60_000);

  it('eslint reports no problem in src, test and bench', async () => {
    const eslint = new ESLint({ cwd: process.cwd() });
    const results = await eslint.lintFiles(['src', 'test', 'bench']);
    const problems = results.filter((r) => r.errorCount + r.warningCount > 0);
    const text = problems.length ? await (await eslint.loadFormatter('stylish')).format(problems) : '';
    assert.equal(problems.length, 0, `npm run lint:\n${text}`);
  });

  it('the files listed as formatted stay formatted (prettier)', async () => {
    const mod = await import(pathToFileURL(path.resolve('scripts/format-check.mjs')).href);
    const bad: string[] = await mod.unformatted();
    assert.deepEqual(bad, [], `run: npx prettier --write ${bad.join(' ')}`);
  });
});
