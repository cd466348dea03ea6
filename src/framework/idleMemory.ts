// Memory a burst of work leaves committed, given back once the process is idle.
//
// Measured (bench/scale's bulk load through the front door, /proc/PID/smaps, heap statistics, heap snapshots):
// after 20,000 resource groups PUT the emulator held 206 MB resident, of which the V8 heap was 150 MB (old
// space 104 MB "used", young generation 32 MB), while a heap snapshot found 42 MB of live objects; malloc
// arenas, Buffers and sockets were a few MB. The difference is memory an ordinary major collection keeps:
// objects only freed by a collection that runs weak callbacks to a fixed point (several rounds) and reduces
// the footprint (compacts, shrinks the young generation, clears compilation caches), as V8 does for a heap
// snapshot or a low-memory notification. Nothing in the emulator holds them: the next such collection frees
// them. That collection (the inspector's HeapProfiler.collectGarbage, reachable in-process without
// --inspect) brought that process from 206 to 101 MB resident; an idle emulator after start-up from 72.7 to
// 70.4 MB.
//
// It costs the loop one stretch (0.2 s at start-up, 0.5 s with 20,000 groups, on the loaded 2-core machine), so
// it runs only when the process is idle (event loop busy less than 5 % of each of the last two 5 s checks) and
// the resident set grew by more than 32 MB since the last one (or once after start-up). Where the inspector
// is missing (a node built without it), an ordinary major collection is made instead.
// While a loaded machine's clusters keep the loop above "idle", an ordinary major collection (about 12 ms with
// 100,000 groups) is still made once the old generation grew by 32 MB and the loop is less than half busy, and
// a minor one lets V8 shrink the young generation a burst grew. Started by the command line only (a test process
// runs many emulators and its own collections).

import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { performance } from 'node:perf_hooks';

const CHECK_MS = 5000;
/** Idle: the event loop busy less than this share of the last CHECK_MS (clusters' controllers tick now and then). */
const IDLE_UTILISATION = 0.05;
/** Checks in a row that must be idle before the footprint-reducing collection (a burst pausing is not idleness). */
const IDLE_CHECKS_TO_RECLAIM = 2;
/** Below this share of busy time a burst is over (see the old generation below). */
const QUIETER_UTILISATION = 0.5;
/** The young generation's size at start (two 1 MB semi-spaces): larger than this, it grew during a burst. */
const YOUNG_AT_START = 2 * 1024 * 1024;
/** Growth of the old generation since the last major collection made here beyond which the next is made. */
const OLD_GROWTH_BYTES = 32 * 1024 * 1024;
/** Growth of the resident set since the last footprint-reducing collection beyond which the next is made. */
const RSS_GROWTH_BYTES = 32 * 1024 * 1024;

const spaceSize = (name: string) => v8.getHeapSpaceStatistics().find((s) => s.space_name === name)?.space_size ?? 0;

/**
 * One collection that reduces the footprint, as V8 makes for a heap snapshot (weak callbacks run to a fixed
 * point, compaction, the young generation shrunk, compilation caches cleared). Resolves false where the
 * inspector is not available.
 */
export async function reduceFootprint(): Promise<boolean> {
  let Session: typeof import('node:inspector').Session;
  try {
    ({ Session } = await import('node:inspector'));
  } catch {
    return false;
  }
  const session = new Session();
  try {
    session.connect();
  } catch {
    return false;
  }
  return new Promise((resolve) => {
    session.post('HeapProfiler.collectGarbage', (err) => {
      // disconnecting inside the session's own callback stalls the loop: after it
      setImmediate(() => session.disconnect());
      resolve(!err);
    });
  });
}

/** Starts watching; returns a function that stops it. */
export function releaseMemoryWhenIdle(): () => void {
  let collect: ((opts: { type: 'minor' | 'major' }) => void) | undefined;
  try {
    // the gc() V8 offers to a new context once the flag is set: this process's own heap
    v8.setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as typeof collect;
  } catch {
    collect = undefined;
  }
  let last = performance.eventLoopUtilization();
  let collected = false; // since the last busy period
  /** The old generation's size after the last major collection made here (0: none yet). */
  let oldAfterLast = 0;
  /** Idle checks in a row. */
  let idleChecks = 0;
  /** The resident set after the last footprint-reducing collection (0: none yet, so one follows start-up). */
  let rssAfterReclaim = 0;
  let reclaiming = false;
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    if (reclaiming) return;
    idleChecks = busy < IDLE_UTILISATION ? idleChecks + 1 : 0;
    if (idleChecks >= IDLE_CHECKS_TO_RECLAIM && (rssAfterReclaim === 0 || process.memoryUsage.rss() > rssAfterReclaim + RSS_GROWTH_BYTES)) {
      reclaiming = true;
      void reduceFootprint()
        .then((done) => {
          if (!done) collect?.({ type: 'major' });
        })
        .finally(() => {
          reclaiming = false;
          collected = true;
          oldAfterLast = spaceSize('old_space');
          // V8 hands pages back to the system on its own threads shortly after: read the resident set then
          setTimeout(() => (rssAfterReclaim = process.memoryUsage.rss()), 1000).unref();
          rssAfterReclaim ||= process.memoryUsage.rss();
        });
      return;
    }
    if (!collect) return;
    // The old generation: compacted once the burst that grew it is over (the loop less than half busy), not
    // only when idle: with clusters, their controllers keep a loaded machine's loop busier than "idle" for good.
    if (busy < QUIETER_UTILISATION && spaceSize('old_space') > oldAfterLast + OLD_GROWTH_BYTES) {
      collect({ type: 'major' });
      oldAfterLast = spaceSize('old_space');
      collected = true;
      return;
    }
    if (busy > IDLE_UTILISATION) {
      collected = false;
      return;
    }
    if (collected) return;
    collected = true;
    if (spaceSize('new_space') > YOUNG_AT_START) collect({ type: 'minor' });
  }, CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
