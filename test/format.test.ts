// The formatter's check (prettier, the files listed in scripts/formatted-files.txt) as part of `npm test`; a file of
// its own so that a parallel run checks formatting on one worker while another lints (lint.test.ts).
// `npm run format:check` runs it alone.
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

describe('format', function () {
  // prettier over ~440 files: tens of seconds of CPU on a loaded machine
  this.timeout(10 * 60_000);

  it('the files listed as formatted stay formatted (prettier)', async () => {
    const mod = await import(pathToFileURL(path.resolve('scripts/format-check.mjs')).href);
    const bad: string[] = await mod.unformatted();
    assert.deepEqual(bad, [], `run: npx prettier --write ${bad.join(' ')}`);
  });
});
