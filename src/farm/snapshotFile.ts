// A snapshot file: one JSON document read and written through lowdb, with an adapter of ours for what lowdb's
// own file adapter cannot do: the write goes to a temp file created 0600, is fsynced, renamed into place and
// the directory fsynced (atomic and durable); the text ends with a SHA-256 of everything before it, so a
// damaged or truncated file is refused on read instead of half-imported.

import { promises as fsp, openSync, fsyncSync, closeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Low, type Adapter } from 'lowdb';

export const SNAPSHOT_FORMAT = 'arm-emulator-snapshot';
/** Bumped when what a snapshot holds changes shape; a file of another version is refused. */
export const SNAPSHOT_VERSION = 1;

export interface SnapshotDocument {
  format: typeof SNAPSHOT_FORMAT;
  version: number;
  createdAt: string;
  /** Present when the snapshot holds one subscription only. */
  subscriptionId?: string;
  collections: Record<string, Record<string, unknown>>;
}

/** Refused: not a snapshot, damaged, or of another version; nothing was changed. */
export class SnapshotError extends Error {}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * The document as text, with `sha256` as its last member: the SHA-256 of the document's JSON without it (as
 * JSON.stringify writes it). Checked against the parsed content, so a tool that re-indents the file (az rest
 * does) keeps it valid, while any change to what it holds is refused.
 */
export function encodeSnapshot(doc: SnapshotDocument): string {
  const body = JSON.stringify(doc);
  return `${body.slice(0, -1)},"sha256":"${sha256(body)}"}`;
}

/** Parses and checks a snapshot's text; throws SnapshotError saying what is wrong. */
export function decodeSnapshot(text: string, what = 'the snapshot'): SnapshotDocument {
  let doc: SnapshotDocument & { sha256?: string };
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new SnapshotError(`${what} is not valid JSON (${(e as Error).message}): it is damaged or not an emulator snapshot. Nothing was changed.`);
  }
  if (!doc || typeof doc !== 'object' || doc.format !== SNAPSHOT_FORMAT) {
    throw new SnapshotError(`${what} is not an ARM emulator snapshot (format '${String((doc as { format?: unknown })?.format ?? 'missing')}', expected '${SNAPSHOT_FORMAT}'). Nothing was changed.`);
  }
  if (doc.version !== SNAPSHOT_VERSION) {
    throw new SnapshotError(`${what} is of snapshot version ${String(doc.version)}; this emulator reads version ${SNAPSHOT_VERSION}. Nothing was changed.`);
  }
  const { sha256: sum, ...rest } = doc;
  const want = sha256(JSON.stringify(rest));
  if (!sum || sum !== want) {
    throw new SnapshotError(`${what} is damaged: its checksum does not match its content (sha256 ${sum ?? 'missing'}, content has ${want}). Nothing was changed.`);
  }
  if (!rest.collections || typeof rest.collections !== 'object' || Object.values(rest.collections).some((c) => !c || typeof c !== 'object' || Array.isArray(c))) {
    throw new SnapshotError(`${what} has no valid collections. Nothing was changed.`);
  }
  return rest as SnapshotDocument;
}

/** lowdb adapter: checked read, atomic durable 0600 write. */
export class DurableSnapshotFile implements Adapter<SnapshotDocument> {
  constructor(readonly file: string) {}

  async read(): Promise<SnapshotDocument | null> {
    let text: string;
    try {
      text = await fsp.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    return decodeSnapshot(text, `snapshot file ${this.file}`);
  }

  async write(doc: SnapshotDocument): Promise<void> {
    const text = encodeSnapshot(doc);
    const tmp = `${this.file}.tmp-${process.pid}`;
    const fd = await fsp.open(tmp, 'w', 0o600);
    try {
      await fd.writeFile(text);
      await fd.sync();
    } finally {
      await fd.close();
    }
    await fsp.chmod(tmp, 0o600);
    await fsp.rename(tmp, this.file);
    try {
      const d = openSync(path.dirname(path.resolve(this.file)), 'r');
      try {
        fsyncSync(d);
      } finally {
        closeSync(d);
      }
    } catch {
      // a directory that cannot be fsynced: the rename is still atomic
    }
  }
}

/** Writes a snapshot document to a file (through lowdb). */
export async function writeSnapshotFile(file: string, doc: SnapshotDocument): Promise<void> {
  const db = new Low<SnapshotDocument>(new DurableSnapshotFile(file), doc);
  db.data = doc;
  await db.write();
}

/** Reads and checks a snapshot file (through lowdb); SnapshotError when missing, damaged or foreign. */
export async function readSnapshotFile(file: string): Promise<SnapshotDocument> {
  const db = new Low<SnapshotDocument | null>(new DurableSnapshotFile(file) as Adapter<SnapshotDocument | null>, null);
  await db.read();
  if (!db.data) throw new SnapshotError(`snapshot file ${file} does not exist. Nothing was changed.`);
  return db.data;
}
