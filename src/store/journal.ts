// JournalStore: the one-process store. Every collection lives in memory as JSON texts (memory.ts); writes are
// applied to memory at once and made durable by an append-only journal with group commit: all writes that
// arrive while one batch is being flushed go out together in the next append + fdatasync. So the cost of a
// write depends on the size of what changed, never on how much is stored. File formats: format.ts.
//
// Sequence numbers are contiguous: every write is one record, seq = previous + 1, and a snapshot says which
// seq it covers. A restart replays the journals after the snapshot and requires seq snapshot+1, +2, ... with
// no gap, and journal.mark (rewritten after every flushed batch, before it is acknowledged) says how far
// the journal got. So a missing record is damage like a flipped byte, wherever it went missing: a deleted
// line (a gap), a journal cut at a record boundary, emptied or deleted (a gap before the next journal, or
// journals ending before the mark), the newest journal deleted after a snapshot (the same).
//
// On load, a last line of the last journal without its newline is a torn append: it is cut off, and it was
// never acknowledged unless journal.mark says later records were (then acknowledged records were lost: damage).
// Any other bad or missing record stops start-up with a StoreDamagedError naming the file, the line and how
// many records follow it; with `recover` the records before it are kept, the damaged journal and every later
// one are moved aside (renamed `*.damaged-<time>`, never deleted) and `notices` says what was dropped.
//
// Snapshots: the journal tail is folded into `snapshot.json` once it has grown past the size of the last
// snapshot (at least minCompactBytes), and at a clean close. The texts are written in 256 KB chunks, so
// requests keep flowing, with the CRC-32 of the whole file in its trailer. A new snapshot is written to
// `snapshot.json.tmp`, fsynced, the current one is renamed to `snapshot.prev.json`, the new one renamed into
// place and the directory fsynced; only then are journals deleted, and only those the *previous* snapshot
// already covers, so `snapshot.prev.json` plus the journals after it can always rebuild the state. If
// `snapshot.json` is missing or damaged at load, the previous snapshot is used (the damaged file is moved
// aside, never deleted, and a notice names it); if both are damaged start-up stops naming them.
//
// A write whose value cannot be serialised (or is nested deeper than MAX_VALUE_DEPTH) is refused whole before
// anything is applied: never acknowledged, never in the journal, so nothing read back can crash a start.
// A batch that cannot be written (disk full, I/O error) fails every write from then on: memory already holds
// writes that were not acknowledged, and only a restart returns to what was.
//
// Secrets live in this data (service-principal secrets, cluster keys): the directory is made 0700 and every
// file 0600.

import {
  promises as fsp,
  mkdirSync,
  readdirSync,
  readFileSync,
  existsSync,
  statSync,
  chmodSync,
  renameSync,
  truncateSync,
  openSync,
  fsyncSync,
  fsync as fsyncFd,
  closeSync,
  writeSync,
  readSync,
} from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { serialise, StoreValueError, TableReads } from './memory.js';
import {
  decodeJournalBytes,
  decodeJournalLine,
  forEachTextLine,
  forEachLineAsync,
  lastLine,
  decodeMark,
  encodeMark,
  forEachLine,
  hex8,
  jsonString,
  journalLine3,
  MARK_BYTES,
  SNAPSHOT3_HEADER,
  snapshot3Collection,
  snapshot3RecordHead,
  snapshot3Trailer,
  type Mark,
  type TextOp,
} from './format.js';
import type { Lease, Store, StoreChange, WriteOp, WriteOptions } from './types.js';

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

/** Start-up refused because a data file is damaged or records are missing; the message names the file and what to do. */
export class StoreDamagedError extends Error {}

const SNAPSHOT = 'snapshot.json';
const SNAPSHOT_PREV = 'snapshot.prev.json';
const SNAPSHOT_TMP = 'snapshot.json.tmp';
const MARK = 'journal.mark';
const CRC_KEY = ',"crc32":"';
const JOURNAL_RE = /^journal-(\d{12})\.jsonl$/;
/** The journal tail may grow to this many times the snapshot before it is folded in (replay stays bounded). */
const COMPACT_FACTOR = 1;
/** Bytes of snapshot text written per chunk at most. */
const SNAPSHOT_CHUNK = 1 << 18;
/** Longest stretch a snapshot write (sorting keys, cutting chunks) runs before other work gets the loop. */
const SLICE_MS = 8;

const journalName = (seq: number) => `journal-${String(seq).padStart(12, '0')}.jsonl`;

export class JournalStore extends TableReads implements Store {
  readonly shared = false;
  private seq = 0;
  private readonly dir: string | null;
  private readonly fsync: boolean;
  private readonly minCompactBytes: number;

  private pending: string[] = [];
  private pendingLastSeq = 0;
  private pendingWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing: Promise<void> | null = null;
  private journalFd: fsp.FileHandle | null = null;
  private journalPath = '';
  /** Journal bytes written since the snapshot (what a restart replays). */
  private tailBytes = 0;
  private snapshotBytes = 0;
  private compacting: Promise<void> | null = null;
  private closed = false;
  /** Set once a batch could not be written: every later write fails with it. */
  private failed: Error | undefined;
  private markFd: number | undefined;
  /** seq covered by snapshot.json (journals it covers are kept until the next snapshot replaces it). */
  private snapshotSeq = 0;
  private readonly recover: boolean;
  /** What load() had to do that a user should hear about (torn tail cut, fallback, recovery). */
  readonly notices: string[] = [];
  /** Damaged snapshot files to move aside once the journals replayed cleanly (so a refused start changes nothing). */
  private asideAfterLoad: string[] = [];

  private constructor(opts: StoreOptions) {
    super();
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

  // ---- reads: TableReads (from memory; each returns a fresh copy) ------------------------------

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
    if (this.failed) return Promise.reject(this.failed);
    if (ops.length === 0) return Promise.resolve();
    // Serialise everything before applying anything: a value that cannot be kept refuses the whole write.
    const texts: TextOp[] = [];
    try {
      for (const op of ops) texts.push([op.collection, op.key, op.value === undefined ? undefined : serialise(op.value, `the value of ${op.collection}/${op.key}`)]);
    } catch (e) {
      return Promise.reject(e);
    }
    const seq = ++this.seq;
    for (const [c, k, v] of texts) this.table.set(c, k, v);
    if (opts?.external) {
      const changes = ops.map((o) => ({ collection: o.collection, key: o.key, value: o.value }));
      for (const l of this.listeners) l(changes);
    }
    if (!this.dir) return Promise.resolve();
    this.pending.push(journalLine3(seq, texts));
    this.pendingLastSeq = seq;
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
        const batch = Buffer.from(this.pending.join(''));
        const waiters = this.pendingWaiters;
        const lastSeq = this.pendingLastSeq;
        this.pending = [];
        this.pendingWaiters = [];
        if (this.failed) {
          for (const w of waiters) w.reject(this.failed);
          continue;
        }
        try {
          const fd = await this.journal();
          await fd.write(batch);
          if (this.fsync) await fd.datasync();
          this.tailBytes += batch.length;
          // Before acknowledging: the mark never says less than what was acknowledged.
          this.writeMark(lastSeq);
          for (const w of waiters) w.resolve();
        } catch (e) {
          this.failed = new Error(
            `the journal ${this.journalPath} could not be written (${(e as Error).message}): no write is accepted any more; restart the emulator (every acknowledged write is kept)`,
          );
          for (const w of waiters) w.reject(this.failed);
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
    // Named after the seq current when it opens: it may hold a few records up to that seq (those written
    // while a snapshot rotated the journal), then the ones after it.
    let seq = this.seq;
    // (a journal of format 1, without checksums, cannot take checksummed records: start the next name)
    while (startsWithBrace(path.join(this.dir!, journalName(seq)))) seq++;
    this.journalPath = path.join(this.dir!, journalName(seq));
    this.journalFd = await fsp.open(this.journalPath, 'a', 0o600);
    // A new file's directory entry must be durable too, or an acknowledged write could vanish with it.
    if (this.fsync) await fsyncDirAsync(this.dir!);
    return this.journalFd;
  }

  private writeMark(seq: number): void {
    if (this.markFd === undefined) return;
    try {
      writeSync(this.markFd, encodeMark({ seq, journal: path.basename(this.journalPath), fsync: this.fsync }), 0, MARK_BYTES, 0);
    } catch {
      // The records are durable; a stale mark only makes the next start's missing-record check weaker.
    }
  }

  // ---- snapshots ---------------------------------------------------------------------------

  private maybeCompact(): void {
    if (this.compacting || !this.dir || this.closed) return;
    if (this.tailBytes < Math.max(this.minCompactBytes, COMPACT_FACTOR * this.snapshotBytes)) return;
    void this.compact().catch(() => undefined);
  }

  /** Folds everything up to now into a new snapshot and drops the journals the previous snapshot covers. */
  compact(): Promise<void> {
    if (!this.dir) return Promise.resolve();
    if (this.compacting) return this.compacting;
    this.compacting = this.writeSnapshot(this.dir).finally(() => {
      this.compacting = null;
    });
    return this.compacting;
  }

  private async writeSnapshot(dir: string): Promise<void> {
    // Rotate first: writes from here on go to a new journal that the snapshot does not cover.
    const covered = this.seq;
    const old = this.journalFd;
    this.journalFd = null;
    this.tailBytes = 0;
    if (old) await old.close();
    // Entries written while the chunks go out may or may not be in the snapshot; either way the journal after
    // `covered` replays them on top, and replaying whole-value sets and deletes converges to the right state.
    const tmp = path.join(dir, SNAPSHOT_TMP);
    const fd = await fsp.open(tmp, 'w', 0o600);
    let bytes = 0;
    try {
      let crc = 0;
      let records = 0;
      // The texts are copied straight into one reused buffer (no per-record string: at 100,000 records that
      // was 70 MB of garbage, and its collections held the loop), written out whenever it is full or the
      // slice is up.
      const buf = Buffer.allocUnsafe(SNAPSHOT_CHUNK);
      let used = 0;
      const slices = loopTurns();
      const flush = async () => {
        if (used === 0) return;
        const b = buf.subarray(0, used);
        crc = crc32(b, crc);
        bytes += used;
        used = 0;
        await fd.write(b);
        slices.passed();
      };
      /** Appends texts as one piece (flushing first unless they fit; a piece larger than the buffer goes alone). */
      const append = async (...texts: string[]) => {
        let units = 0;
        for (const t of texts) units += t.length;
        // a UTF-16 code unit is at most 3 bytes of UTF-8
        if (used + 3 * units > buf.length) {
          await flush();
          if (3 * units > buf.length) {
            const big = Buffer.from(texts.join(''));
            crc = crc32(big, crc);
            bytes += big.length;
            await fd.write(big);
            return;
          }
        }
        for (const t of texts) used += buf.write(t, used);
      };
      await append(SNAPSHOT3_HEADER(covered));
      for (const name of [...this.table.collections()]) {
        if (this.table.size(name) === 0) continue;
        await append(snapshot3Collection(name));
        // In key order: a restart then builds sorted indexes without sorting anything.
        for (const k of await sortedInSlices([...this.table.keys(name)])) {
          // the text as its shared head and the rest's runs (memory.ts), each copied as it is: nothing joined
          const parts = this.table.textParts(name, k);
          if (parts === undefined) continue; // deleted meanwhile: the journal after `covered` says so
          let length = k.length;
          for (const p of parts) length += p.length;
          if (!NEEDS_ESCAPE.test(k) && used + 3 * length + 4 <= buf.length) {
            // the record's head (snapshot3RecordHead: the key as a JSON string, a tab) written in place: no
            // string per record (10 MB of garbage per snapshot of 100,000 records, collected while it writes)
            buf[used++] = 0x22; // "
            used += buf.write(k, used);
            buf[used++] = 0x22;
            buf[used++] = 0x09; // TAB
            for (const p of parts) if (p) used += buf.write(p, used);
            buf[used++] = 0x0a; // \n
          } else await append(snapshot3RecordHead(k), ...parts, '\n');
          records++;
          if ((records & 0x3f) === 0 && slices.due()) await flush();
        }
      }
      await flush();
      await append(snapshot3Trailer(records, crc));
      await flush();
      if (this.fsync) await fd.sync();
    } finally {
      await fd.close();
    }
    this.snapshotBytes = bytes;
    // The current snapshot becomes the previous; the new one is renamed into place; directory fsynced.
    const cur = path.join(dir, SNAPSHOT);
    if (existsSync(cur)) await fsp.rename(cur, path.join(dir, SNAPSHOT_PREV));
    await fsp.rename(tmp, cur);
    if (this.fsync) await fsyncDirAsync(dir);
    // snapshot.prev.json covers up to the old snapshotSeq: only journals opened before it are no longer needed.
    const prevSeq = this.snapshotSeq;
    this.snapshotSeq = covered;
    for (const f of readdirSync(dir)) {
      const m = JOURNAL_RE.exec(f);
      // A journal is named after the seq current when it was opened and rotates at each snapshot, so one named
      // below a snapshot's seq was opened before that snapshot and holds nothing after it.
      if (m && Number(m[1]) < prevSeq) await fsp.rm(path.join(dir, f), { force: true });
    }
  }

  // ---- loading -----------------------------------------------------------------------------

  private stamp(): string {
    return new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
  }

  /** Renames a damaged file aside (never deletes); returns the new name. */
  private moveAside(dir: string, f: string): string {
    let to = `${f}.damaged-${this.stamp()}`;
    for (let i = 1; existsSync(path.join(dir, to)); i++) to = `${f}.damaged-${this.stamp()}-${i}`;
    renameSync(path.join(dir, f), path.join(dir, to));
    return to;
  }

  /** Reads one snapshot file into the table; returns its seq and size, or why it is damaged (the table is then cleared). */
  private async readSnapshot(file: string): Promise<{ seq: number; bytes: number } | { error: string }> {
    let head: Buffer;
    try {
      const fd = openSync(file, 'r');
      try {
        head = Buffer.alloc(16);
        head = head.subarray(0, readSync(fd, head, 0, 16, 0));
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      return { error: (e as Error).message };
    }
    const out = head.toString('latin1').startsWith('{"format":3,') ? await this.readSnapshot3(file) : this.readLegacySnapshot(file);
    if ('error' in out) this.table.clear();
    return out;
  }

  private async readSnapshot3(file: string): Promise<{ seq: number; bytes: number } | { error: string }> {
    let seq = -1;
    let crc = 0;
    let records = 0;
    let coll: { set(key: string, text: string): void } | undefined;
    let trailer: { records: number; crc32: string } | undefined;
    let error: string | undefined;
    let bytes = 0;
    /** Where the trailer starts in the current region's bytes (the checksum covers what precedes it). */
    let trailerAt: number | undefined;
    const fail = (msg: string) => {
      error = msg;
      return false;
    };
    try {
      const tail = await forEachTextLine(
        file,
        (text, start, end, region, byteStart, byteEnd, offset) => {
          bytes = offset + byteEnd - byteStart + 1;
          if (trailer) return fail('there is data after its trailer');
          const first = text.charCodeAt(start);
          if (seq < 0) {
            const h = JSON.parse(text.slice(start, end)) as { format: number; seq: number };
            if (h.format !== 3 || !Number.isSafeInteger(h.seq) || h.seq < 0) return fail('its header is not a snapshot header');
            seq = h.seq;
          } else if (first === 0x7b /* { */) {
            trailer = JSON.parse(text.slice(start, end));
            trailerAt = byteStart;
            return true;
          } else if (first === 0x09 /* TAB */) {
            const name = jsonString(text.slice(start + 1, end));
            if (name === undefined) return fail(`the line at byte ${offset} is not a collection name`);
            coll = this.table.collection(name);
          } else {
            const tab = text.indexOf('\t', start);
            const key = tab > start && tab < end - 1 ? keyIn(text, start, tab) : undefined;
            if (key === undefined || coll === undefined) return fail(`the line at byte ${offset} is not a record`);
            // the key and the value stay views of the region's text: nothing copied
            coll.set(key, text.slice(tab + 1, end));
            records++;
          }
          return true;
        },
        (region) => {
          crc = crc32(trailerAt === undefined ? region : region.subarray(0, trailerAt), crc);
          trailerAt = undefined;
        },
      );
      if (tail && !error) error = 'it ends in the middle of a line (truncated)';
    } catch (e) {
      error ??= (e as Error).message;
    }
    if (error) return { error };
    if (!trailer) return { error: 'its trailer is missing (truncated)' };
    if (trailer.crc32 !== hex8(crc)) return { error: `checksum mismatch (crc32 ${trailer.crc32}, content has ${hex8(crc)})` };
    if (trailer.records !== records) return { error: `it holds ${records} records, its trailer says ${trailer.records}` };
    return { seq, bytes };
  }

  /** Formats 1 and 2: one JSON document; each value is serialised again into the table. */
  private readLegacySnapshot(file: string): { seq: number; bytes: number } | { error: string } {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      return { error: (e as Error).message };
    }
    let snap: { format: number; seq: number; crc32?: string; collections: Record<string, Record<string, unknown>> };
    try {
      snap = JSON.parse(text);
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
    for (const [name, obj] of Object.entries(snap.collections)) {
      if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return { error: 'a collection is not an object' };
      for (const [k, v] of Object.entries(obj)) {
        try {
          this.table.set(name, k, serialise(v, `the value of ${name}/${k}`));
        } catch (e) {
          return { error: (e as Error).message };
        }
      }
    }
    return { seq: snap.seq, bytes: Buffer.byteLength(text) };
  }

  /** Loads snapshot.json, or the previous one; `lost` when neither could be used (journals alone then). */
  private async loadSnapshot(dir: string): Promise<{ seq: number; lost: boolean }> {
    const curPath = path.join(dir, SNAPSHOT);
    const prevPath = path.join(dir, SNAPSHOT_PREV);
    const hasCur = existsSync(curPath);
    const hasPrev = existsSync(prevPath);
    if (!hasCur && !hasPrev) return { seq: 0, lost: false };
    const cur = hasCur ? await this.readSnapshot(curPath) : undefined;
    if (cur && 'seq' in cur) {
      this.snapshotBytes = cur.bytes;
      return { seq: cur.seq, lost: false };
    }
    const prev = hasPrev ? await this.readSnapshot(prevPath) : undefined;
    if (prev && 'seq' in prev) {
      if (cur) {
        this.asideAfterLoad.push(SNAPSHOT);
        this.notices.push(
          `snapshot ${curPath} is damaged (${cur.error}); fell back to the previous snapshot ${prevPath} (seq ${prev.seq}) and the journals after it, nothing lost. The damaged file is moved aside to ${curPath}.damaged-<time>.`,
        );
      } else {
        this.notices.push(`snapshot ${curPath} is missing (a snapshot was being replaced); used the previous snapshot ${prevPath} (seq ${prev.seq}) and the journals after it.`);
      }
      this.snapshotBytes = prev.bytes;
      return { seq: prev.seq, lost: false };
    }
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
    return { seq: 0, lost: true };
  }

  private readMark(dir: string): Mark | { error: string } | undefined {
    const file = path.join(dir, MARK);
    if (!existsSync(file)) return undefined;
    try {
      return decodeMark(readFileSync(file, 'utf8'));
    } catch (e) {
      return { error: (e as Error).message };
    }
  }

  private async load(dir: string): Promise<void> {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    tightenModes(dir);
    const mark = this.readMark(dir);
    const snap = await this.loadSnapshot(dir);
    this.snapshotSeq = snap.seq;
    this.seq = snap.seq;
    const snapSeq = snap.seq;
    const journals = readdirSync(dir)
      .filter((f) => JOURNAL_RE.test(f))
      .sort();
    /** The seq the next record after the snapshot must have (undefined: the snapshot is lost, take any). */
    let expected: number | undefined = snap.lost ? undefined : snapSeq + 1;
    let replayed = 0;
    let format3 = false;
    let stopped = false; // recovery moved the rest aside
    /** A torn tail to cut off once every check has passed (a refused start changes nothing). */
    let cut: { file: string; offset: number } | undefined;
    // Journals the snapshot wholly covers (their last record is in it) are only kept to rebuild from the
    // previous snapshot: not replayed, and checked after start-up instead of before it.
    const covered = new Set<string>();
    if (!snap.lost) {
      for (const f of journals) {
        const last = lastLine(path.join(dir, f));
        const rec = last && decodeJournalBytes(last, 0, last.length, reserialise);
        if (!rec || 'error' in rec) continue;
        if (rec.format === 3) format3 = true;
        if (rec.seq <= snapSeq) covered.add(f);
      }
    }
    for (let fi = 0; fi < journals.length && !stopped; fi++) {
      if (covered.has(journals[fi])) continue;
      const file = path.join(dir, journals[fi]);
      const lastFile = fi === journals.length - 1;
      let fileFormat = 0;
      let li = 0;
      let problem: { line: number; error: string; offset: number; torn?: number } | undefined;
      const tail = await forEachTextLine(file, (text, start, end, region, byteStart, byteEnd, offset) => {
        li++;
        const rec = decodeJournalLine(text.slice(start, end), region.subarray(byteStart, byteEnd), reserialise);
        if ('error' in rec) {
          problem = { line: li, error: rec.error, offset };
          return false;
        }
        if ((rec.format === 1) !== fileFormat <= 1 && fileFormat !== 0) {
          problem = { line: li, error: rec.format === 1 ? 'record without a checksum in a checksummed journal' : 'checksummed record in a journal without checksums', offset };
          return false;
        }
        fileFormat = Math.max(fileFormat, rec.format);
        if (rec.format === 3) format3 = true;
        if (rec.seq <= snapSeq && !snap.lost) return true; // already in the snapshot
        if (this.seq > snapSeq && rec.seq <= this.seq) {
          problem = { line: li, error: `record seq ${rec.seq} is not after the previous record's ${this.seq}`, offset };
          return false;
        }
        if (expected !== undefined && rec.seq !== expected) {
          const missing = `${rec.seq - expected} record(s) (seq ${expected}${rec.seq - 1 > expected ? `..${rec.seq - 1}` : ''})`;
          problem = {
            line: li,
            error: `record seq ${rec.seq} follows seq ${expected - 1}: ${missing} are missing ${li === 1 ? 'before this journal (a journal deleted, emptied or cut short)' : 'here (lines removed)'}`,
            offset,
          };
          return false;
        }
        for (const [c, k, v] of rec.ops) this.table.set(c, k, v);
        this.seq = rec.seq;
        expected = rec.seq + 1;
        replayed++;
        this.tailBytes += byteEnd - byteStart + 1;
        return true;
      });
      if (!problem && tail) problem = { line: li + 1, error: `the file ends in the middle of a record (${tail.length} bytes without a newline)`, offset: tail.offset, torn: tail.length };
      if (!problem) continue;
      if (problem.torn !== undefined && lastFile) {
        // A torn append. Never acknowledged, unless the mark says a later record was.
        const acked = mark && 'seq' in mark && mark.seq > this.seq ? mark.seq : undefined;
        if (acked === undefined) {
          cut = { file, offset: problem.offset };
          this.notices.push(
            `journal ${file}: ignored a torn last record (${problem.torn} bytes without a newline, from a crash mid-append; ${mark && 'seq' in mark ? 'it was never acknowledged' : 'there is no journal.mark to tell whether it was acknowledged'}).`,
          );
          continue;
        }
        const lost = `seq ${this.seq + 1}${acked > this.seq + 1 ? `..${acked}` : ''}`;
        if (!this.recover) {
          throw new StoreDamagedError(
            `journal damaged: ${file} line ${problem.line} is cut short (${problem.torn} bytes without a newline), and ${path.join(dir, MARK)} says records up to seq ${acked} were acknowledged: acknowledged record(s) ${lost} are lost. Nothing was changed. Restore the data directory from a backup, or start with --recover to cut the torn record off and keep the ${replayed} record(s) replayed before it.`,
          );
        }
        cut = { file, offset: problem.offset };
        this.notices.push(
          `--recover: ${file} line ${problem.line} was cut short and acknowledged record(s) ${lost} are lost; cut the torn record off and kept the ${replayed} record(s) before it (state up to seq ${this.seq}).`,
        );
        stopped = true;
        continue;
      }
      if (!snap.lost && this.coveredBySnapshot(dir, journals, fi, problem.line, snapSeq)) {
        this.notices.push(
          `journal ${file} line ${problem.line} is damaged (${problem.error}), but every record in it is already in ${path.join(dir, SNAPSHOT)}: nothing is lost (the file is only needed to rebuild from the previous snapshot, and is dropped at the next snapshot).`,
        );
        continue;
      }
      this.damaged(dir, journals, fi, problem.line, problem.error, replayed);
      stopped = true; // (damaged() throws unless recovering)
    }
    // Journals that end before the mark: the last records are missing (a journal cut at a record boundary,
    // emptied or deleted, the newest journal deleted after a snapshot).
    if (!stopped) this.checkMark(dir, mark, format3, replayed);
    if (cut) truncateSync(cut.file, cut.offset);
    for (const f of this.asideAfterLoad) if (existsSync(path.join(dir, f))) this.moveAside(dir, f);
    await this.openMark(dir);
    this.maybeCompact();
    this.verification = this.verifyCovered(dir, [...covered]);
  }

  /** Settles once the journals the snapshot covers were checked (damage in them is a notice: nothing is lost). */
  verification: Promise<void> = Promise.resolve();
  private readonly noticeListeners = new Set<(notice: string) => void>();

  /** Calls fn with every notice from now on (damage found after start-up, in journals the snapshot covers). */
  onNotice(fn: (notice: string) => void): () => void {
    this.noticeListeners.add(fn);
    return () => this.noticeListeners.delete(fn);
  }

  private notice(text: string): void {
    this.notices.push(text);
    for (const l of this.noticeListeners) l(text);
  }

  private async verifyCovered(dir: string, files: string[]): Promise<void> {
    for (const f of files) {
      const file = path.join(dir, f);
      let li = 0;
      let problem: string | undefined;
      try {
        await forEachLineAsync(file, (buf, start, end, _offset, terminated) => {
          li++;
          if (!terminated) problem = 'the file ends in the middle of a record';
          else {
            const rec = decodeJournalBytes(buf, start, end, reserialise);
            if ('error' in rec) problem = rec.error;
          }
          return problem === undefined;
        });
      } catch (e) {
        if (!existsSync(file)) continue; // dropped by a snapshot meanwhile
        problem = (e as Error).message;
      }
      if (problem)
        this.notice(
          `journal ${file} line ${li} is damaged (${problem}), but every record in it is already in ${path.join(dir, SNAPSHOT)}: nothing is lost (the file is only needed to rebuild from the previous snapshot, and is dropped at the next snapshot).`,
        );
    }
  }

  /**
   * Whether a damaged line is one the current snapshot already holds: the next readable record after it (in
   * this journal or a later one) is at most the snapshot's seq + 1, or, with none after it, the record before
   * it is below the snapshot's seq (the damaged line is then at most the snapshot's last record).
   */
  private coveredBySnapshot(dir: string, journals: string[], fi: number, line: number, snapSeq: number): boolean {
    let next: number | undefined;
    let before = 0;
    for (let j = fi; j < journals.length && next === undefined; j++) {
      let i = 0;
      forEachLine(path.join(dir, journals[j]), (buf, start, end, _offset, terminated) => {
        i++;
        if (!terminated) return false;
        const rec = decodeJournalBytes(buf, start, end, reserialise);
        if ('error' in rec) return true;
        if (j === fi && i < line) before = rec.seq;
        else if (j > fi || i > line) {
          next = rec.seq;
          return false;
        }
        return true;
      });
    }
    return next !== undefined ? next <= snapSeq + 1 : before < snapSeq;
  }

  private checkMark(dir: string, mark: Mark | { error: string } | undefined, format3: boolean, replayed: number): void {
    const markFile = path.join(dir, MARK);
    if (!mark || 'error' in mark) {
      // Journals written by this version always come with a mark; older data directories have none.
      if (!format3) {
        if (mark) this.notices.push(`${markFile} is damaged (${mark.error}) but no journal needs it; a new one is written.`);
        return;
      }
      const why = mark ? `${markFile} is damaged (${mark.error})` : `${markFile} is missing`;
      if (!this.recover) {
        throw new StoreDamagedError(
          `journal damaged: ${why}, so whether records are missing at the end of the journal cannot be told. Nothing was changed. Restore the data directory from a backup, or start with --recover to go on with the ${replayed} record(s) the journals hold (state up to seq ${this.seq}).`,
        );
      }
      this.notices.push(`--recover: ${why}; went on with the records the journals hold (state up to seq ${this.seq}); a new mark is written.`);
      return;
    }
    if (mark.seq <= this.seq) return;
    const lost = `seq ${this.seq + 1}${mark.seq > this.seq + 1 ? `..${mark.seq}` : ''}`;
    const journal = path.join(dir, mark.journal);
    const where = existsSync(journal) ? `${journal} ends before it (a journal cut short or emptied)` : `${journal} is missing (deleted)`;
    const count = mark.seq - this.seq;
    if (!mark.fsync) {
      this.notices.push(
        `${count} record(s) (${lost}) written with --no-fsync are missing: ${markFile} says seq ${mark.seq} was written to ${mark.journal}, and ${where}. That is what --no-fsync loses in a power cut; the state is the one up to seq ${this.seq}.`,
      );
      return;
    }
    if (!this.recover) {
      throw new StoreDamagedError(
        `journal damaged: ${count} acknowledged record(s) (${lost}) are missing: ${markFile} says seq ${mark.seq} was made durable in ${mark.journal}, and ${where}. Nothing was changed. Restore the data directory from a backup, or start with --recover to go on with the ${replayed} record(s) the journals hold (state up to seq ${this.seq}).`,
      );
    }
    this.notices.push(`--recover: ${count} acknowledged record(s) (${lost}) are missing (${where}); went on with the state up to seq ${this.seq}.`);
  }

  /**
   * journal.mark open for in-place updates, saying the state just loaded (durably: a restart trusts it). The
   * fsyncs run off the event loop (on a fresh data dir's busy disk one took 350 ms); the store opens only once
   * they are done, so the mark is durable before any write that relies on it.
   */
  private async openMark(dir: string): Promise<void> {
    const file = path.join(dir, MARK);
    const fd = openSync(file, existsSync(file) ? 'r+' : 'w', 0o600);
    const journals = readdirSync(dir)
      .filter((f) => JOURNAL_RE.test(f))
      .sort();
    this.journalPath = path.join(dir, journals.at(-1) ?? journalName(this.seq));
    this.markFd = fd;
    this.writeMark(this.seq);
    this.journalPath = '';
    await new Promise<void>((resolve, reject) => fsyncFd(fd, (err) => (err ? reject(err) : resolve())));
    if (this.fsync) await fsyncDirAsync(dir);
  }

  /** A damaged record: refuse to start, or with `recover` keep what precedes it and move the rest aside. */
  private damaged(dir: string, journals: string[], fi: number, line: number, error: string, kept: number): void {
    const file = path.join(dir, journals[fi]);
    const countAfter = (f: string, fromLine: number) => {
      let n = 0;
      let i = 0;
      forEachLine(path.join(dir, f), (_buf, start, end) => {
        if (++i > fromLine && end > start) n++;
      });
      return n;
    };
    const inThis = countAfter(journals[fi], line);
    const later = journals.slice(fi + 1);
    const inLater = later.reduce((n, f) => n + countAfter(f, 0), 0);
    const follow = `${inThis + inLater} record(s) follow it (${inThis} in this file${later.length ? `, ${inLater} in ${later.length} later journal(s)` : ''})`;
    if (!this.recover) {
      throw new StoreDamagedError(
        `journal damaged: ${file} line ${line}: ${error}; ${follow}. Nothing was changed. Restore the data directory from a backup, or start with --recover to keep the ${kept} record(s) replayed before it and move the damaged journal${later.length ? 's' : ''} aside.`,
      );
    }
    const moved = [journals[fi], ...later].map((f) => path.join(dir, this.moveAside(dir, f)));
    this.notices.push(
      `--recover: ${file} line ${line} is damaged (${error}). Kept the ${kept} record(s) before it (state up to seq ${this.seq}); dropped the damaged record and the ${inThis + inLater} after it. Moved aside, not deleted: ${moved.join(', ')}.`,
    );
  }

  /** Flushes and closes; `snapshot: false` leaves the journal tail as it is (what a crash after the last flush leaves). */
  async close(opts: { snapshot?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    await this.flush();
    // A clean stop folds the journal tail into a snapshot, so the next start has nothing to replay.
    if (this.dir && !this.failed && this.tailBytes > 0 && opts.snapshot !== false) await this.compact().catch(() => undefined);
    this.closed = true;
    if (this.journalFd) await this.journalFd.close();
    this.journalFd = null;
    if (this.markFd !== undefined) {
      try {
        fsyncSync(this.markFd);
      } catch {
        /* best effort */
      }
      closeSync(this.markFd);
      this.markFd = undefined;
    }
  }
}

export { StoreValueError };

const reserialise = (v: unknown) => serialise(v, 'a value');

/** The JSON string text[start, end) decoded; without escapes (every key the emulator makes) a view of the text. */
function keyIn(text: string, start: number, end: number): string | undefined {
  if (end - start < 2 || text.charCodeAt(start) !== 34 || text.charCodeAt(end - 1) !== 34) return undefined;
  for (let i = start + 1; i < end - 1; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 || c === 34 || c < 32) return jsonString(text.slice(start, end));
  }
  return text.slice(start + 1, end - 1);
}

/** A key JSON.stringify would not write as it is between quotes (control characters, quote, backslash, surrogates). */
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;

/** Sorts strings without holding the event loop for long: slices sorted apart, then merged, yielding between steps. */
export async function sortedInSlices(keys: string[], slice = 2048): Promise<string[]> {
  const { turn } = loopTurns();
  let runs: string[][] = [];
  for (let i = 0; i < keys.length; i += slice) {
    runs.push(keys.slice(i, i + slice).sort());
    await turn();
  }
  while (runs.length > 1) {
    const next: string[][] = [];
    for (let i = 0; i < runs.length; i += 2) {
      const a = runs[i];
      const b = runs[i + 1];
      if (!b) {
        next.push(a);
        continue;
      }
      const out = new Array<string>(a.length + b.length);
      let x = 0;
      let y = 0;
      let o = 0;
      while (x < a.length && y < b.length) {
        out[o++] = a[x] <= b[y] ? a[x++] : b[y++];
        if ((o & 0x3ff) === 0) await turn();
      }
      while (x < a.length) out[o++] = a[x++];
      while (y < b.length) out[o++] = b[y++];
      next.push(out);
      await turn();
    }
    runs = next;
  }
  return runs[0] ?? [];
}

/** Bounds a long loop's holds: `due()` once SLICE_MS passed since the last turn; `turn()` yields (if due). */
export function loopTurns(): { due(): boolean; turn(): Promise<void> | undefined; passed(): void } {
  let since = performance.now();
  const due = () => performance.now() - since >= SLICE_MS;
  return {
    due,
    turn: () => (due() ? new Promise<void>((r) => setImmediate(r)).then(() => void (since = performance.now())) : undefined),
    /** The caller yielded another way (awaited I/O). */
    passed: () => void (since = performance.now()),
  };
}

function startsWithBrace(file: string): boolean {
  try {
    const fd = openSync(file, 'r');
    try {
      const b = Buffer.alloc(1);
      return readSync(fd, b, 0, 1, 0) === 1 && b[0] === 0x7b;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** A directory's fsync off the event loop (a directory fsync on a busy disk takes tens to hundreds of ms). */
async function fsyncDirAsync(dir: string): Promise<void> {
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(dir, 'r');
    await fh.sync();
  } catch {
    // some file systems cannot fsync a directory; the rename is still atomic
  } finally {
    await fh?.close();
  }
}

/** Files the emulator keeps in its data directory (and their moved-aside or temporary forms). */
const OWN_FILE_RE = /^(journal-\d+\.jsonl|journal\.mark|snapshot(\.prev)?\.json|token-signing-key\.pem|key\.pem|cert\.pem)(\.tmp|\.damaged-.+)?$/;

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
