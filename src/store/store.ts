// The emulator's state store.
//
// Shape: every collection is an in-memory Map (reads never touch disk). Writes are applied to
// memory at once and made durable by an append-only journal with group commit: all writes that
// arrive while one batch is being flushed go out together in the next append + fdatasync. So the
// cost of a write depends on the size of what changed, never on how much is stored.
// The journal is folded into a lowdb snapshot (written atomically: temp file + rename) once it has
// grown past four times the size of the last snapshot, which keeps the amortised cost per write
// constant and small; the snapshot is serialised in chunks so requests keep flowing meanwhile.
// A crash can at worst leave a torn last journal line, which replay ignores: that write was never
// acknowledged, because acknowledgement waits for the flush.

import { promises as fsp, mkdirSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';

export interface WriteOp {
  collection: string;
  key: string;
  /** undefined deletes the key. */
  value?: unknown;
}

/** The interface the rest of the emulator sees; another engine can stand behind it later. */
export interface Store {
  get<T>(collection: string, key: string): T | undefined;
  has(collection: string, key: string): boolean;
  values<T>(collection: string): IterableIterator<T>;
  entries<T>(collection: string): IterableIterator<[string, T]>;
  size(collection: string): number;
  /** Applies the writes to memory now; resolves once they are durable. */
  write(ops: WriteOp[]): Promise<void>;
  /** Resolves once everything written so far is durable. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

interface Snapshot {
  format: 1;
  seq: number;
  collections: Record<string, Record<string, unknown>>;
}

interface JournalRecord {
  s: number;
  o: [string, string, unknown][]; // [collection, key, value|null]
}

export interface StoreOptions {
  /** null: in memory only. */
  dir: string | null;
  /** fdatasync each batch (default true). */
  fsync?: boolean;
  /** Minimum journal size before a snapshot is considered (bytes). */
  minCompactBytes?: number;
}

const JOURNAL_RE = /^journal-(\d{12})\.jsonl$/;
/** The journal may grow to this many times the snapshot before it is folded in. */
const COMPACT_FACTOR = 4;
/** Entries serialised between yields to the event loop while snapshotting. */
const SNAPSHOT_CHUNK = 2000;

export class JournalStore implements Store {
  private readonly data = new Map<string, Map<string, unknown>>();
  private seq = 0;
  private readonly dir: string | null;
  private readonly fsync: boolean;
  private readonly minCompactBytes: number;

  private pending: string[] = [];
  private pendingWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing: Promise<void> | null = null;
  private journalFd: fsp.FileHandle | null = null;
  private journalPath = '';
  private journalBytes = 0;
  private snapshotBytes = 0;
  private compacting: Promise<void> | null = null;
  private closed = false;

  private constructor(opts: StoreOptions) {
    this.dir = opts.dir;
    this.fsync = opts.fsync ?? true;
    this.minCompactBytes = opts.minCompactBytes ?? 4 * 1024 * 1024;
  }

  static async open(opts: StoreOptions): Promise<JournalStore> {
    const s = new JournalStore(opts);
    if (s.dir) await s.load(s.dir);
    return s;
  }

  // ---- reads -------------------------------------------------------------------------------

  private coll(name: string): Map<string, unknown> {
    let m = this.data.get(name);
    if (!m) {
      m = new Map();
      this.data.set(name, m);
    }
    return m;
  }

  get<T>(collection: string, key: string): T | undefined {
    return this.data.get(collection)?.get(key) as T | undefined;
  }
  has(collection: string, key: string): boolean {
    return this.data.get(collection)?.has(key) ?? false;
  }
  values<T>(collection: string): IterableIterator<T> {
    return this.coll(collection).values() as IterableIterator<T>;
  }
  entries<T>(collection: string): IterableIterator<[string, T]> {
    return this.coll(collection).entries() as IterableIterator<[string, T]>;
  }
  size(collection: string): number {
    return this.data.get(collection)?.size ?? 0;
  }

  // ---- writes ------------------------------------------------------------------------------

  write(ops: WriteOp[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    if (ops.length === 0) return Promise.resolve();
    const rec: JournalRecord = { s: ++this.seq, o: [] };
    for (const op of ops) {
      const c = this.coll(op.collection);
      if (op.value === undefined) c.delete(op.key);
      else c.set(op.key, op.value);
      rec.o.push([op.collection, op.key, op.value === undefined ? null : op.value]);
    }
    if (!this.dir) return Promise.resolve();
    this.pending.push(JSON.stringify(rec) + '\n');
    return new Promise((resolve, reject) => {
      this.pendingWaiters.push({ resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushing) return; // the running flush picks the batch up when it ends
    this.flushing = new Promise<void>((r) => setImmediate(r)).then(() => this.flushLoop());
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.pending.length) {
        const batch = this.pending.join('');
        const waiters = this.pendingWaiters;
        this.pending = [];
        this.pendingWaiters = [];
        try {
          const fd = await this.journal();
          await fd.write(batch);
          if (this.fsync) await fd.datasync();
          this.journalBytes += Buffer.byteLength(batch);
          for (const w of waiters) w.resolve();
        } catch (e) {
          for (const w of waiters) w.reject(e);
        }
        this.maybeCompact();
      }
    } finally {
      this.flushing = null;
      if (this.pending.length) this.scheduleFlush();
    }
  }

  async flush(): Promise<void> {
    while (this.flushing || this.pending.length) {
      if (!this.flushing) this.scheduleFlush();
      await this.flushing;
    }
    if (this.compacting) await this.compacting;
  }

  private async journal(): Promise<fsp.FileHandle> {
    if (this.journalFd) return this.journalFd;
    this.journalPath = path.join(this.dir!, `journal-${String(this.seq).padStart(12, '0')}.jsonl`);
    this.journalFd = await fsp.open(this.journalPath, 'a');
    this.journalBytes = 0;
    return this.journalFd;
  }

  // ---- snapshots ---------------------------------------------------------------------------

  private maybeCompact(): void {
    if (this.compacting || !this.dir) return;
    if (this.journalBytes < Math.max(this.minCompactBytes, COMPACT_FACTOR * this.snapshotBytes)) return;
    this.compacting = this.compact().finally(() => {
      this.compacting = null;
    });
  }

  /** Folds everything up to now into a new snapshot and drops the journals it covers. */
  async compact(dropAllJournals = false): Promise<void> {
    if (!this.dir) return;
    // Rotate first: writes from here on go to a new journal that the snapshot does not cover.
    const covered = this.seq;
    const old = this.journalFd;
    this.journalFd = null;
    if (old) await old.close();
    // Serialised in chunks, yielding between them. Entries written meanwhile may or may not be in
    // the snapshot; either way the journal after `covered` replays them on top, and replaying
    // whole-value sets and deletes over any in-between state converges to the right one.
    const parts: string[] = [`{"format":1,"seq":${covered},"collections":{`];
    let n = 0;
    let firstColl = true;
    for (const [name, m] of [...this.data]) {
      parts.push(`${firstColl ? '' : ','}${JSON.stringify(name)}:{`);
      firstColl = false;
      let first = true;
      for (const [k, v] of m) {
        parts.push(`${first ? '' : ','}${JSON.stringify(k)}:${JSON.stringify(v)}`);
        first = false;
        if (++n % SNAPSHOT_CHUNK === 0) await new Promise((r) => setImmediate(r));
      }
      parts.push('}');
    }
    parts.push('}}');
    const text = parts.join('');
    this.snapshotBytes = Buffer.byteLength(text);
    const snap = { format: 1, seq: covered, collections: {} } as Snapshot;
    const db = new Low<Snapshot>(
      new DataFile<Snapshot>(path.join(this.dir, 'snapshot.json'), {
        parse: JSON.parse,
        stringify: () => text, // serialised above, in chunks
      }),
      snap,
    );
    await db.write();
    for (const f of readdirSync(this.dir)) {
      const m = JOURNAL_RE.exec(f);
      // A journal named N holds seqs after N, so every journal named below `covered` is folded in.
      // At load, every journal present was replayed (a torn tail was never acknowledged): drop all.
      if (m && (dropAllJournals || Number(m[1]) < covered)) {
        await fsp.rm(path.join(this.dir, f), { force: true });
      }
    }
  }

  private async load(dir: string): Promise<void> {
    mkdirSync(dir, { recursive: true });
    const snapPath = path.join(dir, 'snapshot.json');
    let snapSeq = 0;
    if (existsSync(snapPath)) {
      const text = readFileSync(snapPath, 'utf8');
      this.snapshotBytes = Buffer.byteLength(text);
      const snap = JSON.parse(text) as Snapshot;
      snapSeq = snap.seq;
      for (const [name, obj] of Object.entries(snap.collections)) this.data.set(name, new Map(Object.entries(obj)));
    }
    this.seq = snapSeq;
    const journals = readdirSync(dir)
      .filter((f) => JOURNAL_RE.test(f))
      .sort();
    for (const f of journals) {
      const lines = readFileSync(path.join(dir, f), 'utf8').split('\n');
      for (const line of lines) {
        if (!line) continue;
        let rec: JournalRecord;
        try {
          rec = JSON.parse(line) as JournalRecord;
        } catch {
          break; // torn tail of a crashed append: never acknowledged
        }
        if (rec.s <= snapSeq) continue;
        for (const [c, k, v] of rec.o) {
          if (v === null) this.coll(c).delete(k);
          else this.coll(c).set(k, v);
        }
        if (rec.s > this.seq) this.seq = rec.s;
      }
    }
    // Start clean: fold what was replayed into a snapshot so old journals (and any torn tail) go away.
    if (journals.length) await this.compact(true);
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    if (this.journalFd) await this.journalFd.close();
    this.journalFd = null;
  }
}
