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
// - A whole run starts the longest files first, so that no worker is left with a long file at the end (the tail):
//   az files, then other real-client and child-process files, then in-process ones, each group by the seconds each
//   file took in a measured run (test/file-times.json; ARM_EMULATOR_TEST_FILE_TIMES_SAVE=1 on a run updates it), a
//   file not listed there by its size.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const DIST = path.join(__dirname, 'dist', 'test');
// A compiled test file using any of these runs real clients or child processes: not in the fast set.
const SLOW = [/support\/(az|python|browser|ansible)\.js/, /\bdescribeReadmeSections\b/, /\bkubectl\b/, /\bspawn\(|\bexecFile\b|\bexecFileSync\(|\bfork\(/, /support\/postgres\.js/];
// A shared helper in test/support that runs any of these (az.js, process.js) makes slow every file importing it,
// directly or through another helper there (azSuite.js imports az.js): the markers are looked for in the helpers'
// static imports too, so moving a spawn into a helper cannot move its files into the fast set.
const supportSlow = new Map();
function slowSupport(name) {
  if (!supportSlow.has(name)) {
    supportSlow.set(name, false); // an import circle stops here
    let text = '';
    try {
      text = fs.readFileSync(path.join(DIST, 'support', `${name}.js`), 'utf8');
    } catch {
      text = '';
    }
    const viaImports = [...text.matchAll(/\bfrom '\.\/([\w.-]+)\.js'/g)].some((m) => slowSupport(m[1]));
    supportSlow.set(name, viaImports || SLOW.some((re) => re.test(text)));
  }
  return supportSlow.get(name);
}
const importsSlowSupport = (text) => [...text.matchAll(/\bfrom '(?:\.\.\/)+support\/([\w.-]+)\.js'|\bfrom '\.\/([\w.-]+)\.js'/g)].some((m) => (m[1] ? slowSupport(m[1]) : false));
// In-process but minutes of CPU: the bad-input corpus (thousands of generated requests) lint and the scaffold test (each
// builds a typed program) are not in the fast set.
const SLOW_PATHS = [/[\\/]reliability[\\/]/, /[\\/](lint|format|scaffold)\.test\.js$/];

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

/** dist/test/x.test.js -> test/x.test.ts, as test/file-times.json names files. */
const sourcePath = (f) => path.relative(path.join(__dirname, 'dist'), f).replace(/\.js$/, '.ts').split(path.sep).join('/');

/** Seconds per test file (test/x.test.ts) in a measured whole run; see test/support/reporter.cjs. */
function measuredTimes() {
  try {
    const t = JSON.parse(fs.readFileSync(path.join(__dirname, 'test', 'file-times.json'), 'utf8'));
    return t && typeof t.seconds === 'object' ? t.seconds : {};
  } catch {
    return {};
  }
}

const named = process.argv.slice(2).some((a) => !a.startsWith('-') && (/\.test\.[cm]?[jt]s$/.test(a) || a.includes('*')));
const config = { reporter: 'test/support/reporter.cjs', timeout: 30000, exit: true };
// ARM_EMULATOR_TEST_CPU=1: a CPU column per test file (test/support/cpu.cjs), in-process and children, printed by
// the reporter before its closing line. CPU, not wall, is what a loaded machine cannot disguise.
if (process.env.ARM_EMULATOR_TEST_CPU === '1') config.require = [path.join(__dirname, 'test', 'support', 'cpu.cjs')];
if (!named) {
  const measured = measuredTimes();
  const files = testFiles(DIST).map((f) => {
    const text = fs.readFileSync(f, 'utf8');
    const slow = SLOW_PATHS.some((re) => re.test(f)) || SLOW.some((re) => re.test(text)) || importsSlowSupport(text);
    // Longest first keeps a parallel run's tail short: az files (seconds per az start) and the minutes of CPU of lint,
    // format, scaffold and the bad-input corpus, then the other real-client and child-process files, then the
    // in-process ones; within each group by the measured seconds (test/file-times.json), else the bigger file first.
    // The groups come first so that times measured in different runs (a fast one, a whole one) never misorder them.
    // The README's section files (test/readme/, branch readme) are tiny and among the longest: first of all.
    const readme = /\bdescribeReadmeSections\b/.test(text);
    const group = readme ? 3 : slow ? (/support\/az(Suite)?\.js/.test(text) || SLOW_PATHS.some((re) => re.test(f)) ? 2 : 1) : 0;
    const weight = group * 1e6 + (measured[sourcePath(f)] ?? text.length / 1e4);
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
