// One way for a test to wait for something: poll a condition until it holds. The emulator's own time control
// (--time-scale 0, /_emulator/operations/time-scale, gates, /_emulator/clock/advance) decides how much simulated
// work there is; this only waits for the event loop to get there. The deadline is a guard against a hang, never a
// timing assertion: it is generous so that a loaded machine does not fail a test that is right.
export interface WaitOptions {
  /** What is awaited, for the failure message. */
  what?: string;
  /** Hang guard (ms of wall-clock time); default 20 s, under mocha's 30 s test timeout. */
  timeoutMs?: number;
  /** Pause between polls (ms); default 5. */
  everyMs?: number;
}

/** Resolves with the first truthy value `probe` returns; rejects naming `what` when the guard runs out. */
export async function waitUntil<T>(probe: () => T | Promise<T>, opts: WaitOptions = {}): Promise<NonNullable<T>> {
  const { what = 'the condition', timeoutMs = 20_000, everyMs = 5 } = opts;
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}; last seen: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
