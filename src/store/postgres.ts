// The store on PostgreSQL (`--store postgres://…`): several emulator instances share one database, each
// serving reads from its own memory, kept exact as follows.
//
// Tables (prefix arm_emulator_): `kv` holds every key's latest value and the seq of the commit that wrote it
// (a delete leaves a tombstone, value NULL, so other instances learn of it); `meta` holds the schema version.
// Every commit goes through one function, arm_emulator_commit_batch(…): under a transaction-scoped advisory lock
// it takes the next seq, checks each write's expectations and applies the writes that pass, then NOTIFYs. The
// lock makes commit order = seq order = visibility order, so "every row with seq > what I have seen" is a
// complete change feed (sync()).
//
// Writes are conditional: each names, per key, the seq this instance last saw (0: absent), or the earlier write
// of the same batch it builds on. A write whose key another instance changed meanwhile is refused as a whole
// (StoreConflictError) and its keys are read back, so memory never keeps a value that was not committed. Writes
// arriving while a batch is in flight go out together in the next one (group commit, as in the journal store).
// An administrator's reset or import is unconditional (NULL expectation): it replaces whatever is committed.
//
// Coordination: exclusive(name) is a session advisory lock (released by the server if the holder dies);
// lease(id) is one too, held on a connection of its own for as long as this instance drives the operation, so
// kill -9 of the driver frees its operations at once for another instance to take over.
//
// The database going away: writes and syncs fail with StoreUnavailableError (503 + Retry-After at the HTTP
// edge), nothing unacknowledged is reported as done, and a probe reconnects; before the instance answers again it
// catches up and reads back every key whose write had an unknown outcome.

import pg from 'pg';
import { createHash } from 'node:crypto';
import type { Lease, Store, StoreChange, WriteOp, WriteOptions } from './types.js';
import { StoreConflictError, StoreUnavailableError } from './types.js';
import { serialise, TableReads } from './memory.js';
import { redactUrl } from './url.js';

export { redactUrl };

/** Bumped whenever the tables or the commit function change shape; an instance refuses a database of another version. */
export const PG_SCHEMA_VERSION = 1;

const COMMIT_LOCK = [1095912773, 1] as const; // 'ARME', 1: the commit order lock
const SCHEMA_LOCK = [1095912773, 2] as const;
const CHANNEL = 'arm_emulator';
const MAX_BATCH_WRITES = 512;
const MAX_BATCH_BYTES = 16 * 1024 * 1024;

export interface PgStoreOptions {
  url: string;
  /** How often a lost database is probed (ms). */
  probeMs?: number;
  /** Seconds sent in Retry-After while the database is away. */
  retryAfter?: number;
  /**
   * Follow other instances' commits as they are notified (the default). false: only at sync() and when a write is
   * refused, so a test can hold an instance that has not caught up yet without racing the notification.
   */
  follow?: boolean;
}

/** Refused at start: the database holds a store of another schema version, or is not reachable. */
export class PgStoreError extends Error {}

const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS arm_emulator_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE SEQUENCE IF NOT EXISTS arm_emulator_seq;
CREATE TABLE IF NOT EXISTS arm_emulator_kv (
  collection text NOT NULL,
  key text NOT NULL,
  value json,
  seq bigint NOT NULL,
  PRIMARY KEY (collection, key)
);
CREATE INDEX IF NOT EXISTS arm_emulator_kv_seq ON arm_emulator_kv (seq);
`;

/**
 * The commit function (replaced at every start: its body may improve without a schema change). A batch comes
 * as parallel arrays, one element per op (no JSON to take apart, so a snapshot import of 10,000 resources is
 * one set-based check and one multi-row upsert): the write it belongs to (0-based), collection, key, value as
 * JSON text (NULL: delete) and its expectation: the seq it last saw (0: absent), or -(i + 1) when it builds on
 * write i of the same batch (which must then have been applied). Writes are refused or applied whole.
 */
const COMMIT_FN_SQL = `
CREATE OR REPLACE FUNCTION arm_emulator_commit_batch(n int, ws int[], cs text[], ks text[], vs text[], es bigint[]) RETURNS json LANGUAGE plpgsql AS $fn$
DECLARE
  s bigint;
  bad boolean[] := array_fill(false, ARRAY[n]);
  why json[] := array_fill(NULL::json, ARRAY[n]);
  r record;
BEGIN
  PERFORM pg_advisory_xact_lock(${COMMIT_LOCK[0]}, ${COMMIT_LOCK[1]});
  s := nextval('arm_emulator_seq');
  -- Expectations on what is committed: every key another instance changed since this one saw it.
  FOR r IN SELECT t.w, json_agg(json_build_array(t.c, t.k)) AS keys
      FROM unnest(ws, cs, ks, es) AS t(w, c, k, e)
      LEFT JOIN arm_emulator_kv kv ON kv.collection = t.c AND kv.key = t.k
      WHERE t.e >= 0 AND coalesce(CASE WHEN kv.value IS NULL THEN 0 ELSE kv.seq END, 0) <> t.e
      GROUP BY t.w LOOP
    bad[r.w + 1] := true;
    why[r.w + 1] := r.keys;
  END LOOP;
  -- Writes building on an earlier write of the batch go with it (in order: an earlier write is settled first).
  FOR r IN SELECT t.w, t.c, t.k, (-t.e - 1)::int AS dep FROM unnest(ws, cs, ks, es) AS t(w, c, k, e) WHERE t.e < 0 ORDER BY t.w LOOP
    IF bad[r.dep + 1] AND NOT bad[r.w + 1] THEN
      bad[r.w + 1] := true;
      why[r.w + 1] := json_build_array(json_build_array(r.c, r.k));
    END IF;
  END LOOP;
  INSERT INTO arm_emulator_kv (collection, key, value, seq)
    SELECT DISTINCT ON (t.c, t.k) t.c, t.k, t.v::json, s
      FROM unnest(ws, cs, ks, vs) WITH ORDINALITY AS t(w, c, k, v, o)
      WHERE NOT bad[t.w + 1]
      ORDER BY t.c, t.k, t.o DESC
    ON CONFLICT (collection, key) DO UPDATE SET value = EXCLUDED.value, seq = EXCLUDED.seq;
  PERFORM pg_notify('${CHANNEL}', s::text);
  RETURN json_build_object('s', s, 'r', (SELECT json_agg(CASE WHEN bad[i] THEN why[i] ELSE 'true'::json END ORDER BY i) FROM generate_series(1, n) AS i));
END
$fn$;
`;

/** A connection error (the database is away), as opposed to an error in what was asked. */
export function isConnectionError(e: unknown): boolean {
  const err = e as { code?: string; message?: string } | undefined;
  const code = err?.code ?? '';
  if (/^(08|57P0[1-3]|53300)/.test(code)) return true; // connection exception, shutdown, cannot connect now, too many connections
  if (/^E(CONNREFUSED|CONNRESET|PIPE|HOSTUNREACH|NETUNREACH|TIMEDOUT|AI_AGAIN|NOTFOUND)$/.test(code)) return true;
  return /Connection terminated|connection is closed|Client has encountered a connection error|not queryable/i.test(err?.message ?? '');
}

interface WriteEntry {
  c: string;
  k: string;
  ck: string;
  /** The value's JSON text (undefined: a delete). */
  v: string | undefined;
  /** The last local write of this key not yet settled when this one was made: this one builds on it. */
  prev?: PendingWrite;
}

interface PendingWrite {
  entries: WriteEntry[];
  state: 'queued' | 'sending' | 'ok' | 'failed';
  /** Written whatever is committed (WriteOptions.unconditional). */
  unconditional?: boolean;
  /** Index within the batch being sent. */
  idx?: number;
  seq?: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** A batch as the commit function takes it: one element per op. */
interface BatchArrays {
  w: number[];
  c: string[];
  k: string[];
  v: (string | null)[];
  /** Per key: the seq expected, -(i + 1) for "builds on write i of the batch", null for no expectation. */
  e: (number | null)[];
}

/** Neither empty nor holding the separators: can travel in a joined text (see commitQuery). */
// eslint-disable-next-line no-control-regex -- the batch encoder joins texts with these two control characters on purpose
const joinable = (s: string) => s.length > 0 && !/[\u0001\u0002]/.test(s);

/**
 * The commit call for a batch. Collections, keys and values travel as three texts joined with U+0001 and split
 * by the server (a delete's value is U+0002, read as NULL): a JSON text never holds a raw U+0001 or U+0002, and
 * this spares the driver escaping every value as an array element (most of a large import's time). A key that
 * holds either character (or is empty) sends the batch as plain text arrays instead.
 */
function commitQuery(n: number, a: BatchArrays): pg.QueryConfig {
  if (a.c.every(joinable) && a.k.every(joinable)) {
    return {
      name: 'arm_emulator_commit_joined',
      text: `SELECT arm_emulator_commit_batch($1::int, $2::int[], string_to_array($3::text, chr(1)), string_to_array($4::text, chr(1)), string_to_array($5::text, chr(1), chr(2)), $6::bigint[]) AS r`,
      values: [n, a.w, a.c.join('\u0001'), a.k.join('\u0001'), a.v.map((v) => v ?? '\u0002').join('\u0001'), a.e],
    };
  }
  return {
    name: 'arm_emulator_commit_arrays',
    text: 'SELECT arm_emulator_commit_batch($1::int, $2::int[], $3::text[], $4::text[], $5::text[], $6::bigint[]) AS r',
    values: [n, a.w, a.c, a.k, a.v, a.e],
  };
}

const ck = (c: string, k: string) => `${c}\u0000${k}`;
const splitCk = (s: string): [string, string] => {
  const i = s.indexOf('\u0000');
  return [s.slice(0, i), s.slice(i + 1)];
};

/** 64-bit advisory lock key for a name (separate key space from the two-int commit and schema locks). */
function lockKey(name: string): string {
  return createHash('sha1').update(name).digest().readBigInt64BE(0).toString();
}

export class PgStore extends TableReads implements Store {
  readonly shared = true;
  /** Every value as its JSON text (the text the database's json column holds, byte for byte). */
  /** Seq of the commit that wrote each present key. */
  private readonly seqs = new Map<string, number>();
  /** Seq of deletes this instance applied, so an older feed row cannot bring the key back (dropped once seen past). */
  private readonly tombs = new Map<string, number>();
  /** Highest seq of the change feed applied. */
  private lastSeq = 0;
  private changes = 0;
  private readonly unsettled = new Map<string, PendingWrite>();
  /** Keys whose committed value is unknown (a refused or failed write): read back before the next answer. */
  private readonly dirty = new Set<string>();
  private queue: PendingWrite[] = [];
  private flushing: Promise<void> | null = null;
  /** The batch being committed (settled: resolved). */
  private sending: Promise<unknown> = Promise.resolve();
  private syncing: Promise<void> | null = null;
  private syncNext: Promise<void> | null = null;
  private readonly listeners = new Set<(changes: StoreChange[] | 'all') => void>();
  private readonly locals = new Map<string, Promise<unknown>>();
  private readonly leases = new Map<string, AbortController>();
  private leaseClient: pg.Client | null = null;
  private leaseClientP: Promise<pg.Client> | null = null;
  private listenClient: pg.Client | null = null;
  private writer: pg.Client | null = null;
  private reader: pg.Client | null = null;
  private pool: pg.Pool;
  private down: Error | null = null;
  private probe: NodeJS.Timeout | null = null;
  private closed = false;
  readonly notices: string[] = [];
  readonly where: string;
  private readonly probeMs: number;
  private readonly retryAfter: number;

  private constructor(private readonly opts: PgStoreOptions) {
    super();
    this.where = redactUrl(opts.url);
    this.probeMs = opts.probeMs ?? 1000;
    this.retryAfter = opts.retryAfter ?? 2;
    this.pool = new pg.Pool({ connectionString: opts.url, max: 16, connectionTimeoutMillis: 60_000 });
    this.pool.on('error', () => undefined); // an idle client lost: the next query reports it
  }

  /** Connects, creates or checks the schema, loads everything. Throws PgStoreError naming what is wrong. */
  static async open(opts: PgStoreOptions): Promise<PgStore> {
    const s = new PgStore(opts);
    try {
      await s.ensureSchema();
      await s.loadAll();
      await s.startListening();
    } catch (e) {
      await s.pool.end().catch(() => undefined);
      await s.dropClients();
      if (e instanceof PgStoreError) throw e;
      if (isConnectionError(e)) throw new PgStoreError(`cannot connect to the PostgreSQL database ${s.where}: ${(e as Error).message}. Is the server running and the URL right?`);
      throw new PgStoreError(`the PostgreSQL database ${s.where} could not be opened: ${(e as Error).message}`);
    }
    return s;
  }

  private async client(): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: this.opts.url, connectionTimeoutMillis: 10_000 });
    c.on('error', (e) => this.lost(e));
    await c.connect();
    return c;
  }

  private async ensureSchema(): Promise<void> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('SELECT pg_advisory_xact_lock($1, $2)', [...SCHEMA_LOCK]);
      const exists = (await c.query(`SELECT to_regclass('arm_emulator_meta') IS NOT NULL AS e`)).rows[0].e as boolean;
      if (exists) {
        const row = (await c.query(`SELECT value FROM arm_emulator_meta WHERE key = 'schema_version'`)).rows[0];
        const have = row ? Number(row.value) : NaN;
        if (have !== PG_SCHEMA_VERSION) {
          throw new PgStoreError(
            `the PostgreSQL database ${this.where} holds an ARM emulator store of schema version ${row ? row.value : 'unknown'}, but this emulator uses schema version ${PG_SCHEMA_VERSION}. Nothing was changed. Point --store at another database, or run the emulator version that wrote it.`,
          );
        }
      } else {
        await c.query(SCHEMA_SQL);
        await c.query(`INSERT INTO arm_emulator_meta (key, value) VALUES ('schema_version', $1)`, [String(PG_SCHEMA_VERSION)]);
      }
      await c.query(COMMIT_FN_SQL);
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  /** Everything, as of one snapshot; the feed continues from its highest seq. */
  private async loadAll(): Promise<void> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const max = (await c.query('SELECT coalesce(max(seq), 0)::text AS m FROM arm_emulator_kv')).rows[0].m as string;
      // value::text: the json column keeps the text as written, so memory holds what JSON.stringify made (nothing
      // parsed here). In key order (byte order, as JavaScript compares these keys): the repository's index build
      // then takes each bucket as it comes instead of sorting it (it checks the order, so another order is only slower).
      await c.query(`SET LOCAL work_mem = '256MB'`);
      const rows = (
        await c.query({ text: 'SELECT collection, key, value::text, seq::float8 AS seq FROM arm_emulator_kv WHERE value IS NOT NULL ORDER BY collection, key COLLATE "C"', rowMode: 'array' })
      ).rows as [string, string, string, number][];
      await c.query('COMMIT');
      this.table.clear();
      this.seqs.clear();
      this.tombs.clear();
      let table: { set(key: string, text: string): void } | undefined;
      let tableName = '';
      for (const [col, key, value, seq] of rows) {
        if (col !== tableName || !table) table = this.table.collection((tableName = col));
        table.set(key, value);
        this.seqs.set(ck(col, key), seq);
      }
      this.lastSeq = Number(max);
      this.changes++;
    } finally {
      c.release();
    }
  }

  private async startListening(): Promise<void> {
    const c = await this.client();
    c.on('notification', (n) => {
      if (this.opts.follow === false) return;
      const seq = Number(n.payload);
      // The notice of this instance's own commit can arrive before the commit's answer: look again once the
      // batch in flight is settled (its seq is then known, and its rows need not be read back).
      void this.sending.then(() => {
        if (seq > this.lastSeq) void this.sync().catch(() => undefined);
      });
    });
    c.on('end', () => this.lost(new Error('the notification connection ended')));
    await c.query(`LISTEN ${CHANNEL}`);
    this.listenClient = c;
  }

  // ---- reads ------------------------------------------------------------------------------------------------

  // Reads (TableReads) parse a fresh copy from the stored text (the caller owns it), as in the journal store.
  version(): number {
    return this.changes;
  }

  onExternalChange(listener: (changes: StoreChange[] | 'all') => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  private emit(changes: StoreChange[] | 'all'): void {
    if (changes !== 'all' && changes.length === 0) return;
    this.changes++;
    for (const l of this.listeners) {
      try {
        l(changes);
      } catch {
        // a listener's failure must not stop the others or the feed
      }
    }
  }

  private unavailable(): StoreUnavailableError {
    return new StoreUnavailableError(`the emulator's PostgreSQL database ${this.where} is unavailable (${this.down?.message ?? 'connection lost'}); retry shortly`, this.retryAfter);
  }

  /** The database went away: fail fast from now on and probe until it is back. */
  private lost(e: unknown): void {
    if (this.closed || this.down) return;
    this.down = e instanceof Error ? e : new Error(String(e));
    for (const ctl of this.leases.values()) ctl.abort();
    this.leases.clear();
    void this.dropClients();
    this.probe = setTimeout(() => void this.recover(), this.probeMs);
    this.probe.unref();
  }

  private async dropClients(): Promise<void> {
    const cs = [this.writer, this.reader, this.listenClient, this.leaseClient];
    this.writer = this.reader = this.listenClient = this.leaseClient = null;
    this.leaseClientP = null;
    for (const c of cs) await c?.end().catch(() => undefined);
  }

  /** Probes; when the database answers again, catches up and reads back unknown keys before serving again. */
  private async recover(): Promise<void> {
    if (this.closed) return;
    try {
      const reader = await this.client();
      this.reader = reader;
      await this.startListening();
      await this.catchUp(reader);
      this.down = null;
    } catch {
      await this.dropClients();
      this.probe = setTimeout(() => void this.recover(), this.probeMs);
      this.probe.unref();
    }
  }

  // ---- the change feed --------------------------------------------------------------------------------------

  /** One query at a time on the reader connection (catch-ups and read-backs take turns). */
  private readerTurn: Promise<unknown> = Promise.resolve();
  private onReader<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const run = this.readerTurn.then(async () => {
      this.reader ??= await this.client();
      return fn(this.reader);
    });
    this.readerTurn = run.catch(() => undefined);
    return run;
  }

  /** One query at a time on the lease connection. */
  private leaseTurn: Promise<unknown> = Promise.resolve();
  private onLeaseConn<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const run = this.leaseTurn.then(async () => fn(await this.leaseConn()));
    this.leaseTurn = run.catch(() => undefined);
    return run;
  }

  sync(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    if (this.down) return Promise.reject(this.unavailable());
    if (this.syncNext) return this.syncNext;
    if (this.syncing) {
      // The running query may have started before what the caller must see: wait for one started after it.
      const next = this.syncing
        .catch(() => undefined)
        .then(() => {
          this.syncNext = null;
          return this.startSync();
        });
      this.syncNext = next;
      return next;
    }
    return this.startSync();
  }

  private startSync(): Promise<void> {
    if (this.down) return Promise.reject(this.unavailable());
    const p: Promise<void> = (async () => {
      try {
        await this.onReader((c) => this.catchUp(c));
      } catch (e) {
        if (isConnectionError(e)) {
          this.lost(e);
          throw this.unavailable();
        }
        throw e;
      }
    })().finally(() => {
      if (this.syncing === p) this.syncing = null;
    });
    this.syncing = p;
    return p;
  }

  private async catchUp(c: pg.Client): Promise<void> {
    const from = this.lastSeq;
    const res = await c.query({
      name: 'arm_emulator_sync',
      text: `SELECT collection, key, value::text, seq::float8 FROM arm_emulator_kv WHERE seq > $1
             UNION ALL SELECT NULL, NULL, NULL, value::float8 FROM arm_emulator_meta WHERE key = 'pruned_below' AND value::bigint > $1`,
      values: [from],
      rowMode: 'array',
    });
    const rows = res.rows as [string | null, string | null, string | null, number][];
    if (rows.some((r) => r[0] === null)) {
      // Deletes this instance never saw were pruned: start over from a full load.
      await this.loadAll();
      this.dirty.clear();
      this.emit('all');
      return;
    }
    const changes: StoreChange[] = [];
    let max = from;
    for (const [col, key, value, seq] of rows as [string, string, string | null, number][]) {
      if (seq > max) max = seq;
      const k = ck(col, key);
      if (this.unsettled.has(k)) continue; // our own write on it settles it (refused: read back)
      if ((this.seqs.get(k) ?? this.tombs.get(k) ?? 0) >= seq) continue;
      this.applyCommitted(k, col, key, value, seq);
      this.dirty.delete(k);
      changes.push({ collection: col, key, value: value === null ? undefined : JSON.parse(value) });
    }
    if (max > this.lastSeq) this.lastSeq = max;
    for (const [k, s] of this.tombs) if (s <= this.lastSeq) this.tombs.delete(k);
    if (this.dirty.size) changes.push(...(await this.readBack(c)));
    this.emit(changes);
  }

  private applyCommitted(k: string, col: string, key: string, value: string | null, seq: number): void {
    if (value === null) {
      this.table.set(col, key, undefined);
      this.seqs.delete(k);
      this.tombs.set(k, seq);
    } else {
      this.table.set(col, key, value);
      this.seqs.set(k, seq);
      this.tombs.delete(k);
    }
  }

  /** Reads back keys whose last local write was refused or has an unknown outcome; returns what changed. */
  private async readBack(c: pg.Client): Promise<StoreChange[]> {
    const keys = [...this.dirty].filter((k) => !this.unsettled.has(k));
    if (keys.length === 0) return [];
    const cols = keys.map((k) => splitCk(k)[0]);
    const ks = keys.map((k) => splitCk(k)[1]);
    const res = await c.query({
      text: 'SELECT collection, key, value::text, seq::float8 FROM arm_emulator_kv WHERE (collection, key) IN (SELECT * FROM unnest($1::text[], $2::text[]))',
      values: [cols, ks],
      rowMode: 'array',
    });
    const found = new Map<string, [string | null, number]>();
    for (const [col, key, value, seq] of res.rows as [string, string, string | null, number][]) found.set(ck(col, key), [value, seq]);
    const out: StoreChange[] = [];
    for (const k of keys) {
      if (this.unsettled.has(k)) continue;
      const [col, key] = splitCk(k);
      const [value, seq] = found.get(k) ?? [null, 0];
      this.applyCommitted(k, col, key, value, seq);
      this.dirty.delete(k);
      out.push({ collection: col, key, value: value === null ? undefined : JSON.parse(value) });
    }
    return out;
  }

  // ---- writes -----------------------------------------------------------------------------------------------

  write(ops: WriteOp[], opts?: WriteOptions): Promise<void> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    if (ops.length === 0) return Promise.resolve();
    if (this.down) return Promise.reject(this.unavailable());
    // Serialise everything before applying anything: a value that cannot be kept (StoreValueError) refuses the whole write.
    const texts: (string | undefined)[] = [];
    try {
      for (const op of ops) texts.push(op.value === undefined ? undefined : serialise(op.value, `the value of ${op.collection}/${op.key}`));
    } catch (e) {
      return Promise.reject(e);
    }
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const w: PendingWrite = { entries: [], state: 'queued', unconditional: opts?.unconditional, resolve, reject };
    ops.forEach((op, i) => {
      const k = ck(op.collection, op.key);
      this.table.set(op.collection, op.key, texts[i]);
      const prev = this.unsettled.get(k);
      w.entries.push({ c: op.collection, k: op.key, ck: k, v: texts[i], prev: prev && prev !== w ? prev : undefined });
      this.unsettled.set(k, w);
    });
    this.changes++;
    this.queue.push(w);
    if (opts?.external) this.emitLocal(ops);
    if (!this.flushing) this.flushing = new Promise<void>((r) => setImmediate(r)).then(() => this.flushLoop());
    return done;
  }

  private emitLocal(ops: WriteOp[]): void {
    const changes = ops.map((o) => ({ collection: o.collection, key: o.key, value: o.value }));
    for (const l of this.listeners) {
      try {
        l(changes);
      } catch {
        /* see emit() */
      }
    }
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.queue.length) {
        let bytes = 0;
        const batch: PendingWrite[] = [];
        const arrays: BatchArrays = { w: [], c: [], k: [], v: [], e: [] };
        while (this.queue.length && batch.length < MAX_BATCH_WRITES && bytes < MAX_BATCH_BYTES) {
          const w = this.queue.shift()!;
          const size = this.encode(w, batch.length, arrays);
          if (size === undefined) continue; // settled already (failed before sending)
          w.state = 'sending';
          w.idx = batch.length;
          batch.push(w);
          bytes += size;
        }
        if (batch.length) {
          const sent = this.send(batch, arrays);
          this.sending = sent.catch(() => undefined);
          await sent;
        }
      }
    } finally {
      this.flushing = null;
      if (this.queue.length) this.flushing = new Promise<void>((r) => setImmediate(r)).then(() => this.flushLoop());
    }
  }

  /**
   * Appends one write's ops to the batch's arrays (see the commit function); returns its size in bytes, or
   * undefined (and the write failed, nothing appended) when it cannot be sent.
   */
  private encode(w: PendingWrite, idx: number, out: BatchArrays): number | undefined {
    const vs: (string | null)[] = [];
    const es: (number | null)[] = [];
    let bytes = 0;
    for (const e of w.entries) {
      if (w.unconditional) {
        // NULL: the commit function checks nothing for this key (neither `e >= 0` nor `e < 0` holds).
        es.push(null);
      } else if (e.prev && e.prev.state === 'failed') {
        this.settleFailed(w, new StoreConflictError([{ collection: e.c, key: e.k }]));
        return undefined;
      } else es.push(e.prev && e.prev.state === 'sending' ? -(e.prev.idx! + 1) : (this.seqs.get(e.ck) ?? 0));
      const v = e.v ?? null; // serialised (and checked) when written
      vs.push(v);
      bytes += e.c.length + e.k.length + (v?.length ?? 0) + 16;
    }
    for (let i = 0; i < w.entries.length; i++) {
      out.w.push(idx);
      out.c.push(w.entries[i].c);
      out.k.push(w.entries[i].k);
      out.v.push(vs[i]);
      out.e.push(es[i]);
    }
    return bytes;
  }

  private async send(batch: PendingWrite[], a: BatchArrays): Promise<void> {
    let result: { s: number; r: (true | [string, string][])[] };
    try {
      if (this.down) throw this.unavailable();
      this.writer ??= await this.client();
      result = (await this.writer.query(commitQuery(batch.length, a))).rows[0].r;
    } catch (e) {
      const err = isConnectionError(e) ? (this.lost(e), this.unavailable()) : e instanceof StoreUnavailableError ? e : e;
      // Unknown outcome: every key of the batch is read back once the database answers again.
      for (const w of batch) this.settleFailed(w, err);
      if (!this.down) await this.readBackNow();
      return;
    }
    const seq = Number(result.s);
    let refused = false;
    batch.forEach((w, i) => {
      const r = result.r[i];
      if (r === true) {
        w.state = 'ok';
        w.seq = seq;
        for (const e of w.entries) {
          if (e.v === undefined) {
            this.seqs.delete(e.ck);
            this.tombs.set(e.ck, seq);
          } else {
            this.seqs.set(e.ck, seq);
            this.tombs.delete(e.ck);
          }
          if (this.unsettled.get(e.ck) === w) this.unsettled.delete(e.ck);
        }
      } else {
        refused = true;
        this.markFailed(w, new StoreConflictError((r as [string, string][]).map(([c, k]) => ({ collection: c, key: k }))));
      }
    });
    // Commits take seqs in commit order: when nobody committed between what this instance has seen and this
    // commit, the feed is complete up to it, and the next catch-up need not read this instance's own rows back.
    if (seq === this.lastSeq + 1) this.lastSeq = seq;
    // Refused writes: memory goes back to what is committed before anyone hears of the refusal.
    if (refused) await this.readBackNow();
    for (const w of batch) {
      if (w.state === 'ok') w.resolve();
      else w.reject((w as PendingWrite & { error?: unknown }).error);
    }
  }

  /** Marks a write failed (its keys to be read back) without settling its promise yet. */
  private markFailed(w: PendingWrite, error: unknown): void {
    w.state = 'failed';
    (w as PendingWrite & { error?: unknown }).error = error;
    for (const e of w.entries) {
      this.dirty.add(e.ck);
      if (this.unsettled.get(e.ck) === w) this.unsettled.delete(e.ck);
    }
  }

  private settleFailed(w: PendingWrite, error: unknown): void {
    this.markFailed(w, error);
    w.reject(error);
  }

  private async readBackNow(): Promise<void> {
    try {
      this.emit(await this.onReader((c) => this.readBack(c)));
    } catch (e) {
      if (isConnectionError(e)) this.lost(e);
    }
  }

  async flush(): Promise<void> {
    while (this.flushing || this.queue.length) {
      if (!this.flushing) this.flushing = this.flushLoop();
      await this.flushing;
    }
  }

  // ---- coordination -----------------------------------------------------------------------------------------

  exclusive<T>(name: string | string[], fn: () => Promise<T>): Promise<T> {
    const names = [...new Set(Array.isArray(name) ? name : [name])].sort();
    // One local caller at a time per name (so waiters do not each hold a connection), then the database locks.
    const before = Promise.all(names.map((n) => this.locals.get(n)?.catch(() => undefined) ?? Promise.resolve()));
    const run = before.then(() => this.exclusiveNow(names, fn));
    const tail = run.catch(() => undefined);
    for (const n of names) this.locals.set(n, tail);
    void tail.then(() => {
      for (const n of names) if (this.locals.get(n) === tail) this.locals.delete(n);
    });
    return run;
  }

  private async exclusiveNow<T>(names: string[], fn: () => Promise<T>): Promise<T> {
    if (this.down) throw this.unavailable();
    let c: pg.PoolClient;
    const keys = names.map((n) => lockKey(`lock:${n}`));
    try {
      c = await this.pool.connect();
    } catch (e) {
      if (isConnectionError(e)) {
        this.lost(e);
        throw this.unavailable();
      }
      throw e;
    }
    let broken = false;
    let held = 0;
    try {
      for (const k of keys) {
        await c.query('SELECT pg_advisory_lock($1::bigint)', [k]);
        held++;
      }
      await this.sync();
      const out = await fn();
      await this.flush();
      return out;
    } catch (e) {
      if (isConnectionError(e)) {
        broken = true;
        this.lost(e);
        throw this.unavailable();
      }
      throw e;
    } finally {
      try {
        if (!broken) for (const k of keys.slice(0, held).reverse()) await c.query('SELECT pg_advisory_unlock($1::bigint)', [k]);
      } catch {
        broken = true;
      }
      c.release(broken);
    }
  }

  private leaseConn(): Promise<pg.Client> {
    if (this.leaseClient) return Promise.resolve(this.leaseClient);
    this.leaseClientP ??= this.client().then(
      (c) => {
        c.on('end', () => {
          if (this.leaseClient === c) {
            this.leaseClient = null;
            this.leaseClientP = null;
            for (const ctl of this.leases.values()) ctl.abort();
            this.leases.clear();
          }
        });
        this.leaseClient = c;
        return c;
      },
      (e) => {
        this.leaseClientP = null;
        throw e;
      },
    );
    return this.leaseClientP;
  }

  async lease(id: string): Promise<Lease | undefined> {
    if (this.down || this.closed || this.leases.has(id)) return undefined;
    const key = lockKey(`op:${id.toLowerCase()}`);
    let c!: pg.Client;
    try {
      const got = await this.onLeaseConn(async (conn) => {
        c = conn;
        const g = (await conn.query('SELECT pg_try_advisory_lock($1::bigint) AS g', [key])).rows[0].g as boolean;
        if (g && this.leases.has(id)) {
          await conn.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
          return false;
        }
        return g;
      });
      if (!got) return undefined;
    } catch (e) {
      if (isConnectionError(e)) this.lost(e);
      return undefined;
    }
    const ctl = new AbortController();
    this.leases.set(id, ctl);
    return {
      signal: ctl.signal,
      release: async () => {
        if (this.leases.get(id) !== ctl) return;
        this.leases.delete(id);
        await this.onLeaseConn(async (conn) => {
          if (conn === c) await conn.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
        }).catch(() => undefined);
      },
    };
  }

  /** Tombstones older than `belowSeq` go; an instance behind that point reloads everything. */
  async prune(belowSeq: number): Promise<void> {
    if (this.down || belowSeq <= 0) return;
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      await c.query(
        `INSERT INTO arm_emulator_meta (key, value) VALUES ('pruned_below', $1) ON CONFLICT (key) DO UPDATE SET value = GREATEST(arm_emulator_meta.value::bigint, EXCLUDED.value::bigint)::text`,
        [String(belowSeq)],
      );
      await c.query('DELETE FROM arm_emulator_kv WHERE value IS NULL AND seq < $1', [belowSeq]);
      await c.query('COMMIT');
    } catch {
      await c.query('ROLLBACK').catch(() => undefined);
    } finally {
      c.release();
    }
  }

  /** The highest seq this instance has applied (for tests and the prune horizon). */
  seenSeq(): number {
    return this.lastSeq;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush().catch(() => undefined);
    this.closed = true;
    if (this.probe) clearTimeout(this.probe);
    for (const ctl of this.leases.values()) ctl.abort();
    this.leases.clear();
    await this.dropClients();
    await this.pool.end().catch(() => undefined);
  }
}
