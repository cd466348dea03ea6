// How long the emulator's event loop is ever held, measured inside the process that runs it (the emulator
// under test runs in the test's process). A timer ticks every few milliseconds; for each gap between two
// ticks it records the wall-clock time (what a client waits: inflated when other processes take the CPU)
// and the CPU time the main thread itself spent in that gap (what the emulator held the loop for: not
// inflated by other processes, since a thread that is not scheduled spends no CPU). Assertions use the CPU
// figure, so a busy machine cannot fail them; the wall figures are reported (with Node's event-loop delay
// histogram) to show what a client saw.
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';

/** CPU time of the calling (main) thread in ns: /proc/thread-self/schedstat on Linux, else the process's. */
function threadCpuNs(): bigint {
  try {
    return BigInt(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
  } catch {
    const u = process.cpuUsage();
    return BigInt(u.user + u.system) * 1000n;
  }
}

export interface LoopReport {
  /** Timer gaps observed. */
  gaps: number;
  /** Longest main-thread CPU time within one gap, ms: the longest the emulator held its event loop. */
  maxHeldMs: number;
  /** Longest wall-clock gap, ms (includes time the machine gave to other processes). */
  maxWallGapMs: number;
  /** Node's event-loop delay histogram: p99 and max, ms (wall clock). */
  delayP99Ms: number;
  delayMaxMs: number;
  /** The source of the CPU figure ('thread' on Linux, 'process' elsewhere). */
  cpuSource: 'thread' | 'process';
  /** What the test said it was doing (`probe.during`) when the longest hold ended, and the GC time in that gap. */
  maxHeldDuring?: string;
  maxHeldGcMs: number;
}

export class LoopProbe {
  private timer?: NodeJS.Timeout;
  private lastWall = 0n;
  private lastCpu = 0n;
  private maxHeld = 0n;
  private maxHeldDuring?: string;
  private maxHeldGcMs = 0;
  private gcMs = 0;
  private gcObserver?: PerformanceObserver;
  /** Set by the test to what it is doing now; reported with the longest hold (to find its cause). */
  during?: string;
  private maxWall = 0n;
  private gaps = 0;
  private hist?: IntervalHistogram;
  private readonly source: 'thread' | 'process';

  constructor(private readonly everyMs = 5) {
    let src: 'thread' | 'process' = 'thread';
    try {
      readFileSync('/proc/thread-self/schedstat', 'utf8');
    } catch {
      src = 'process';
    }
    this.source = src;
  }

  start(): void {
    this.hist = monitorEventLoopDelay({ resolution: 10 });
    this.hist.enable();
    this.lastWall = process.hrtime.bigint();
    this.lastCpu = threadCpuNs();
    this.gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) this.gcMs += e.duration;
    });
    this.gcObserver.observe({ entryTypes: ['gc'] });
    this.timer = setInterval(() => this.tick(), this.everyMs);
  }

  private tick(): void {
    const wall = process.hrtime.bigint();
    const cpu = threadCpuNs();
    const held = cpu - this.lastCpu;
    const gap = wall - this.lastWall;
    if (held > this.maxHeld) {
      this.maxHeld = held;
      this.maxHeldDuring = this.during;
      this.maxHeldGcMs = this.gcMs;
    }
    this.gcMs = 0;
    if (gap > this.maxWall) this.maxWall = gap;
    this.gaps++;
    this.lastWall = wall;
    this.lastCpu = cpu;
  }

  /** The figures so far (the probe keeps running). */
  report(): LoopReport {
    const h = this.hist!;
    return {
      gaps: this.gaps,
      maxHeldMs: Number(this.maxHeld) / 1e6,
      maxWallGapMs: Number(this.maxWall) / 1e6,
      delayP99Ms: h.percentile(99) / 1e6,
      delayMaxMs: h.max / 1e6,
      cpuSource: this.source,
      maxHeldDuring: this.maxHeldDuring,
      maxHeldGcMs: this.maxHeldGcMs,
    };
  }

  stop(): LoopReport {
    this.tick();
    if (this.timer) clearInterval(this.timer);
    this.gcObserver?.disconnect();
    const r = this.report();
    this.hist?.disable();
    return r;
  }
}
