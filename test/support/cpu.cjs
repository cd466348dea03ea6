// CPU per test file (ARM_EMULATOR_TEST_CPU=1, or `--require test/support/cpu.cjs` on a --no-config run): a mocha
// root-hook plugin that charges the CPU its process burns (process.cpuUsage: user + system, every thread of it) to
// the test file running, and the CPU of its reaped child processes (az, kubectl, python, postgres: the cutime and
// cstime of /proc/self/stat, Linux only) in a column of its own. Wall time lies on a shared machine; CPU does not.
//
// Everything a process burns is charged to some file: the delta since the previous mark goes to the file whose test
// or hook ends, so a file's figure includes loading its modules (the first file in a worker also pays for loading
// src/) and its before/after hooks (emulator starts and closes). In a parallel run each worker charges its files
// (root "after all" hooks run once per file there) and writes one line per file into ARM_EMULATOR_TEST_CPU_DIR
// (made by .mocharc.cjs); the reporter (test/support/reporter.cjs) prints the table before its closing line. With
// another reporter the table is printed by this plugin's global teardown.
// CommonJS because mocha loads plugins with require() in every worker.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const TICK_MS = 10; // USER_HZ is 100 on Linux
/** CPU ms of reaped children (and their reaped descendants), or 0 where /proc is missing. */
function childrenMs() {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) * TICK_MS; // fields 16 and 17 (cutime, cstime), counted from field 3
  } catch {
    return 0;
  }
}

// The run's main process makes the folder; its workers (forked by it) write there. Any other process that inherited
// the variables (a mocha started by a test) is a run of its own, with its own folder.
if (!process.env.ARM_EMULATOR_TEST_CPU_DIR || process.env.ARM_EMULATOR_TEST_CPU_OWNER !== String(process.ppid)) {
  process.env.ARM_EMULATOR_TEST_CPU_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'arm-emulator-test-cpu-'));
  process.env.ARM_EMULATOR_TEST_CPU_OWNER = String(process.pid);
}
const DIR = process.env.ARM_EMULATOR_TEST_CPU_DIR;
const OUT = path.join(DIR, `${process.pid}.jsonl`);

let mark = { cpu: process.cpuUsage(), children: childrenMs(), wall: Date.now() };
/** file -> { user, system, children, wall } in ms, for this process, not yet written. */
const pending = new Map();
function charge(file) {
  const cpu = process.cpuUsage();
  const children = childrenMs();
  const wall = Date.now();
  const e = pending.get(file) ?? { user: 0, system: 0, children: 0, wall: 0 };
  e.user += (cpu.user - mark.cpu.user) / 1000;
  e.system += (cpu.system - mark.cpu.system) / 1000;
  e.children += children - mark.children;
  e.wall += wall - mark.wall;
  pending.set(file, e);
  mark = { cpu, children, wall };
}
function flush() {
  const lines = [...pending].map(([file, e]) => JSON.stringify({ file: path.relative(process.cwd(), file), ...e }) + '\n');
  pending.clear();
  if (lines.length) fs.appendFileSync(OUT, lines.join(''));
}

let lastFile = '(no file)';
const fileOf = (runnable) => {
  for (let r = runnable; r; r = r.parent) if (r.file) return r.file;
  return lastFile;
};

exports.mochaHooks = {
  afterEach() {
    lastFile = fileOf(this.currentTest);
    charge(lastFile);
  },
  // Once per file in a parallel worker, once per run in a serial one: the file's own after-all hooks have run.
  afterAll() {
    charge(lastFile);
    flush();
  },
};

/** Rows summed over processes, from DIR: [file, { user, system, children, wall }], most CPU first. */
function readRows() {
  const perFile = new Map();
  for (const name of fs.existsSync(DIR) ? fs.readdirSync(DIR) : []) {
    for (const line of fs.readFileSync(path.join(DIR, name), 'utf8').split('\n')) {
      if (!line) continue;
      const r = JSON.parse(line);
      const e = perFile.get(r.file) ?? { user: 0, system: 0, children: 0, wall: 0 };
      for (const k of Object.keys(e)) e[k] += r[k];
      perFile.set(r.file, e);
    }
  }
  return [...perFile].sort((a, b) => b[1].user + b[1].system - (a[1].user + a[1].system));
}

/** The table (lines), and removes DIR: called once, by the reporter or by the teardown below. */
function cpuTable() {
  flush();
  const rows = readRows();
  fs.rmSync(DIR, { recursive: true, force: true });
  if (!rows.length) return [];
  const s = (ms) => (ms / 1000).toFixed(1).padStart(7);
  const sum = rows.reduce((t, [, e]) => ({ cpu: t.cpu + e.user + e.system, children: t.children + e.children }), { cpu: 0, children: 0 });
  const out = [
    `  CPU per test file (mocha's processes: user + system; children: reaped child processes), ${rows.length} files; sum ${s(sum.cpu).trim()} s in-process, ${s(sum.children).trim()} s children, load ${os.loadavg()[0].toFixed(1)}:`,
  ];
  out.push(`  ${'cpu s'.padStart(7)}  ${'user'.padStart(7)}  ${'system'.padStart(7)}  ${'child s'.padStart(7)}  ${'wall s'.padStart(7)}  file`);
  for (const [f, e] of rows) out.push(`  ${s(e.user + e.system)}  ${s(e.user)}  ${s(e.system)}  ${s(e.children)}  ${s(e.wall)}  ${f}`);
  return out;
}
exports.cpuTable = cpuTable;

let printed = false;
exports.printCpuTable = () => {
  if (printed) return;
  printed = true;
  for (const line of cpuTable()) console.log(line);
  console.log('');
};
// Global fixtures run in the main process only (after every worker ended, in a parallel run).
exports.mochaGlobalTeardown = () => exports.printCpuTable();
