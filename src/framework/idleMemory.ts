// Memory a burst of work leaves committed. V8 grows the young generation while a burst allocates (start-up,
// a bulk load: from 1 MB up to 16 MB) and sizes it down again only at a collection, which a process that has
// gone idle never gets: so an idle emulator kept start-up's young generation for good (about 15 MB of its
// resident set). Once the process has been idle for a while (event loop busy less than 5 % of the last 5 s)
// and the young generation is larger than it starts, one minor collection lets V8 shrink it: a few
// milliseconds, since by then nearly everything in it is garbage.
// The old generation likewise: a bulk load (100,000 resource groups through the front door) leaves it at
// 320 MB committed of which 120 MB is live, and V8 keeps those pages. When it grew by more than 32 MB since
// the last major collection made here and the loop is less than half busy (the burst is over; clusters'
// controllers keep a loaded machine's loop above "idle" for good), one major collection: about 12 ms with
// 100,000 groups stored (the stored texts are leaves, nothing to trace through), which brought that emulator
// from 434 MB resident to 220 MB. Started by the command line only (a test process runs many emulators and
// its own collections).

import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { performance } from 'node:perf_hooks';

const CHECK_MS = 5000;
/** Idle: the event loop busy less than this share of the last CHECK_MS (clusters' controllers tick now and then). */
const IDLE_UTILISATION = 0.05;
/** Below this share of busy time a burst is over (see the old generation below). */
const QUIETER_UTILISATION = 0.5;
/** The young generation's size at start (two 1 MB semi-spaces): larger than this, it grew during a burst. */
const YOUNG_AT_START = 2 * 1024 * 1024;
/** Growth of the old generation since the last major collection made here beyond which the next is made. */
const OLD_GROWTH_BYTES = 32 * 1024 * 1024;

const spaceSize = (name: string) => v8.getHeapSpaceStatistics().find((s) => s.space_name === name)?.space_size ?? 0;

/** Starts watching; returns a function that stops it. */
export function releaseMemoryWhenIdle(): () => void {
  let collect: ((opts: { type: 'minor' | 'major' }) => void) | undefined;
  try {
    // the gc() V8 offers to a new context once the flag is set: this process's own heap
    v8.setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as typeof collect;
  } catch {
    return () => undefined;
  }
  if (typeof collect !== 'function') return () => undefined;
  let last = performance.eventLoopUtilization();
  let collected = false; // since the last busy period
  /** The old generation's size after the last major collection made here (0: none yet). */
  let oldAfterLast = 0;
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    // The old generation: compacted once the burst that grew it is over (the loop less than half busy), not
    // only when idle: with clusters, their controllers keep a loaded machine's loop busier than "idle" for good.
    if (busy < QUIETER_UTILISATION && spaceSize('old_space') > oldAfterLast + OLD_GROWTH_BYTES) {
      collect!({ type: 'major' });
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
    if (spaceSize('new_space') > YOUNG_AT_START) collect!({ type: 'minor' });
  }, CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
