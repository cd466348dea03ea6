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
  // A text shorter than twice the limit cannot be nested deeper than it, nor one with fewer opening brackets.
  if (text.length > 2 * MAX_VALUE_DEPTH && moreBracketsThan(text, MAX_VALUE_DEPTH) && depthOf(text) > MAX_VALUE_DEPTH) {
    throw new StoreValueError(`${what} cannot be stored: it is nested more than ${MAX_VALUE_DEPTH} levels deep`);
  }
  return flat(text);
}

/**
 * The same text as one flat string of its own. JSON.stringify returns a tree of pieces (V8 builds its result in
 * parts of 32, 64, 128... characters joined by cons strings), and a slice keeps the whole string it was cut from:
 * kept as they are, a stored 0.7 KB text costs 4 cons cells and 5 piece headers more (about 200 bytes) for as long
 * as it is stored. Joining two parts makes V8 copy them into one new string (measured with %DebugPrint on Node
 * 22: a one-part join, Number() or a regular expression leave the tree).
 */
export function flat(text: string): string {
  return text.length < 2 ? text : joined(text.charAt(0), text.slice(1));
}
function joined(a: string, b: string): string {
  return [a, b].join('');
}

/**
 * Whether a JSON text has more than `n` opening brackets ('{' and '[', strings included): a bound on its depth found
 * with indexOf (native, a tenth of depthOf's time on a 2 KB text, which was as much as JSON.stringify's), so that
 * only a text that could be too deep is walked character by character.
 */
function moreBracketsThan(text: string, n: number): boolean {
  for (const c of ['{', '[']) for (let i = text.indexOf(c); i >= 0; i = text.indexOf(c, i + 1)) if (--n < 0) return true;
  return false;
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

/**
 * The shared heads of stored texts. A resource's text starts with the same long run as its siblings' (the
 * repository's index fields, then the id up to its last '/': about 190 characters for a resource group, a
 * quarter of its text), so a text is kept as a reference to its head plus the rest: "\0", the head's number in
 * two characters (0-255 each: the stored form stays one byte per character), then the text after the head. No
 * JSON text starts with "\0" (JSON.stringify escapes every control character), so a text kept whole is told apart.
 * Heads are counted, and a number is free again when the last text using it goes.
 */
class Heads {
  private readonly byText = new Map<string, number>();
  private readonly texts: (string | undefined)[] = [];
  private readonly uses: number[] = [];
  private readonly free: number[] = [];
  static readonly MAX = 0x10000;

  /** The number of `head`, one use more (undefined when every number is taken). */
  acquire(head: string): number | undefined {
    let n = this.byText.get(head);
    if (n === undefined) {
      n = this.free.pop() ?? (this.texts.length < Heads.MAX ? this.texts.length : undefined);
      if (n === undefined) return undefined;
      // a copy of its own: `head` is a slice of the text it was cut from, which it would keep alive
      const own = JSON.parse(JSON.stringify(head)) as string;
      this.byText.set(own, n);
      this.texts[n] = own;
      this.uses[n] = 0;
    }
    this.uses[n]++;
    return n;
  }
  release(n: number): void {
    if (--this.uses[n] > 0) return;
    this.byText.delete(this.texts[n]!);
    this.texts[n] = undefined;
    this.free.push(n);
  }
  text(n: number): string {
    return this.texts[n]!;
  }
  /** Heads in use (tests). */
  get size(): number {
    return this.byText.size;
  }
  clear(): void {
    this.byText.clear();
    this.texts.length = 0;
    this.uses.length = 0;
    this.free.length = 0;
  }
}

/** A head shorter than this is not worth its entry. */
const MIN_HEAD = 32;
/** Where a text's head may end: within the id's string, found near the start. */
const ID = '"id":"';
const ID_WITHIN = 1024;

/** The number of the head a stored form refers to, or -1 for a text kept whole. */
function headOf(stored: string): number {
  return stored.charCodeAt(0) === 0 ? (stored.charCodeAt(1) << 8) | stored.charCodeAt(2) : -1;
}

// Tokens in the rest of a stored form (after its head). Every resource's text carries runs the same in thousands
// of records: systemData's who made and last changed it (twice ~100 characters: "createdBy":"<principal>",
// "createdByType":"<type>","createdAt":"), its type and location, its provisioning state, and its name (the id's
// last segment again); and two ISO times of 24 characters each. A resource group's rest was 520 characters, 350
// of them those runs. A run is kept as a control character and a few bytes (no JSON text holds a control
// character below TAB raw, and a text that does is kept whole), rendered back on read to the very same characters.
/** + 2 characters: the number of a shared piece (a "who" run up to the time's opening quote, a type and location, a state). */
const PIECE = 1;
/** + 6 characters: milliseconds since 1970, rendered as Date.prototype.toISOString() gives them. */
const TIME = 2;
/** No more characters: `","name":"` and the rest's first run again (the text from the head to this token). */
const NAME = 3;
const NAME_RUN = '","name":"';
/** A control character no JSON text holds raw (TAB, LF, CR and the rest stay possible: JSON's whitespace). */
// eslint-disable-next-line no-control-regex -- the stored form's tokens are these control characters on purpose
const CONTROL = /[\x00-\x08]/;
/**
 * systemData's "who" run (optional) and an ISO time as toISOString() writes it; a type and location; a
 * provisioning state. Any substitution is lossless (the text is rendered back character for character), so
 * these only have to be common, not to be what they look like.
 */
const TOKENS =
  /("(created|lastModified)By":"[^"\\]{0,256}","\2ByType":"[^"\\]{0,64}","\2At":")?(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)|"type":"[^"\\]{1,256}","location":"[^"\\]{0,64}"|"provisioningState":"[^"\\]{1,64}"/g;
const TWO_24 = 0x1000000;

/** The 6 characters of a time token for an ISO time, or undefined when rendering it would not give it back. */
function timeChars(iso: string): string | undefined {
  const ms = Date.parse(iso);
  if (!(ms >= 0 && ms < TWO_24 * TWO_24) || new Date(ms).toISOString() !== iso) return undefined;
  const hi = Math.floor(ms / TWO_24);
  const lo = ms % TWO_24;
  return String.fromCharCode(TIME, hi >> 16, (hi >> 8) & 0xff, hi & 0xff, lo >> 16, (lo >> 8) & 0xff, lo & 0xff);
}
/** The ISO time a time token at `i` stands for. */
function timeAt(s: string, i: number): string {
  const hi = (s.charCodeAt(i + 1) << 16) | (s.charCodeAt(i + 2) << 8) | s.charCodeAt(i + 3);
  const lo = (s.charCodeAt(i + 4) << 16) | (s.charCodeAt(i + 5) << 8) | s.charCodeAt(i + 6);
  return isoTime(hi * TWO_24 + lo);
}

/**
 * `new Date(ms).toISOString()` for 0 <= ms < 2^48, from tables: a read renders two times per resource, and
 * toISOString took ~2 us each on the loaded machine (a $filter over 100,000 groups renders 200,000).
 */
function isoTime(ms: number): string {
  if (clock.millis.length === 0) fillClock();
  const day = Math.floor(ms / DAY_MS);
  if (day !== clock.day) {
    clock.day = day;
    clock.date = new Date(day * DAY_MS).toISOString().slice(0, 11); // YYYY-MM-DDT
  }
  let rest = ms - day * DAY_MS;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  return clock.date + clock.minutes[minute] + clock.seconds[second] + clock.millis[rest - second * 1000];
}
const DAY_MS = 86_400_000;
const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** The day last rendered and the tables of the time of day ("HH:MM:", "SS.", "mmmZ"), made on first use. */
const clock = { day: -1, date: '', minutes: [] as string[], seconds: [] as string[], millis: [] as string[] };
function fillClock(): void {
  clock.minutes = Array.from({ length: 1440 }, (_, m) => `${pad(Math.floor(m / 60), 2)}:${pad(m % 60, 2)}:`);
  clock.seconds = Array.from({ length: 60 }, (_, s) => `${pad(s, 2)}.`);
  clock.millis = Array.from({ length: 1000 }, (_, ms) => `${pad(ms, 3)}Z`);
}

/**
 * The tokens of a stored form, in order: where the next one is (-1: none) from a position on. The text between
 * tokens has no control character, but a token's own bytes may be any value, so each kind's next place is looked
 * for again once the walk has passed it (indexOf is native: faster than a loop over the characters).
 */
class TokenWalk {
  private next = [-1, -1, -1, -1];
  constructor(private readonly s: string) {}
  from(pos: number): number {
    let best = -1;
    for (let kind = PIECE; kind <= NAME; kind++) {
      let at = this.next[kind];
      if (at < pos && at !== -2) this.next[kind] = at = this.s.indexOf(TOKEN_CHARS[kind], pos);
      if (at < 0)
        this.next[kind] = -2; // none left: not looked for again
      else if (best < 0 || at < best) best = at;
    }
    return best;
  }
}
const TOKEN_CHARS = ['\x00', '\x01', '\x02', '\x03'];
/** The piece number of a PIECE token at `i`. */
const pieceAt = (s: string, i: number) => (s.charCodeAt(i + 1) << 8) | s.charCodeAt(i + 2);
/** Characters a token at `i` takes. */
const tokenLength = (s: string, i: number) => (s.charCodeAt(i) === PIECE ? 3 : s.charCodeAt(i) === TIME ? 7 : 1);

/** Collections of key -> JSON text (kept as a shared head plus the rest where a text has one: see Heads). */
export class MemoryTable {
  private readonly data = new Map<string, Map<string, string>>();
  private readonly heads = new Heads();
  /** Runs shared by many texts (PIECE tokens): a handful of principals, types and locations, states. */
  private readonly pieces = new Heads();
  private static readonly EMPTY: ReadonlyMap<string, string> = new Map();

  private coll(name: string): ReadonlyMap<string, string> {
    return this.data.get(name) ?? MemoryTable.EMPTY;
  }

  /** The text a stored form holds (its head, the rest with its tokens rendered). */
  private decode(stored: string): string {
    const n = headOf(stored);
    if (n < 0) return stored;
    let out = this.heads.text(n);
    let pos = 3;
    const walk = new TokenWalk(stored);
    for (let i = walk.from(3); i >= 0; i = walk.from(pos)) {
      if (i > pos) out += stored.slice(pos, i);
      const c = stored.charCodeAt(i);
      if (c === PIECE) out += this.pieces.text(pieceAt(stored, i));
      else if (c === TIME) out += timeAt(stored, i);
      else out += NAME_RUN + stored.slice(3, i);
      pos = i + tokenLength(stored, i);
    }
    return pos < stored.length ? out + stored.slice(pos) : out;
  }

  /** The parts a stored form holds, to be written one after the other (nothing joined). */
  private partsOf(stored: string): string[] {
    const n = headOf(stored);
    if (n < 0) return ['', stored];
    const parts = [this.heads.text(n)];
    let pos = 3;
    const walk = new TokenWalk(stored);
    for (let i = walk.from(3); i >= 0; i = walk.from(pos)) {
      if (i > pos) parts.push(stored.slice(pos, i));
      const c = stored.charCodeAt(i);
      if (c === PIECE) parts.push(this.pieces.text(pieceAt(stored, i)));
      else if (c === TIME) parts.push(timeAt(stored, i));
      else parts.push(NAME_RUN, stored.slice(3, i));
      pos = i + tokenLength(stored, i);
    }
    if (pos < stored.length || parts.length === 1) parts.push(stored.slice(pos));
    return parts;
  }

  /**
   * The stored form of `text`: its head (the text up to the last '/' of its first "id" string) shared and the
   * rest with its systemData runs and times as tokens, or the text itself. Any cut gives the text back; this
   * one is where siblings' texts part.
   */
  private encode(text: string): string {
    // looked for near the start only (a slice is a view: nothing copied), not through a large text without one
    const i = text.length > ID_WITHIN ? text.slice(0, ID_WITHIN).indexOf(ID) : text.indexOf(ID);
    if (i < 0) return flat(text);
    const end = text.indexOf('"', i + ID.length);
    const cut = text.lastIndexOf('/', end < 0 ? i + ID.length + 256 : end) + 1;
    if (cut < MIN_HEAD || cut <= i + ID.length || CONTROL.test(text)) return flat(text);
    const n = this.heads.acquire(text.slice(0, cut));
    if (n === undefined) return flat(text);
    // the name, when it is the id's last segment again (the rest's first run, up to its first quote)
    const q = text.indexOf('"', cut);
    const seg = q - cut;
    let named = '';
    let from = cut;
    if (seg > 0 && text.startsWith(NAME_RUN, q) && text.startsWith(text.slice(cut, q), q + NAME_RUN.length) && text.charCodeAt(q + NAME_RUN.length + seg) === 34) {
      named = text.slice(cut, q) + String.fromCharCode(NAME);
      from = q + NAME_RUN.length + seg;
    }
    return joined(String.fromCharCode(0, n >> 8, n & 0xff) + named, this.tokens(text.slice(from)));
  }

  /** `rest` with its runs and ISO times as tokens (each piece counted once more for each use). */
  private tokens(rest: string): string {
    return rest.replace(TOKENS, (all: string, who: string | undefined, _field: string | undefined, iso: string | undefined) => {
      if (iso === undefined) return this.piece(all) ?? all;
      const time = timeChars(iso);
      if (time === undefined) return all;
      if (who === undefined) return time;
      return (this.piece(who) ?? who) + time;
    });
  }
  /** A PIECE token for `run` (undefined when every piece number is taken). */
  private piece(run: string): string | undefined {
    const p = this.pieces.acquire(run);
    return p === undefined ? undefined : String.fromCharCode(PIECE, p >> 8, p & 0xff);
  }

  private forget(stored: string | undefined): void {
    if (stored === undefined) return;
    const n = headOf(stored);
    if (n < 0) return;
    this.heads.release(n);
    const walk = new TokenWalk(stored);
    for (let i = walk.from(3); i >= 0; i = walk.from(i + tokenLength(stored, i))) {
      if (stored.charCodeAt(i) === PIECE) this.pieces.release(pieceAt(stored, i));
    }
  }

  get<T>(collection: string, key: string): T | undefined {
    const t = this.data.get(collection)?.get(key);
    return t === undefined ? undefined : (JSON.parse(this.decode(t)) as T);
  }
  /** The stored JSON text, unparsed. */
  text(collection: string, key: string): string | undefined {
    const t = this.data.get(collection)?.get(key);
    return t === undefined ? undefined : this.decode(t);
  }
  /**
   * The stored JSON text in parts to be written one after the other (a shared head, then the rest's runs and
   * its tokens rendered; or '' and the text): for a writer that copies texts out, so nothing is joined for it.
   */
  textParts(collection: string, key: string): string[] | undefined {
    const t = this.data.get(collection)?.get(key);
    return t === undefined ? undefined : this.partsOf(t);
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
  *texts(collection: string): IterableIterator<[string, string]> {
    for (const [k, t] of this.coll(collection)) yield [k, this.decode(t)];
  }
  *values<T>(collection: string): IterableIterator<T> {
    for (const t of this.coll(collection).values()) yield JSON.parse(this.decode(t)) as T;
  }
  *entries<T>(collection: string): IterableIterator<[string, T]> {
    for (const [k, t] of this.coll(collection)) yield [k, JSON.parse(this.decode(t)) as T];
  }
  collections(): IterableIterator<string> {
    return this.data.keys();
  }
  /** Shared heads in use (tests). */
  get headCount(): number {
    return this.heads.size;
  }

  /** Sets (text) or deletes (undefined) one key. */
  set(collection: string, key: string, text: string | undefined): void {
    let m = this.data.get(collection);
    if (text === undefined) {
      if (m) {
        this.forget(m.get(key));
        m.delete(key);
      }
      return;
    }
    if (!m) this.data.set(collection, (m = new Map()));
    const stored = this.encode(text);
    this.forget(m.get(key));
    m.set(key, stored);
  }

  /**
   * Fills a collection from a loader, texts kept whole (a restart's texts are views of the snapshot it read:
   * cutting them would copy every one). Only into an empty table (after clear(), or before anything was set).
   */
  collection(name: string): { set(key: string, text: string): void } {
    let m = this.data.get(name);
    if (!m) this.data.set(name, (m = new Map()));
    const into = m;
    return {
      set: (key: string, text: string) => {
        this.forget(into.get(key));
        into.set(key, text);
      },
    };
  }

  clear(): void {
    this.data.clear();
    this.heads.clear();
    this.pieces.clear();
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
  textParts(collection: string, key: string): string[] | undefined {
    return this.table.textParts(collection, key);
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
