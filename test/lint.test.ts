// eslint (eslint.config.js: typescript-eslint, type-aware, with no-floating-promises) as part of `npm test`. It runs
// as a test file so that a whole, parallel run lints while other workers wait on real clients; `npm run lint` runs
// it alone. The formatter's check is its own file (format.test.ts), so that a parallel run gives it another worker.
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

describe('lint', function () {
  // Type-aware linting builds the whole program: a minute or more of CPU on a loaded 2-core machine.
  this.timeout(30 * 60_000);

  it('eslint reports no problem in src, test and bench', async () => {
    // A single run, as `npm run lint` is: no file changes while it lints, so eslint.config.js builds one Program
    // for all files (the project service, for editors, is not needed).
    const before = process.env.TSESTREE_SINGLE_RUN;
    process.env.TSESTREE_SINGLE_RUN = 'true';
    try {
      const eslint = new ESLint({ cwd: process.cwd() });
      const results = await eslint.lintFiles(['src', 'test', 'bench']);
      const problems = results.filter((r) => r.errorCount + r.warningCount > 0);
      const text = problems.length ? await (await eslint.loadFormatter('stylish')).format(problems) : '';
      assert.equal(problems.length, 0, `npm run lint:\n${text}`);
    } finally {
      if (before === undefined) delete process.env.TSESTREE_SINGLE_RUN;
      else process.env.TSESTREE_SINGLE_RUN = before;
    }
  });
});
