// The data directory's file formats: journal lines (formats 1, 2 and 3), snapshots (formats 1, 2 and 3) and
// journal.mark, and a reader that walks a file's lines in fixed-size chunks (bounded memory whatever its size).
// Pure encoding and decoding: what to do with damage is journal.ts's business.
//
// Journal format 3 (written now), one record per line:
//     <crc32, 8 hex> <space> <seq> ( <TAB> <collection> <TAB> <key> <TAB> <value or -> )* <LF>
// collection and key are JSON strings, value is the JSON text of the value ("-" deletes the key). JSON text never
// holds a raw TAB or LF, so a line splits without parsing the values: a restart keeps each value as the text it
// reads. The checksum is CRC-32 (IEEE) of the UTF-8 bytes after the space, up to the LF.
// Format 2: <crc32> <space> {"s":<seq>,"o":[[collection,key,value|null],...]}; format 1: the JSON alone.
//
// Snapshot format 3 (written now), line by line so it is written and read in chunks:
//     {"format":3,"seq":<seq>}                      header
//     <TAB><collection as a JSON string>            each collection, then its records:
//     <key as a JSON string><TAB><value JSON text>
//     {"records":<n>,"crc32":"<8 hex>"}             trailer: CRC-32 of every byte before it
// Formats 1 and 2 are one JSON document ({"format","seq","collections":{...}}, format 2 ending with "crc32").
//
// journal.mark: one fixed-size line rewritten in place after every flushed batch, before it is acknowledged:
//     <crc32> <space> {"seq":<last seq made durable>,"journal":"<file it is in>","fsync":<bool>}   (padded)
// It tells a restart how far the journal got, so a journal cut at a record boundary, emptied or deleted is
// seen as missing records instead of being taken for the end of the history.

import { closeSync, fstatSync, openSync, readSync, promises as fsp } from 'node:fs';
import { crc32 } from 'node:zlib';

export function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/** One decoded operation: value is the JSON text, or undefined for a delete. */
export type TextOp = [collection: string, key: string, value: string | undefined];

export interface DecodedRecord {
  seq: number;
  ops: TextOp[];
  format: 1 | 2 | 3;
}

/** A JSON string literal's value; the fast path slices when it holds no escape. */
export function jsonString(lit: string): string | undefined {
  if (lit.length < 2 || lit.charCodeAt(0) !== 34 || lit.charCodeAt(lit.length - 1) !== 34) return undefined;
  const inner = lit.slice(1, -1);
  if (!inner.includes('\\') && !inner.includes('"')) return inner;
  try {
    const v = JSON.parse(lit);
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The format-3 journal line (with its LF) for a record whose values are already JSON texts. */
export function journalLine3(seq: number, ops: TextOp[]): string {
  let body = String(seq);
  for (const [c, k, v] of ops) body += `\t${JSON.stringify(c)}\t${JSON.stringify(k)}\t${v === undefined ? '-' : v}`;
  return `${hex8(crc32(body))} ${body}\n`;
}

/** decodeJournalLine of buf[start, end). */
export function decodeJournalBytes(buf: Buffer, start: number, end: number, reserialise: (v: unknown) => string): DecodedRecord | { error: string } {
  return decodeJournalLine(buf.toString('utf8', start, end), buf.subarray(start, end), reserialise);
}

/**
 * Decodes one journal line (without its LF; `bytes` are its UTF-8 bytes, what the checksum covers). The values
 * of a format-3 record are slices of `line`. Legacy records (formats 1 and 2) are parsed and their values
 * serialised again by `reserialise`, which may throw (a value too deep to keep): that is the record's damage.
 */
export function decodeJournalLine(line: string, bytes: Buffer, reserialise: (v: unknown) => string): DecodedRecord | { error: string } {
  if (/^[0-9a-f]{8} /.test(line)) {
    const want = line.slice(0, 8);
    const has = hex8(crc32(bytes.subarray(9)));
    if (has !== want) return { error: `checksum mismatch (crc32 ${want}, content has ${has})` };
    const c = line.charCodeAt(9);
    if (c >= 48 && c <= 57) return decode3(line.slice(9));
    if (c === 123) return decodeJson(line.slice(9), 2, reserialise);
    return { error: 'not a journal record' };
  }
  if (line.startsWith('{')) return decodeJson(line, 1, reserialise);
  return { error: line === '' ? 'empty line' : 'not a journal record' };
}

function decode3(body: string): DecodedRecord | { error: string } {
  const parts = body.split('\t');
  const seq = Number(parts[0]);
  if (!Number.isSafeInteger(seq) || seq < 1 || (parts.length - 1) % 3 !== 0) return { error: 'not a journal record (seq, operations)' };
  const ops: TextOp[] = [];
  for (let i = 1; i < parts.length; i += 3) {
    const c = jsonString(parts[i]);
    const k = jsonString(parts[i + 1]);
    const v = parts[i + 2];
    if (c === undefined || k === undefined || v === '') return { error: 'not a journal record (collection, key, value)' };
    ops.push([c, k, v === '-' ? undefined : v]);
  }
  return { seq, ops, format: 3 };
}

function decodeJson(json: string, format: 1 | 2, reserialise: (v: unknown) => string): DecodedRecord | { error: string } {
  let rec: { s: number; o: [string, string, unknown][] };
  try {
    rec = JSON.parse(json);
  } catch (e) {
    return { error: `unparsable record (${(e as Error).message})` };
  }
  if (!rec || !Number.isInteger(rec.s) || !Array.isArray(rec.o) || !rec.o.every((o) => Array.isArray(o) && o.length === 3 && typeof o[0] === 'string' && typeof o[1] === 'string')) {
    return { error: 'not a journal record (s, o)' };
  }
  const ops: TextOp[] = [];
  for (const [c, k, v] of rec.o) {
    try {
      ops.push([c, k, v === null ? undefined : reserialise(v)]);
    } catch (e) {
      return { error: `the value of ${c}/${k} cannot be kept (${(e as Error).message})` };
    }
  }
  return { seq: rec.s, ops, format };
}

// ---- snapshots ---------------------------------------------------------------------------------------------

export const SNAPSHOT3_HEADER = (seq: number) => `{"format":3,"seq":${seq}}\n`;
export const snapshot3Collection = (name: string) => `\t${JSON.stringify(name)}\n`;
/** A record's line up to its value: the key and the tab. */
export const snapshot3RecordHead = (key: string) => `${JSON.stringify(key)}\t`;
export const snapshot3Trailer = (records: number, crc: number) => `{"records":${records},"crc32":"${hex8(crc)}"}\n`;

// ---- journal.mark ------------------------------------------------------------------------------------------

export const MARK_BYTES = 256;

export interface Mark {
  seq: number;
  journal: string;
  fsync: boolean;
}

export function encodeMark(m: Mark): Buffer {
  const json = JSON.stringify({ seq: m.seq, journal: m.journal, fsync: m.fsync });
  const line = `${hex8(crc32(json))} ${json}`;
  const buf = Buffer.alloc(MARK_BYTES, 0x20);
  buf.write(line, 'utf8');
  buf[MARK_BYTES - 1] = 0x0a;
  return buf;
}

export function decodeMark(text: string): Mark | { error: string } {
  const line = text.replace(/\s+$/, '');
  const m = /^([0-9a-f]{8}) (\{.*\})$/.exec(line);
  if (!m) return { error: text.length === 0 ? 'it is empty' : 'it is not a journal mark' };
  if (hex8(crc32(m[2])) !== m[1]) return { error: `checksum mismatch (crc32 ${m[1]}, content has ${hex8(crc32(m[2]))})` };
  try {
    const v = JSON.parse(m[2]);
    if (Number.isSafeInteger(v.seq) && v.seq >= 0 && typeof v.journal === 'string' && typeof v.fsync === 'boolean') return v as Mark;
  } catch {
    /* below */
  }
  return { error: 'it is not a journal mark' };
}

// ---- reading lines -----------------------------------------------------------------------------------------

/**
 * Called with each line: its bytes are buf[start, end) (valid only during the call; a LF at buf[end] when
 * terminated, which only the file's last line may not be), offset is where it starts in the file.
 */
export type LineFn = (buf: Buffer, start: number, end: number, offset: number, terminated: boolean) => boolean | void;

const CHUNK = 1 << 20;

/**
 * The read buffer of forEachLine(Async): hands out the whole lines it holds and keeps the partial last line at
 * its front for the next read (a longer line than the buffer doubles it).
 */
class LineBuffer {
  buf = Buffer.allocUnsafe(CHUNK);
  /** First byte of the current line in buf. */
  start = 0;
  /** Bytes of buf filled. */
  end = 0;
  /** File offset of buf[0]. */
  fileOffset = 0;

  /** Calls fn for every whole line held, then makes room for the next read; false when fn stopped. */
  drain(fn: LineFn): boolean {
    const buf = this.buf;
    const view = buf.subarray(0, this.end);
    for (let nl = view.indexOf(0x0a, this.start); nl >= 0; nl = view.indexOf(0x0a, this.start)) {
      if (fn(buf, this.start, nl, this.fileOffset + this.start, true) === false) return false;
      this.start = nl + 1;
    }
    if (this.start > 0) {
      buf.copy(buf, 0, this.start, this.end);
      this.fileOffset += this.start;
      this.end -= this.start;
      this.start = 0;
    }
    if (this.end === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, this.end);
      this.buf = bigger;
    }
    return true;
  }

  /** After a read of n bytes; at the end of the file (n = 0) fn gets the unterminated last line, if any, and false comes back. */
  filled(n: number, fn: LineFn): boolean {
    if (n === 0) {
      if (this.end > 0) fn(this.buf, 0, this.end, this.fileOffset, false);
      return false;
    }
    this.end += n;
    return true;
  }
}

/**
 * Calls fn for each line of a file, reading it in 1 MB chunks (a longer line is assembled as needed). fn
 * returns false to stop. An empty file has no lines; a file ending with LF has no unterminated last line.
 */
export function forEachLine(file: string, fn: LineFn): void {
  const fd = openSync(file, 'r');
  try {
    const lines = new LineBuffer();
    for (;;) {
      if (!lines.drain(fn)) return;
      if (!lines.filled(readSync(fd, lines.buf, lines.end, lines.buf.length - lines.end, null), fn)) return;
    }
  } finally {
    closeSync(fd);
  }
}

/** The file's last line when it ends with a LF (undefined when empty or when its last line is unterminated). */
export function lastLine(file: string): Buffer | undefined {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return undefined;
    const one = Buffer.alloc(1);
    readSync(fd, one, 0, 1, size - 1);
    if (one[0] !== 0x0a) return undefined;
    // read backwards in growing windows until the LF before the last one is in view
    for (let want = 4096; ; want *= 4) {
      const from = Math.max(0, size - 1 - want);
      const buf = Buffer.allocUnsafe(size - 1 - from);
      readSync(fd, buf, 0, buf.length, from);
      const lf = buf.lastIndexOf(0x0a);
      if (lf >= 0) return buf.subarray(lf + 1);
      if (from === 0) return buf;
    }
  } finally {
    closeSync(fd);
  }
}

/** forEachLine without holding the event loop: the file is read in 1 MB chunks with a yield between them. */
export async function forEachLineAsync(file: string, fn: LineFn): Promise<void> {
  const fh = await fsp.open(file, 'r');
  try {
    const lines = new LineBuffer();
    for (;;) {
      if (!lines.drain(fn)) return;
      const { bytesRead } = await fh.read(lines.buf, lines.end, lines.buf.length - lines.end, null);
      if (!lines.filled(bytesRead, fn)) return;
    }
  } finally {
    await fh.close();
  }
}

/**
 * forEachLine for readers that keep what they read: each 1 MB region of complete lines is decoded to one
 * string, and a line is [start, end) of it, so the keys and values a reader slices from it are views of that
 * one string (no copy, nothing for the young generation to move) instead of two new strings per line.
 * `byteStart` is where the line's bytes start in `bytes` (the region's bytes), for checksums.
 */
export type TextLineFn = (text: string, start: number, end: number, bytes: Buffer, byteStart: number, byteEnd: number, fileOffset: number) => boolean | void;

const REGION = 1 << 20;

/**
 * Returns the offset and length of an unterminated last line, if the file ends with one. `onRegion` gets each
 * region's bytes once its lines are done (a checksum over the whole file costs one call per region). Between
 * regions the event loop runs (a 100 MB snapshot is read while the command line answers the cloud metadata).
 */
export async function forEachTextLine(file: string, fn: TextLineFn, onRegion?: (bytes: Buffer) => void): Promise<{ offset: number; length: number } | undefined> {
  const fd = openSync(file, 'r');
  try {
    let buf = Buffer.allocUnsafe(REGION);
    let end = 0; // bytes of buf filled
    let fileOffset = 0; // file offset of buf[0]
    for (;;) {
      const n = readSync(fd, buf, end, buf.length - end, null);
      end += n;
      const view = buf.subarray(0, end);
      const lastNl = view.lastIndexOf(0x0a);
      if (lastNl < 0) {
        if (n === 0) return end > 0 ? { offset: fileOffset, length: end } : undefined;
        if (end === buf.length) {
          const bigger = Buffer.allocUnsafe(buf.length * 2);
          buf.copy(bigger, 0, 0, end);
          buf = bigger;
        }
        continue;
      }
      const region = view.subarray(0, lastNl + 1);
      const text = region.toString('utf8');
      const ascii = text.length === region.length;
      let byte = 0;
      for (let pos = 0; pos < text.length;) {
        const nl = text.indexOf('\n', pos);
        const byteEnd = ascii ? nl : byte + Buffer.byteLength(text.slice(pos, nl));
        if (fn(text, pos, nl, region, ascii ? pos : byte, byteEnd, fileOffset + (ascii ? pos : byte)) === false) return undefined;
        byte = byteEnd + 1;
        pos = nl + 1;
      }
      onRegion?.(region);
      // keep the partial line at the front (the region's text is a copy already), read on
      buf.copy(buf, 0, lastNl + 1, end);
      fileOffset += lastNl + 1;
      end -= lastNl + 1;
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    closeSync(fd);
  }
}
