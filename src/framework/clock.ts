// The emulator's calendar: the real clock plus an offset that the time control moves forward. The
// time scale shortens work (an operation's tasks); calendar periods that no work shortens (a
// certificate's lifetime: a connected cluster's agents expire 90 days after they last reached Azure)
// pass with this clock, so an administrator advances it (POST /_emulator/clock/advance) to see them
// pass. Each advance is remembered with the real time it happened at, so a moment recorded on the
// real clock (a site's disconnection) is placed on the calendar as it stood then. Kept in the store:
// it survives a restart, and an advance made through one instance of a farm reaches the others.

import type { Store } from '../store/store.js';

const COLLECTION = 'emulator';
const KEY = 'clock';

interface Step {
  /** Real time of the advance (ms). */
  at: number;
  /** The total offset from then on (ms). */
  offsetMs: number;
}

export class Clock {
  private steps: Step[];

  constructor(private readonly store: Store) {
    this.steps = this.saved();
    store.onExternalChange((changes) => {
      if (changes === 'all' || changes.some((c) => c.collection === COLLECTION && c.key === KEY)) this.steps = this.saved();
    });
  }

  private saved(): Step[] {
    const saved = this.store.get<{ steps?: Step[] }>(COLLECTION, KEY)?.steps;
    return Array.isArray(saved) ? saved.filter((s) => Number.isFinite(s.at) && Number.isFinite(s.offsetMs)) : [];
  }

  /** Milliseconds since the epoch, on the emulator's calendar. */
  now(): number {
    return this.at(Date.now());
  }

  /** A moment of the real clock (ms) on the emulator's calendar. */
  at(realMs: number): number {
    let offset = 0;
    for (const s of this.steps) if (s.at <= realMs) offset = s.offsetMs;
    return realMs + offset;
  }

  offsetMs(): number {
    return this.steps.at(-1)?.offsetMs ?? 0;
  }

  /** Moves the calendar forward (never back: what already happened stays in the past). */
  async advance(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the clock only moves forward');
    this.steps = [...this.steps, { at: Date.now(), offsetMs: this.offsetMs() + ms }];
    await this.store.write([{ collection: COLLECTION, key: KEY, value: { steps: this.steps } }]);
  }
}
