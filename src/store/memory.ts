// The in-memory table a store reads from: every value kept once, as the JSON text the journal and the
// snapshot hold (one serialised form: no object graph per record, no second copy), parsed on each read.
// A read therefore returns a fresh copy the caller owns; mutating it changes nothing stored.
//
// Why text and not objects: a stored resource group is about 0.7 KB as text and 5 KB as a parsed object graph
// with its per-object headers and hidden classes; a restart only has to cut the snapshot into texts, never
// parse or re-validate a record; and a snapshot is written by concatenating texts, never by re-serialising
// (which is where a too-deep value used to crash start-up).

/** A value the store cannot keep: it does not serialise to JSON, or it is nested too deeply to be read back safely. */
export class StoreValueError extends Error {}

/** Deeper values are refused: deep enough for any resource, shallow enough that every reader's recursion is safe. */
export const MAX_VALUE_DEPTH = 512;

/**
 * The JSON text of a value, or StoreValueError when it has none a reader could use: not serialisable (a
 * cycle, a BigInt, too deep for JSON.stringify's stack) or nested deeper than MAX_VALUE_DEPTH.
 */
export function serialise(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    const msg = (e as Error).message;
    throw new StoreValueError(`${what} cannot be stored: ${/call stack/i.test(msg) ? 'it is nested too deeply' : msg}`);
  }
  if (text === undefined) throw new StoreValueError(`${what} cannot be stored: it is not a JSON value`);
  // A text shorter than twice the limit cannot be nested deeper than it.
  if (text.length > 2 * MAX_VALUE_DEPTH && depthOf(text) > MAX_VALUE_DEPTH) {
    throw new StoreValueError(`${what} cannot be stored: it is nested more than ${MAX_VALUE_DEPTH} levels deep`);
  }
  return text;
}

/** Deepest nesting of arrays and objects in a JSON text (strings skipped). */
export function depthOf(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i++;
        else if (d === 34) break;
      }
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > max) max = depth;
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return max;
}

/** Collections of key -> JSON text. */
export class MemoryTable {
  private readonly data = new Map<string, Map<string, string>>();
  private static readonly EMPTY: ReadonlyMap<string, string> = new Map();

  private coll(name: string): ReadonlyMap<string, string> {
    return this.data.get(name) ?? MemoryTable.EMPTY;
  }

  get<T>(collection: string, key: string): T | undefined {
    const t = this.data.get(collection)?.get(key);
    return t === undefined ? undefined : (JSON.parse(t) as T);
  }
  /** The stored JSON text, unparsed. */
  text(collection: string, key: string): string | undefined {
    return this.data.get(collection)?.get(key);
  }
  has(collection: string, key: string): boolean {
    return this.data.get(collection)?.has(key) ?? false;
  }
  size(collection: string): number {
    return this.data.get(collection)?.size ?? 0;
  }
  keys(collection: string): IterableIterator<string> {
    return this.coll(collection).keys();
  }
  texts(collection: string): IterableIterator<[string, string]> {
    return this.coll(collection).entries();
  }
  *values<T>(collection: string): IterableIterator<T> {
    for (const t of this.coll(collection).values()) yield JSON.parse(t) as T;
  }
  *entries<T>(collection: string): IterableIterator<[string, T]> {
    for (const [k, t] of this.coll(collection)) yield [k, JSON.parse(t) as T];
  }
  collections(): IterableIterator<string> {
    return this.data.keys();
  }

  /** Sets (text) or deletes (undefined) one key. */
  set(collection: string, key: string, text: string | undefined): void {
    let m = this.data.get(collection);
    if (text === undefined) {
      m?.delete(key);
      return;
    }
    if (!m) this.data.set(collection, (m = new Map()));
    m.set(key, text);
  }

  /** A collection's map itself, created if missing: for a loader that fills it (values must be JSON texts). */
  collection(name: string): Map<string, string> {
    let m = this.data.get(name);
    if (!m) this.data.set(name, (m = new Map()));
    return m;
  }

  clear(): void {
    this.data.clear();
  }
}

/** The reads a store answers from its MemoryTable, the same in the journal store and the PostgreSQL store. */
export abstract class TableReads {
  protected readonly table = new MemoryTable();

  get<T>(collection: string, key: string): T | undefined {
    return this.table.get<T>(collection, key);
  }
  has(collection: string, key: string): boolean {
    return this.table.has(collection, key);
  }
  values<T>(collection: string): IterableIterator<T> {
    return this.table.values<T>(collection);
  }
  entries<T>(collection: string): IterableIterator<[string, T]> {
    return this.table.entries<T>(collection);
  }
  keys(collection: string): IterableIterator<string> {
    return this.table.keys(collection);
  }
  text(collection: string, key: string): string | undefined {
    return this.table.text(collection, key);
  }
  texts(collection: string): IterableIterator<[string, string]> {
    return this.table.texts(collection);
  }
  size(collection: string): number {
    return this.table.size(collection);
  }
  /** The collections held (for resets and snapshots, which cover collections they do not know by name). */
  collections(): IterableIterator<string> {
    return this.table.collections();
  }
}
