// mocha's settings for `npm test`, `npm run test:fast` and single-file runs.
//
// - `npx mocha dist/test/arm/framework.test.js` (or `npm test -- <file>`) runs only the files named: the whole
//   list below is used only when no test file is named on the command line.
// - A whole run uses 3 parallel workers (most of a run waits on child processes such as az, so 3 suits a 2-core
//   machine); ARM_EMULATOR_TEST_JOBS=N sets the number, and ARM_EMULATOR_TEST_JOBS=1 runs every file in this one
//   process, in order (for debugging). Each test file owns its emulators, ports (0), temp folders and PostgreSQL
//   server (one per worker process), so files do not share state across workers.
// - ARM_EMULATOR_TEST_SET=fast (`npm run test:fast`) keeps the unit and in-process files: no real az, python,
//   kubectl, npm, browser or emulator child process (the markers below), not the bad-input corpus, and no
//   PostgreSQL variants (the script sets ARM_EMULATOR_TEST_STORES=journal).
// - Real-client files run first in a whole run (az files first, bigger files first): they are the longest, and starting
//   them first keeps the tail short.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const DIST = path.join(__dirname, 'dist', 'test');
// A compiled test file using any of these runs real clients or child processes: not in the fast set.
const SLOW = [/support\/(az|python|browser|ansible)\.js/, /\bdescribeReadmeSections\b/, /\bkubectl\b/, /\bspawn\(|\bexecFile\b|\bexecFileSync\(|\bfork\(/, /support\/postgres\.js/];
// In-process but minutes of CPU: the bad-input corpus (thousands of generated requests) lint and the scaffold test (each
// builds a typed program) are not in the fast set.
const SLOW_PATHS = [/[\\/]reliability[\\/]/, /[\\/](lint|scaffold)\.test\.js$/];

function testFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...testFiles(p));
    else if (e.name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

const named = process.argv.slice(2).some((a) => !a.startsWith('-') && (/\.test\.[cm]?[jt]s$/.test(a) || a.includes('*')));
const config = { reporter: 'test/support/reporter.cjs', timeout: 30000, exit: true };
if (!named) {
  const files = testFiles(DIST).map((f) => {
    const text = fs.readFileSync(f, 'utf8');
    const slow = SLOW_PATHS.some((re) => re.test(f)) || SLOW.some((re) => re.test(text));
    // Longest first keeps a parallel run's tail short: az files (seconds per az start) and the minutes of CPU of lint,
    // scaffold and the bad-input corpus, then the other real-client and child-process files, then the in-process
    // ones; within each group, the bigger file first.
    // The README's section files (test/readme/) are tiny and among the longest: they start first of all.
    const readme = /\bdescribeReadmeSections\b/.test(text);
    const weight = (slow ? 1e9 : 0) + (/support\/az\.js/.test(text) || readme || SLOW_PATHS.some((re) => re.test(f)) ? 1e8 : 0) + (readme ? 1e7 : 0) + text.length;
    return { f, slow, weight };
  });
  const fast = process.env.ARM_EMULATOR_TEST_SET === 'fast';
  config.spec = files
    .filter((x) => !fast || !x.slow)
    .sort((a, b) => b.weight - a.weight)
    .map((x) => x.f);
  // Under heavy load from elsewhere (load average 20 on 2 cores) three workers running az at once made each az test
  // 4-5 times slower than alone, past its hang guard: unless the number is set, a machine already loaded past four
  // runnable processes per core gets one worker (and says so).
  const cores = os.cpus().length || 1;
  const load = os.loadavg()[0];
  let jobs = Math.max(1, Math.floor(Number(process.env.ARM_EMULATOR_TEST_JOBS ?? 3)) || 1);
  if (process.env.ARM_EMULATOR_TEST_JOBS === undefined && load > 4 * cores) {
    jobs = 1;
    console.error(`test run: load average ${load.toFixed(1)} on ${cores} cores, so one worker (ARM_EMULATOR_TEST_JOBS=3 to run 3 anyway)`);
  }
  if (jobs > 1) {
    config.parallel = true;
    config.jobs = jobs;
  }
}
module.exports = config;
