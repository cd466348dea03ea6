// Memory a burst of work leaves committed, given back once the burst is over, without holding the event loop.
//
// Measured (bench/scale's bulk load through the front door, heap statistics, --trace-gc): after 100,000
// resource groups PUT (plus 50 clusters and 5,000 generic resources) the emulator held 460 - 520 MB resident
// with 420 MB of V8 heap, of which 180 MB were live. An ordinary major collection frees the garbage in place
// but gives little back: the live texts of the store sit on pages shared with garbage the burst promoted, so
// the pages stay. What gives them back is a collection that reduces the footprint (compacts the fragmented
// pages, shrinks the young generation). Made at once (the inspector's HeapProfiler.collectGarbage, as an
// earlier version did) it is atomic: 0.5 s with 20,000 groups, 1.3 - 2 s with 100,000 on the loaded 2-core
// machine, every request waiting meanwhile.
//
// V8 has its own memory reducer: incremental memory-reducing collections (marking in steps between tasks,
// compaction of the fragmented pages at the end), started by a timer once the allocation rate is low. An
// emulator with clusters never looks idle enough to it (their controllers keep allocating), so it never
// starts; with V8 told to optimise for size it does. So: once the loop has been less than half busy for two
// checks in a row (a burst is over), `--optimize-for-size` is set for 15 s, and cleared at once if the loop is
// busy again (it makes V8 collect more often, which a burst should not pay). Same machine, same 100,000-group
// load: resident set 521 -> 280 MB within 15 s, the longest pause 148 ms (two collections: 93 and 148 ms,
// incremental steps up to 53 ms, at load 17); the atomic collection reached 261 MB holding the loop 2 s.
// Those pauses were mostly compaction, which only the window's first collection does now (compaction()).
// Started by the command line only (a test process runs many emulators and its own collections).

import v8 from 'node:v8';
import { constants, performance, PerformanceObserver } from 'node:perf_hooks';
import { runInNewContext } from 'node:vm';

const CHECK_MS = 5000;
/** Below this share of busy time (each check) a burst is over: clusters' controllers keep a loaded loop above "idle". */
const QUIET_UTILISATION = 0.5;
/** Quiet checks in a row before V8 is told to reduce the footprint (a burst pausing is not its end). */
const QUIET_CHECKS = 2;
/**
 * Checks V8 is told to reduce it for: its timer starts a round within 8 s, and the rounds that follow run to
 * their end without the flag. Not longer: with it V8 keeps the young generation at its smallest, so a heavy
 * request made meanwhile collects more often. (Reads made after the window were as fast as before it: 20,000
 * groups, a filtered generic list, the dashboard state, a $filter over every group.)
 */
const REDUCE_CHECKS = 3;
/** A heap a single atomic collection is cheap on (start-up leaves about 20 MB). */
const SMALL_HEAP = 64 * 1024 * 1024;

/**
 * Whether V8 optimises for size now (its memory reducer then runs incremental, footprint-reducing collections
 * whenever its timer fires). A flag V8 reads where it decides, so setting it at run time takes effect at once.
 */
export function reduceFootprint(on: boolean): void {
  v8.setFlagsFromString(on ? '--optimize-for-size' : '--no-optimize-for-size');
  if (!on) compaction(true);
}

/**
 * Whether full collections compact (move the survivors of fragmented pages together, and every pointer to them):
 * most of a reducing collection's atomic pause. The reducer's first round compacts what the burst left
 * fragmented; the rounds after it go without (releaseMemoryWhenIdle). 100,000 groups at load 9 - 11, the
 * reducer's three rounds: atomic pauses 58.6 / 82.4 / 91.0 ms with compaction in each (evacuation 37 - 68 ms of
 * them, the later rounds the longest while freeing under 1 MB), 10.4 / 22.7 / 12.1 ms with none; but with none,
 * bench scale's resident set 30 s after the load was 256 MB against 233.
 */
export function compaction(on: boolean): void {
  v8.setFlagsFromString(on ? '--compact' : '--no-compact');
}

/** One ordinary major collection, through the gc() V8 offers a new context once --expose-gc is set. */
function majorCollection(): void {
  try {
    v8.setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as (o: { type: 'major' }) => void)({ type: 'major' });
  } catch {
    // no gc(): V8's reducer starts after the first collection the process makes on its own
  }
}

/**
 * What the next check decides, from the quiet checks in a row so far and this check's busy share: reduce from
 * the QUIET_CHECKS-th quiet check on, for REDUCE_CHECKS checks, then not until the loop was busy again (a new burst).
 */
export function footprintStep(quietChecks: number, busy: number): { quietChecks: number; reduce: boolean } {
  const quiet = busy < QUIET_UTILISATION ? quietChecks + 1 : 0;
  return { quietChecks: quiet, reduce: quiet >= QUIET_CHECKS && quiet < QUIET_CHECKS + REDUCE_CHECKS };
}

/** Starts watching; returns a function that stops it (and leaves V8 as it found it). */
export function releaseMemoryWhenIdle(): () => void {
  let last = performance.eventLoopUtilization();
  let quietChecks = 0;
  let reducing = false;
  let started = false;
  // the first full collection of a window compacts; the reducer's rounds after it do not (see compaction())
  const gcs = new PerformanceObserver((list) => {
    if (reducing && list.getEntries().some((e) => (e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)) compaction(false);
  });
  gcs.observe({ entryTypes: ['gc'] });
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    const step = footprintStep(quietChecks, busy);
    quietChecks = step.quietChecks;
    if (step.reduce === reducing) return;
    reduceFootprint((reducing = step.reduce));
    if (reducing && !started) {
      // V8's reducer starts waiting for its timer at a major collection; after start-up it may be waiting for
      // none (a heap of about 20 MB: one takes a few milliseconds). Not on a large heap: a burst that grew it
      // made V8 collect (its reducer is waiting), and an atomic collection would hold the loop for seconds.
      started = true;
      if (v8.getHeapStatistics().used_heap_size < SMALL_HEAP) majorCollection();
    }
  }, CHECK_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    gcs.disconnect();
    if (reducing) reduceFootprint(false);
  };
}
