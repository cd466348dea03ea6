// mocha's spec reporter, then the time each test file took (slowest first), then a plain closing line
// ("N passed, N failed, N skipped") that CI reads. A file's time is the sum of its tests' and hooks' durations (the
// same figures in a serial and a parallel run, where events reach this process after the fact).
// ARM_EMULATOR_TEST_FILE_TIMES=N prints the N slowest files (default 30; 0 prints none, "all" every file).
// ARM_EMULATOR_TEST_FILE_TIMES_SAVE=1 also writes them into test/file-times.json (the files of this run replace their
// entries), which .mocharc.cjs reads to start the longest files first: save from a whole run on the CI machine.
// ARM_EMULATOR_TEST_CPU=1 adds the CPU each file burnt (test/support/cpu.cjs).
// CommonJS because mocha loads reporters with require().
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Mocha = require('mocha');
const { EVENT_TEST_END, EVENT_HOOK_END, EVENT_RUN_BEGIN, EVENT_RUN_END } = Mocha.Runner.constants;

class SpecWithSummary extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const perFile = new Map();
    let started = Date.now();
    const add = (r) => {
      if (!r || typeof r.duration !== 'number') return;
      if (!r.file && r.type === 'hook') return; // a root hook (test/support/cpu.cjs): no file's
      const f = r.file ? path.relative(process.cwd(), r.file) : '(no file)';
      const e = perFile.get(f) ?? { ms: 0, tests: 0 };
      e.ms += r.duration;
      if (r.type === 'test') e.tests++;
      perFile.set(f, e);
    };
    runner.once(EVENT_RUN_BEGIN, () => (started = Date.now()));
    runner.on(EVENT_TEST_END, add);
    runner.on(EVENT_HOOK_END, add);
    runner.once(EVENT_RUN_END, () => {
      const s = this.stats;
      const want = process.env.ARM_EMULATOR_TEST_FILE_TIMES ?? '30';
      const n = want === 'all' ? Infinity : Number(want) || 0;
      const rows = [...perFile].sort((a, b) => b[1].ms - a[1].ms);
      if (n > 0 && rows.length > 1) {
        const total = rows.reduce((t, [, e]) => t + e.ms, 0);
        console.log(`  time per test file (tests + hooks), ${Math.min(n, rows.length)} of ${rows.length}; sum ${(total / 1000).toFixed(1)} s, wall ${((Date.now() - started) / 1000).toFixed(1)} s:`);
        for (const [f, e] of rows.slice(0, n)) console.log(`  ${(e.ms / 1000).toFixed(1).padStart(7)} s  ${String(e.tests).padStart(3)} tests  ${f}`);
        console.log('');
      }
      if (process.env.ARM_EMULATOR_TEST_FILE_TIMES_SAVE === '1' && s.failures === 0) saveTimes(rows);
      // ARM_EMULATOR_TEST_CPU=1 (.mocharc.cjs loads test/support/cpu.cjs): its CPU table, before the closing line.
      if (process.env.ARM_EMULATOR_TEST_CPU_DIR) require('./cpu.cjs').printCpuTable();
      console.log(`${s.passes} passed, ${s.failures} failed, ${s.pending} skipped`);
    });
  }
}

/** Merges this run's seconds per file into test/file-times.json (keys: test/x.test.ts, as in the repository). */
function saveTimes(rows) {
  const file = path.join(__dirname, '..', 'file-times.json');
  let seconds = {};
  try {
    seconds = JSON.parse(fs.readFileSync(file, 'utf8')).seconds ?? {};
  } catch {
    seconds = {};
  }
  for (const [f, e] of rows) {
    const key = f
      .replace(/^dist[\\/]/, '')
      .replace(/\.js$/, '.ts')
      .split(path.sep)
      .join('/');
    if (key.startsWith('test/')) seconds[key] = Math.round(e.ms / 100) / 10;
  }
  const sorted = Object.fromEntries(Object.entries(seconds).sort((a, b) => b[1] - a[1]));
  const note = 'Seconds per test file in a whole parallel run (test/support/reporter.cjs writes it with ARM_EMULATOR_TEST_FILE_TIMES_SAVE=1); .mocharc.cjs starts the longest first.';
  fs.writeFileSync(file, JSON.stringify({ note, seconds: sorted }, null, 2) + '\n');
  console.log(`  seconds per file saved in ${path.relative(process.cwd(), file)}`);
}

module.exports = SpecWithSummary;
