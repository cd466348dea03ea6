// The emulator's time model, for tests that assert how long an operation takes without racing a clock.
import type { TaskSpec } from '../../src/arm/asyncOperations.js';

/** Longest chain of simulated task durations (ms at time scale 1): how long the plan takes. */
export function criticalPathMs(tasks: TaskSpec[]): number {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const memo = new Map<string, number>();
  const end = (id: string): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const t = byId.get(id)!;
    const v = (t.durationMs ?? 0) + Math.max(0, ...(t.dependsOn ?? []).filter((d) => byId.has(d)).map(end));
    memo.set(id, v);
    return v;
  };
  return Math.max(0, ...tasks.map((t) => end(t.id)));
}
