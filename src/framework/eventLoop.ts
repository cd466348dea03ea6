// How long the event loop was held: perf_hooks' event-loop delay histogram, started with the first
// emulator of the process. The admin health answer reports it (and can reset it), so `npm run bench`
// can show that no request or operation keeps the emulator from answering.

import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

let histogram: IntervalHistogram | undefined;

/** Starts measuring (idempotent). */
export function watchEventLoop(): void {
  if (histogram) return;
  histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
}

/** The delays seen since the start or the last reset, in milliseconds. */
export function eventLoopDelay(reset = false): { maxMs: number; p99Ms: number; meanMs: number } {
  watchEventLoop();
  const h = histogram!;
  const ms = (ns: number) => Math.round((Number.isFinite(ns) ? ns : 0) / 1e4) / 100;
  const out = { maxMs: ms(h.max), p99Ms: ms(h.percentile(99)), meanMs: ms(h.mean) };
  if (reset) h.reset();
  return out;
}
