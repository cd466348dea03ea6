// A set of strings kept in sorted order, in chunks of a few hundred, so adding or removing one key moves a
// few hundred pointers (not the whole list) and reading a page from any key on touches only that page.
// What lists page from: the first page of 100,000 resource groups is 100 keys, never a sort of 100,000.

const MAX = 1024;

export class SortedKeys {
  private chunks: string[][] = [];
  private count = 0;

  /** Builds from keys in any order (one sort; duplicates dropped). */
  static from(keys: string[]): SortedKeys {
    const s = new SortedKeys();
    keys.sort();
    const half = MAX / 2;
    let chunk: string[] = [];
    for (let i = 0; i < keys.length; i++) {
      if (i > 0 && keys[i] === keys[i - 1]) continue;
      chunk.push(keys[i]);
      s.count++;
      if (chunk.length === half) {
        s.chunks.push(chunk);
        chunk = [];
      }
    }
    if (chunk.length) s.chunks.push(chunk);
    return s;
  }

  /** Builds from keys already in order, without duplicates (not checked). */
  static fromSorted(keys: string[]): SortedKeys {
    const s = new SortedKeys();
    const half = MAX / 2;
    for (let i = 0; i < keys.length; i += half) s.chunks.push(keys.slice(i, i + half));
    s.count = keys.length;
    return s;
  }

  get size(): number {
    return this.count;
  }

  /** Index of the first chunk whose last key is >= k (chunks.length when none). */
  private chunkFor(k: string): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.chunks[mid];
      if (c[c.length - 1] < k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(k: string): boolean {
    if (this.chunks.length === 0) {
      this.chunks.push([k]);
      this.count = 1;
      return true;
    }
    let ci = this.chunkFor(k);
    if (ci === this.chunks.length) ci--; // beyond every key: goes at the end of the last chunk
    const c = this.chunks[ci];
    const at = lowerBound(c, k);
    if (c[at] === k) return false;
    c.splice(at, 0, k);
    this.count++;
    if (c.length > MAX) this.chunks.splice(ci + 1, 0, c.splice(MAX / 2));
    return true;
  }

  delete(k: string): boolean {
    const ci = this.chunkFor(k);
    const c = this.chunks[ci];
    if (!c) return false;
    const at = lowerBound(c, k);
    if (c[at] !== k) return false;
    c.splice(at, 1);
    this.count--;
    if (c.length === 0) this.chunks.splice(ci, 1);
    return true;
  }

  has(k: string): boolean {
    const c = this.chunks[this.chunkFor(k)];
    return c !== undefined && c[lowerBound(c, k)] === k;
  }

  /** Keys in order, starting after `after` (or at `from`, inclusive). Safe against changes while iterating. */
  *iterate(opts: { after?: string; from?: string } = {}): IterableIterator<string> {
    let last: string | undefined = opts.after;
    let inclusive = opts.after === undefined ? opts.from : undefined;
    for (;;) {
      // Re-find the position from the last key returned: the chunks may have changed between two steps.
      const bound = last ?? inclusive;
      let ci = bound === undefined ? 0 : this.chunkFor(bound);
      if (ci >= this.chunks.length) return;
      const c = this.chunks[ci];
      let i = bound === undefined ? 0 : lowerBound(c, bound);
      if (last !== undefined && c[i] === last) i++;
      if (i >= c.length) {
        ci++;
        if (ci >= this.chunks.length) return;
        i = 0;
      }
      const chunk = this.chunks[ci];
      // Yield the rest of this chunk, checking after each step that it has not changed under us.
      const version = chunk;
      for (let j = i; j < chunk.length; j++) {
        last = chunk[j];
        inclusive = undefined;
        yield last;
        if (this.chunks[ci] !== version || chunk[j] !== last) break;
      }
    }
  }

  [Symbol.iterator](): IterableIterator<string> {
    return this.iterate();
  }
}

function lowerBound(a: string[], k: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
