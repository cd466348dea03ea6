// Which instance runs a cluster's controllers when several emulator instances share one store (a CI farm on
// PostgreSQL): one lease per cluster, held in the store, as kube-controller-manager's leader election holds a
// coordination.k8s.io Lease (the record carries a LeaseSpec's fields: holderIdentity, leaseDurationSeconds,
// acquireTime, renewTime, leaseTransitions). Only the holder runs the cluster's controllers; every instance
// still serves the cluster's API (reads and clients' writes go through the store).
//
// - The holder renews every RETRY_PERIOD_MS (one store write for all the leases it holds) and stops running a
//   cluster's controllers when it has not renewed for RENEW_DEADLINE_MS (a database away, a stalled process):
//   it never runs them past the point where another instance may take over.
// - The others note when they last saw the record change, on the emulator's calendar (services.clock), and take
//   the lease once it has not changed for leaseDurationSeconds: the holder died. As client-go does, expiry is
//   judged by when a change was observed, never by comparing another machine's timestamps. The take is a
//   conditional write (the store refuses it when the holder renewed meanwhile), so two instances never both
//   believe they hold it.
// - A clean close releases every lease at once (holderIdentity ""): another instance takes over as soon as it
//   hears of it, without waiting for the duration.
// The duration is a period on the emulator's calendar, not work: --time-scale does not shorten it (a lease of
// 15 s × 0.01 would expire whenever a busy machine delayed a renewal); POST /_emulator/clock/advance moves the
// calendar, so a test (or an administrator) lets a dead holder's leases expire without waiting.
// One writer (the journal store) needs none of this: every cluster's controllers run, no lease is written.

import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { StoreConflictError, StoreUnavailableError, type Store, type StoreChange, type WriteOp } from '../store/store.js';
import { microTime } from './model.js';

/** Store collection of the leases, keyed by cluster key (not a subscription's: never exported or reset). */
export const LEASES = 'kube.leases';
/** kube-controller-manager's defaults (--leader-elect-lease-duration, -renew-deadline, -retry-period). */
export const LEASE_DURATION_SECONDS = 15;
export const RENEW_DEADLINE_MS = 10_000;
export const RETRY_PERIOD_MS = 2_000;

/** A coordination.k8s.io/v1 LeaseSpec. */
export interface LeaseRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: string;
  renewTime: string;
  leaseTransitions: number;
}

export interface LeaseOptions {
  /** Milliseconds since the epoch on the emulator's calendar. */
  now(): number;
  /** This instance now holds the cluster's lease: its controllers should run (a first, level-triggered pass). */
  acquired(cluster: string): void;
  /** This instance no longer holds it: its controllers stop. */
  lost(cluster: string): void;
  quiet?: boolean;
}

export class ControllerLeases {
  /** As kube-controller-manager's: the host name and a unique suffix. */
  readonly identity = `${hostname()}_${randomUUID()}`;
  /** Clusters this instance is ready to drive (serving clusters it knows). */
  private wanted = new Set<string>();
  /** Held leases: wall time (performance.now()) of the last renewal the store accepted. */
  private readonly held = new Map<string, number>();
  /** Per cluster: the record last seen (its text) and when it was first seen so, on the calendar. */
  private readonly observed = new Map<string, { text: string; at: number }>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private closed = false;
  private readonly off: () => void;
  /** Changes of the store's version() that were lease records only (see quietVersion). */
  private leaseOnly = 0;

  constructor(
    private readonly store: Store,
    private readonly o: LeaseOptions,
  ) {
    // A release (or a record gone) is acted on at once, not at the next renewal period.
    this.off = store.onExternalChange((changes) => {
      if (changes !== 'all' && changes.every((c) => c.collection === LEASES)) this.leaseOnly++;
      if (changes === 'all' || changes.some((c) => c.collection === LEASES && this.freed(c))) void this.tick();
    });
  }

  private freed(c: StoreChange): boolean {
    const v = c.value as LeaseRecord | undefined;
    return (!v || !v.holderIdentity) && this.wanted.has(c.key);
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), RETRY_PERIOD_MS);
    this.timer.unref();
  }

  /**
   * The store's version() without the changes that touched lease records only (renewals every RETRY_PERIOD_MS on
   * every instance): what "has anything changed?" watchers compare, so that an idle farm stays idle.
   */
  quietVersion(): number {
    return this.store.version() - this.leaseOnly;
  }

  /** Whether this instance runs the cluster's controllers now. */
  holds(cluster: string): boolean {
    const at = this.held.get(cluster);
    return at !== undefined && performance.now() - at < RENEW_DEADLINE_MS;
  }

  /** The lease as stored (undefined: never taken). */
  record(cluster: string): LeaseRecord | undefined {
    return this.store.get<LeaseRecord>(LEASES, cluster);
  }

  /** Sets the clusters this instance is ready to drive; resolves after a pass that took the free ones among new ones. */
  want(clusters: Iterable<string>): Promise<void> {
    const next = new Set(clusters);
    const grew = [...next].some((c) => !this.wanted.has(c));
    const shrank = [...this.wanted].some((c) => !next.has(c));
    this.wanted = next;
    return grew || shrank ? this.tick() : Promise.resolve();
  }

  /** Tries to take a cluster's lease now if nobody holds it (a request for a cluster no instance drives yet). */
  async claim(cluster: string): Promise<boolean> {
    if (this.holds(cluster)) return true;
    this.wanted.add(cluster);
    await this.tick();
    return this.holds(cluster);
  }

  /** Whether nobody drives the cluster (no record, released, or expired as this instance observed it). */
  free(cluster: string): boolean {
    return this.expired(cluster, this.record(cluster), this.o.now());
  }

  /** One pass (passes asked for while one runs are folded into one more after it). */
  tick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = (async () => {
      do {
        this.again = false;
        await this.pass();
      } while (this.again && !this.closed);
    })();
    this.running = run;
    void run.finally(() => {
      if (this.running === run) this.running = undefined;
    });
    return run;
  }

  private async pass(): Promise<void> {
    if (this.closed) return;
    try {
      await this.store.sync();
    } catch {
      return; // the database is away: nothing can be renewed or taken; holds() lapses after the deadline
    }
    const now = this.o.now();
    const stamp = microTime(now);
    const renew: WriteOp[] = [];
    const release: WriteOp[] = [];
    const take: { cluster: string; op: WriteOp }[] = [];
    const overdue: string[] = [];
    for (const c of new Set([...this.wanted, ...this.held.keys()])) {
      const rec = this.record(c);
      this.observe(c, rec, now);
      if (this.held.has(c)) {
        if (!rec || rec.holderIdentity !== this.identity) {
          this.drop(c); // another instance took it (this one was away longer than the duration)
          continue;
        }
        if (!this.holds(c)) overdue.push(c);
        const value: LeaseRecord = { ...rec, renewTime: stamp, leaseDurationSeconds: LEASE_DURATION_SECONDS };
        if (this.wanted.has(c)) renew.push({ collection: LEASES, key: c, value });
        // a cluster that stopped or went: nothing to drive, no record kept (a start takes a new lease)
        else release.push({ collection: LEASES, key: c, value: undefined });
      } else if (this.wanted.has(c) && this.expired(c, rec, now)) {
        const value: LeaseRecord = {
          holderIdentity: this.identity,
          leaseDurationSeconds: LEASE_DURATION_SECONDS,
          acquireTime: stamp,
          renewTime: stamp,
          leaseTransitions: rec ? rec.leaseTransitions + (rec.holderIdentity !== this.identity ? 1 : 0) : 0,
        };
        take.push({ cluster: c, op: { collection: LEASES, key: c, value } });
      }
    }
    if (renew.length) await this.renew(renew, overdue);
    if (release.length) {
      for (const w of release) this.drop(w.key);
      await this.write(release);
    }
    // One write per lease taken: a cluster another instance took first does not hold up the others.
    for (const t of take) {
      const sent = performance.now();
      if (!(await this.write([t.op]))) continue;
      this.held.set(t.cluster, sent);
      this.o.acquired(t.cluster);
    }
  }

  private async renew(ops: WriteOp[], overdue: string[]): Promise<void> {
    const sent = performance.now();
    const ok = await this.write(ops);
    if (ok) {
      for (const w of ops) this.held.set(w.key, sent);
    } else {
      // Some lease was taken (or the database is away): renew one by one to learn which.
      for (const w of ops) {
        const one = performance.now();
        if (await this.write([w])) this.held.set(w.key, one);
        else if (this.record(w.key)?.holderIdentity !== this.identity) this.drop(w.key);
      }
    }
    // Renewed after the deadline had passed: the controllers stopped meanwhile, they run again.
    for (const c of overdue) if (this.holds(c)) this.o.acquired(c);
  }

  /** Writes; false when refused (another instance wrote first) or the store is away. */
  private async write(ops: WriteOp[]): Promise<boolean> {
    try {
      const done = this.store.write(ops); // counts one change of version() at once (its refusal: an external one)
      this.leaseOnly++;
      await done;
      return true;
    } catch (e) {
      // refused: another instance wrote first; unavailable: holds() lapses after the renew deadline (503s say why)
      if (!(e instanceof StoreConflictError) && !(e instanceof StoreUnavailableError) && !this.o.quiet && !this.closed) console.error('[kube] controller lease:', (e as Error).message);
      return false;
    }
  }

  private drop(cluster: string): void {
    if (this.held.delete(cluster)) this.o.lost(cluster);
  }

  private observe(cluster: string, rec: LeaseRecord | undefined, now: number): void {
    const text = rec ? JSON.stringify(rec) : '';
    const seen = this.observed.get(cluster);
    if (!seen || seen.text !== text) this.observed.set(cluster, { text, at: now });
  }

  private expired(cluster: string, rec: LeaseRecord | undefined, now: number): boolean {
    if (!rec || !rec.holderIdentity) return true;
    if (rec.holderIdentity === this.identity) return !this.held.has(cluster); // a record of this instance's past life
    const seen = this.observed.get(cluster);
    const since = seen && seen.text === JSON.stringify(rec) ? seen.at : now;
    return now - since >= (Number(rec.leaseDurationSeconds) || LEASE_DURATION_SECONDS) * 1000;
  }

  /** Forgets a cluster that is gone (its record is deleted with the cluster). */
  forget(cluster: string): WriteOp[] {
    this.wanted.delete(cluster);
    this.observed.delete(cluster);
    this.held.delete(cluster);
    return this.store.has(LEASES, cluster) ? [{ collection: LEASES, key: cluster, value: undefined }] : [];
  }

  /** Stops renewing and releases every lease held, so the other instances take over at once. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    this.off();
    await this.running?.catch(() => undefined);
    this.closed = true;
    const stamp = microTime(this.o.now());
    const ops: WriteOp[] = [];
    for (const c of this.held.keys()) {
      const rec = this.record(c);
      if (rec?.holderIdentity === this.identity) ops.push({ collection: LEASES, key: c, value: { ...rec, holderIdentity: '', renewTime: stamp, leaseDurationSeconds: 1 } });
    }
    this.held.clear();
    if (ops.length) await this.write(ops);
  }
}
