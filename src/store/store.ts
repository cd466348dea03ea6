// The emulator's state store.
//
// Shape: every collection is an in-memory Map (reads never touch disk). Writes are applied to
// memory at once and made durable by an append-only journal with group commit: all writes that
// arrive while one batch is being flushed go out together in the next append + fdatasync. So the
// cost of a write depends on the size of what changed, never on how much is stored.
//
// Journal format (format 2): files `journal-<seq>.jsonl`, one record per line:
//     <crc32 of the JSON text, 8 lowercase hex digits> <space> {"s":<seq>,"o":[[collection,key,value|null],...]}
// The checksum is CRC-32 (IEEE, zlib.crc32) of the UTF-8 JSON text after the space. Format-1 journals (written
// before checksums existed: lines that start with '{') are still read, as legacy records without a checksum, but
// only in a file whose first record has none; in a format-2 file a line without a valid checksum is damage.
// On load, a last line of the last journal that has no terminating newline is a torn append (it was never
// acknowledged, since acknowledgement waits for the flush): it is cut off and reported. Any other bad record
// (bad checksum, unparsable, seq out of order, a line in the middle) stops start-up with a StoreDamagedError
// naming the file, the line and how many records follow it; with `recover` the records before it are kept,
// the damaged journal and every later one are moved aside (renamed `*.damaged-<time>`, never deleted) and
// `notices` says what was dropped.
//
// Snapshots: the journal is folded into `snapshot.json` once it has grown past four times the size of the
// last snapshot (amortised cost per write stays constant and small; serialised in chunks so requests keep
// flowing). Format 2 ends with `"crc32":"<hex>"`, the CRC-32 of every byte before `,"crc32"`. A new snapshot is
// written to `snapshot.json.tmp`, fsynced, the current one is renamed to `snapshot.prev.json`, the new one
// renamed into place and the directory fsynced; only then are journals deleted, and only those the *previous*
// snapshot already covers, so `snapshot.prev.json` plus the journals after it can always rebuild the state. If
// `snapshot.json` is missing or damaged at load, the previous snapshot is used (the damaged file is moved
// aside, never deleted, and a notice names it); if both are damaged start-up stops naming them.
//
// Why not lowdb (the project's first choice for this): it used to do one thing in this file, write the
// snapshot file (serialise, temp file, rename); its writer neither fsyncs the file nor the directory and
// cannot create the file 0600, which is what a snapshot needs, so that is done here with plain fs calls and
// the dependency was dropped.
//
// Secrets live in this data (service-principal secrets, cluster keys): the directory is made 0700 and every
// file 0600.

import { promises as fsp, mkdirSync, readdirSync, readFileSync, existsSync, statSync, chmodSync, renameSync, truncateSync, openSync, fsyncSync, closeSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';

export interface WriteOp {
  collection: string;
  key: string;
  /** undefined deletes the key. */
  value?: unknown;
}

export interface WriteOptions {
  /**
   * The writes were not made by the code that owns these keys (a subscription reset, a snapshot import): they
   * reach this instance's onExternalChange listeners too, so in-memory indexes follow.
   */
  external?: boolean;
}

/** A key whose value changed without the owning code writing it here (value undefined: deleted). */
export interface StoreChange {
  collection: string;
  key: string;
  value: unknown;
}

/** The right to drive one long-running operation; `signal` aborts when it is lost (the store went away). */
export interface Lease {
  readonly signal: AbortSignal;
  release(): Promise<void>;
}

/**
 * The interface the rest of the emulator sees: JournalStore (one process) and PgStore (several instances on one
 * PostgreSQL database) stand behind it. Reads are synchronous, from this instance's memory.
 */
export interface Store {
  get<T>(collection: string, key: string): T | undefined;
  has(collection: string, key: string): boolean;
  values<T>(collection: string): IterableIterator<T>;
  entries<T>(collection: string): IterableIterator<[string, T]>;
  size(collection: string): number;
  /**
   * Applies the writes to memory now; resolves once they are durable. One call is one atomic change. With
   * several instances a write is refused (StoreConflictError, memory put back) when another instance changed
   * one of its keys after this instance last saw it, and StoreUnavailableError when the database is away.
   */
  write(ops: WriteOp[], opts?: WriteOptions): Promise<void>;
  /** Resolves once everything written so far is durable. */
  flush(): Promise<void>;
  /** Grows with every change (own or another instance's): a cheap "has anything changed?" for watchers. */
  version(): number;
  /**
   * Brings memory up to date with everything committed through any instance (the HTTP edge calls it before each
   * request, so reads see writes made anywhere). Nothing to do for a single-process store.
   */
  sync(): Promise<void>;
  /**
   * Runs fn as the only holder of `name` among all instances, with memory caught up first; fn's writes are
   * durable before another instance gets `name`. For check-then-allocate state that spans keys (fabric
   * capacity and addresses, serial PUTs); several names are taken together (no order to get wrong). One
   * process: fn runs at once (its checks and memory updates are synchronous, so nothing interleaves).
   */
  exclusive<T>(name: string | string[], fn: () => Promise<T>): Promise<T>;
  /** Claims the right to drive operation `id` (one instance at a time); undefined while another live instance holds it. */
  lease(id: string): Promise<Lease | undefined>;
  /**
   * Changes this instance's code did not write itself (another instance's commits, a refused write put back,
   * external writes); called after memory holds them. 'all': anything may have changed, rebuild.
   */
  onExternalChange(listener: (changes: StoreChange[] | 'all') => void): () => void;
  close(): Promise<void>;
}

/** Another instance changed a key first: the write was not applied (409 to a client). */
export class StoreConflictError extends Error {
  constructor(readonly keys: { collection: string; key: string }[]) {
    super(`another instance changed ${keys.map((k) => `${k.collection}/${k.key}`).join(', ')} first; nothing was written`);
  }
}

/** The store's database cannot be reached: nothing was acknowledged; retry after `retryAfter` seconds (503). */
export class StoreUnavailableError extends Error {
  constructor(
    message: string,
    readonly retryAfter = 5,
  ) {
    super(message);
  }
}

interface Snapshot {
  format: 1 | 2;
  seq: number;
  crc32?: string;
  collections: Record<string, Record<string, unknown>>;
}

export interface JournalRecord {
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
  /** Start despite a damaged journal or snapshot: keep what precedes the damage, move the damaged files aside. */
  recover?: boolean;
}

/** Start-up refused because a data file is damaged; the message names the file and what to do. */
export class StoreDamagedError extends Error {}

const SNAPSHOT = 'snapshot.json';
const SNAPSHOT_PREV = 'snapshot.prev.json';
const SNAPSHOT_TMP = 'snapshot.json.tmp';
const CRC_KEY = ',"crc32":"';

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/** One journal line (with its newline) for a record. */
export function journalLine(rec: JournalRecord): string {
  const json = JSON.stringify(rec);
  return `${hex8(crc32(json))} ${json}\n`;
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
  /** seq covered by snapshot.json (journals it covers are kept until the next snapshot replaces it). */
  private snapshotSeq = 0;
  private readonly recover: boolean;
  /** What load() had to do that a user should hear about (torn tail cut, fallback, recovery). */
  readonly notices: string[] = [];
  /** Damaged snapshot files to move aside once the journals replayed cleanly (so a refused start changes nothing). */
  private asideAfterLoad: string[] = [];

  private constructor(opts: StoreOptions) {
    this.dir = opts.dir;
    this.fsync = opts.fsync ?? true;
    this.minCompactBytes = opts.minCompactBytes ?? 4 * 1024 * 1024;
    this.recover = opts.recover ?? false;
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
  /** The collections held (for resets and snapshots, which cover collections they do not know by name). */
  collections(): IterableIterator<string> {
    return this.data.keys();
  }
  version(): number {
    return this.seq;
  }

  // ---- one process: nothing to catch up with, no one to exclude --------------------------------------

  private readonly listeners = new Set<(changes: StoreChange[] | 'all') => void>();
  private readonly leases = new Set<string>();

  sync(): Promise<void> {
    return Promise.resolve();
  }
  exclusive<T>(_name: string | string[], fn: () => Promise<T>): Promise<T> {
    return fn();
  }
  async lease(id: string): Promise<Lease | undefined> {
    if (this.leases.has(id)) return undefined;
    this.leases.add(id);
    const ctl = new AbortController();
    return { signal: ctl.signal, release: async () => void this.leases.delete(id) };
  }
  onExternalChange(listener: (changes: StoreChange[] | 'all') => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- writes ------------------------------------------------------------------------------

  write(ops: WriteOp[], opts?: WriteOptions): Promise<void> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    if (ops.length === 0) return Promise.resolve();
    const rec: JournalRecord = { s: ++this.seq, o: [] };
    for (const op of ops) {
      const c = this.coll(op.collection);
      if (op.value === undefined) c.delete(op.key);
      else c.set(op.key, op.value);
      rec.o.push([op.collection, op.key, op.value === undefined ? null : op.value]);
    }
    if (opts?.external) {
      const changes = ops.map((o) => ({ collection: o.collection, key: o.key, value: o.value }));
      for (const l of this.listeners) l(changes);
    }
    if (!this.dir) return Promise.resolve();
    this.pending.push(journalLine(rec));
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
    this.journalFd = await fsp.open(this.journalPath, 'a', 0o600);
    this.journalBytes = 0;
    // A new file's directory entry must be durable too, or an acknowledged write could vanish with it.
    if (this.fsync) fsyncDir(this.dir!);
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

  /** Folds everything up to now into a new snapshot and drops the journals the previous snapshot covers. */
  async compact(): Promise<void> {
    if (!this.dir) return;
    const dir = this.dir;
    // Rotate first: writes from here on go to a new journal that the snapshot does not cover.
    const covered = this.seq;
    const old = this.journalFd;
    this.journalFd = null;
    if (old) await old.close();
    // Serialised in chunks, yielding between them. Entries written meanwhile may or may not be in
    // the snapshot; either way the journal after `covered` replays them on top, and replaying
    // whole-value sets and deletes over any in-between state converges to the right one.
    const parts: string[] = [`{"format":2,"seq":${covered},"collections":{`];
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
    parts.push('}');
    const body = parts.join('');
    const text = `${body}${CRC_KEY}${hex8(crc32(body))}"}`;
    this.snapshotBytes = Buffer.byteLength(text);
    // New file fsynced; the current one becomes the previous; rename into place; directory fsynced.
    const tmp = path.join(dir, SNAPSHOT_TMP);
    const fd = await fsp.open(tmp, 'w', 0o600);
    try {
      await fd.writeFile(text);
      if (this.fsync) await fd.sync();
    } finally {
      await fd.close();
    }
    const cur = path.join(dir, SNAPSHOT);
    if (existsSync(cur)) await fsp.rename(cur, path.join(dir, SNAPSHOT_PREV));
    await fsp.rename(tmp, cur);
    if (this.fsync) fsyncDir(dir);
    // snapshot.prev.json covers up to the old snapshotSeq: only journals below it are no longer needed.
    const prevSeq = this.snapshotSeq;
    this.snapshotSeq = covered;
    for (const f of readdirSync(dir)) {
      const m = JOURNAL_RE.exec(f);
      // A journal is named after the seq current when it was opened (its first batch may hold a few seqs up
      // to that name) and rotates at each snapshot, so one named below a snapshot's seq was opened before that
      // snapshot and holds nothing after it.
      if (m && Number(m[1]) < prevSeq) await fsp.rm(path.join(dir, f), { force: true });
    }
  }

  private stamp(): string {
    return new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  }

  /** Renames a damaged file aside (never deletes); returns the new name. */
  private moveAside(dir: string, f: string): string {
    let to = `${f}.damaged-${this.stamp()}`;
    for (let i = 1; existsSync(path.join(dir, to)); i++) to = `${f}.damaged-${this.stamp()}-${i}`;
    renameSync(path.join(dir, f), path.join(dir, to));
    return to;
  }

  /** Reads and checks one snapshot file; returns the snapshot or why it is damaged. */
  private readSnapshot(file: string): { snap: Snapshot; bytes: number } | { error: string } {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      return { error: (e as Error).message };
    }
    let snap: Snapshot;
    try {
      snap = JSON.parse(text) as Snapshot;
    } catch (e) {
      return { error: (e as Error).message };
    }
    if (!snap || typeof snap !== 'object' || typeof snap.seq !== 'number' || !snap.collections || typeof snap.collections !== 'object') {
      return { error: 'it is valid JSON but not a snapshot (format, seq, collections)' };
    }
    if (snap.format === 2) {
      const at = text.lastIndexOf(CRC_KEY);
      const want = at < 0 ? undefined : hex8(crc32(text.slice(0, at)));
      if (want === undefined || snap.crc32 !== want) return { error: `checksum mismatch (crc32 ${snap.crc32 ?? 'missing'}, content has ${want ?? '?'})` };
    } else if (snap.format !== 1) {
      return { error: `unknown snapshot format ${JSON.stringify(snap.format)}` };
    }
    for (const obj of Object.values(snap.collections)) {
      if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return { error: 'a collection is not an object' };
    }
    return { snap, bytes: Buffer.byteLength(text) };
  }

  private loadSnapshot(dir: string): number {
    const curPath = path.join(dir, SNAPSHOT);
    const prevPath = path.join(dir, SNAPSHOT_PREV);
    const hasCur = existsSync(curPath);
    const hasPrev = existsSync(prevPath);
    if (!hasCur && !hasPrev) return 0;
    const cur = hasCur ? this.readSnapshot(curPath) : undefined;
    let use: { snap: Snapshot; bytes: number } | undefined;
    if (cur && 'snap' in cur) use = cur;
    else {
      const prev = hasPrev ? this.readSnapshot(prevPath) : undefined;
      if (prev && 'snap' in prev) {
        if (cur) {
          this.asideAfterLoad.push(SNAPSHOT);
          this.notices.push(`snapshot ${curPath} is damaged (${cur.error}); fell back to the previous snapshot ${prevPath} (seq ${prev.snap.seq}) and the journals after it, nothing lost. The damaged file is moved aside to ${curPath}.damaged-<time>.`);
        } else {
          this.notices.push(`snapshot ${curPath} is missing (a snapshot was being replaced); used the previous snapshot ${prevPath} (seq ${prev.snap.seq}) and the journals after it.`);
        }
        use = prev;
      } else {
        const what = [
          cur ? `${curPath} is damaged (${cur.error})` : `${curPath} is missing`,
          prev ? `the previous snapshot ${prevPath} is damaged too (${prev.error})` : `there is no previous snapshot (${prevPath}) to fall back to`,
        ].join('; ');
        if (!this.recover) {
          throw new StoreDamagedError(
            `snapshot damaged: ${what}. Nothing was changed. Restore the data directory from a backup, or start with --recover to move the damaged snapshot aside and start from the journals alone (state before them is lost).`,
          );
        }
        const moved = [hasCur ? this.moveAside(dir, SNAPSHOT) : undefined, hasPrev ? this.moveAside(dir, SNAPSHOT_PREV) : undefined].filter(Boolean);
        this.notices.push(`--recover: ${what}. Started from the journals alone: everything the snapshot held is dropped. Moved aside: ${moved.map((m) => path.join(dir, m!)).join(', ')}.`);
        return 0;
      }
    }
    this.snapshotBytes = use.bytes;
    for (const [name, obj] of Object.entries(use.snap.collections)) this.data.set(name, new Map(Object.entries(obj)));
    return use.snap.seq;
  }

  private async load(dir: string): Promise<void> {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    tightenModes(dir);
    const snapSeq = this.loadSnapshot(dir);
    this.snapshotSeq = snapSeq;
    this.seq = snapSeq;
    const journals = readdirSync(dir)
      .filter((f) => JOURNAL_RE.test(f))
      .sort();
    let replayed = 0;
    for (let fi = 0; fi < journals.length; fi++) {
      const f = journals[fi];
      const file = path.join(dir, f);
      const text = readFileSync(file, 'utf8');
      const lines = text.split('\n');
      const lastFile = fi === journals.length - 1;
      let checksummed: boolean | undefined;
      let offset = 0;
      for (let li = 0; li < lines.length; li++) {
        const line = lines[li];
        const lineStart = offset;
        offset += Buffer.byteLength(line) + 1;
        const isTail = li === lines.length - 1; // after the last newline: '' unless an append was torn
        if (isTail && line === '') break;
        const parsed = parseJournalLine(line, checksummed);
        if ('rec' in parsed && parsed.rec.s <= this.seq && parsed.rec.s > snapSeq) {
          Object.assign(parsed, { error: `record seq ${parsed.rec.s} is not after the previous record's ${this.seq}` });
          delete (parsed as any).rec;
        }
        if ('error' in parsed) {
          if (isTail && lastFile) {
            // A torn append: never acknowledged. Cut it off so later appends start on a clean line.
            truncateSync(file, lineStart);
            this.notices.push(`journal ${file}: ignored a torn last record (${Buffer.byteLength(line)} bytes without a newline, from a crash mid-append; it was never acknowledged).`);
            break;
          }
          // A journal that the current snapshot already covers (a later journal is named at most the snapshot's
          // seq + 1: journals are named after the first seq they may hold, and rotate at each snapshot) is kept only to rebuild from the previous snapshot: its damage loses nothing now.
          if (journals.slice(fi + 1).some((g) => Number(JOURNAL_RE.exec(g)![1]) <= snapSeq + 1)) {
            this.notices.push(`journal ${file} line ${li + 1} is damaged (${parsed.error}), but every record in it is already in ${path.join(dir, SNAPSHOT)}: nothing is lost (the file is only needed to rebuild from the previous snapshot, and is dropped at the next snapshot).`);
            break;
          }
          this.damaged(dir, journals, fi, li, lines, parsed.error, replayed);
          break;
        }
        checksummed ??= parsed.checksummed;
        const rec = parsed.rec;
        if (rec.s <= snapSeq) continue;
        for (const [c, k, v] of rec.o) {
          if (v === null) this.coll(c).delete(k);
          else this.coll(c).set(k, v);
        }
        this.seq = rec.s;
        replayed++;
      }
      if (!existsSync(file)) break; // moved aside by recovery, with every later journal
    }
    for (const f of this.asideAfterLoad) if (existsSync(path.join(dir, f))) this.moveAside(dir, f);
    // Start clean: fold what was replayed into a snapshot (the journals stay until the next snapshot).
    if (journals.length || this.asideAfterLoad.length) await this.compact();
  }

  /** A damaged record: refuse to start, or with `recover` keep what precedes it and move the rest aside. */
  private damaged(dir: string, journals: string[], fi: number, li: number, lines: string[], error: string, kept: number): void {
    const file = path.join(dir, journals[fi]);
    const countLines = (ls: string[]) => ls.filter((l) => l !== '').length;
    const inThis = countLines(lines.slice(li + 1));
    const later = journals.slice(fi + 1);
    const inLater = later.reduce((n, f) => n + countLines(readFileSync(path.join(dir, f), 'utf8').split('\n')), 0);
    const follow = `${inThis + inLater} record(s) follow it (${inThis} in this file${later.length ? `, ${inLater} in ${later.length} later journal(s)` : ''})`;
    if (!this.recover) {
      throw new StoreDamagedError(
        `journal damaged: ${file} line ${li + 1}: ${error}; ${follow}. Nothing was changed. Restore the data directory from a backup, or start with --recover to keep the ${kept} record(s) replayed before it and move the damaged journal${later.length ? 's' : ''} aside.`,
      );
    }
    const moved = [journals[fi], ...later].map((f) => path.join(dir, this.moveAside(dir, f)));
    this.notices.push(
      `--recover: ${file} line ${li + 1} is damaged (${error}). Kept the ${kept} record(s) before it (state up to seq ${this.seq}); dropped the damaged record and the ${inThis + inLater} after it. Moved aside, not deleted: ${moved.join(', ')}.`,
    );
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    if (this.journalFd) await this.journalFd.close();
    this.journalFd = null;
  }
}

function parseJournalLine(line: string, checksummed: boolean | undefined): { rec: JournalRecord; checksummed: boolean } | { error: string } {
  let json: string;
  let withSum: boolean;
  if (/^[0-9a-f]{8} /.test(line)) {
    json = line.slice(9);
    if (hex8(crc32(json)) !== line.slice(0, 8)) return { error: `checksum mismatch (crc32 ${line.slice(0, 8)}, content has ${hex8(crc32(json))})` };
    withSum = true;
  } else if (line.startsWith('{') && checksummed !== true) {
    json = line; // format 1: no checksum (a journal written before checksums existed)
    withSum = false;
  } else {
    return { error: line === '' ? 'empty line' : checksummed ? 'record without a checksum in a checksummed journal' : 'not a journal record' };
  }
  if (checksummed === false && withSum) return { error: 'checksummed record in a journal without checksums' };
  let rec: JournalRecord;
  try {
    rec = JSON.parse(json) as JournalRecord;
  } catch (e) {
    return { error: `unparsable record (${(e as Error).message})` };
  }
  if (!rec || !Number.isInteger(rec.s) || !Array.isArray(rec.o) || !rec.o.every((o) => Array.isArray(o) && o.length === 3 && typeof o[0] === 'string' && typeof o[1] === 'string')) {
    return { error: 'not a journal record (s, o)' };
  }
  return { rec, checksummed: withSum };
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // some file systems cannot fsync a directory; the rename is still atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Files the emulator keeps in its data directory (and their moved-aside or temporary forms). */
const OWN_FILE_RE = /^(journal-\d+\.jsonl|snapshot(\.prev)?\.json|token-signing-key\.pem|key\.pem|cert\.pem)(\.tmp|\.damaged-.+)?$/;

/**
 * The data directory 0700 and the emulator's files in it 0600 (older versions left them 0755 / 0644). Only files
 * the emulator owns are touched, and the directory only when it is empty or holds them, so a --data-dir pointed
 * at a shared folder by mistake is not locked down.
 */
export function tightenModes(dir: string): void {
  try {
    const ours = readdirSync(dir).filter((f) => OWN_FILE_RE.test(f));
    if ((ours.length || readdirSync(dir).length === 0) && (statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
    for (const f of ours) {
      const p = path.join(dir, f);
      const st = statSync(p);
      if (st.isFile() && (st.mode & 0o077) !== 0) chmodSync(p, 0o600);
    }
  } catch {
    // not ours to change (e.g. another owner): leave as is
  }
}
