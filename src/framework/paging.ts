// Lists with $top / $skipToken and an absolute nextLink, as ARM pages them. A stored list pages from an
// ordered index (pageOfKeys): its $skipToken is the last key of the page, so a page costs its own size
// whatever is stored, and long scans (a $filter matching little) yield to other requests as they go.

import { Errors } from '../arm/errors.js';
import type { RequestContext } from './types.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** A page of an in-memory list (small lists: they are sorted whole). */
export function pageOf<T>(
  ctx: RequestContext,
  items: T[],
  shape: (t: T) => unknown,
  sortKey: (t: T) => string = (t: any) => (t.resource?.id ?? t.id ?? '').toLowerCase(),
): { status: number; body: unknown } {
  const keyed = items.map((t) => [sortKey(t), t] as const);
  keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const { offset, size, after } = pageWindow(ctx);
  let from = offset;
  if (after !== undefined) {
    from = keyed.findIndex(([k]) => k > after);
    if (from < 0) from = keyed.length;
  }
  const page = keyed.slice(from, from + size);
  const body: { value: unknown[]; nextLink?: string } = { value: page.map(([, t]) => shape(t)) };
  if (from + size < keyed.length) body.nextLink = nextLink(ctx, { o: from + size }, size);
  return { status: 200, body };
}

/** Work between two yields to the event loop while a list scans (ms). */
const SLICE_MS = 10;

/**
 * A page of a stored list, read from an ordered index: keys(after) gives the keys in list order after a key
 * (all when undefined), read(key) the item (undefined: gone meanwhile), keep() an optional filter. Only the
 * page's items are read when nothing is filtered; a filter reads what it must, yielding every few ms.
 */
export async function pageOfKeys<T>(
  ctx: RequestContext,
  keys: (after: string | undefined) => Iterable<string>,
  read: (key: string) => T | undefined,
  shape: (t: T) => unknown,
  keep?: (t: T) => boolean,
): Promise<{ status: number; body: unknown }> {
  const { offset, size, after } = pageWindow(ctx);
  const page: T[] = [];
  let last: string | undefined;
  let more = false;
  let skipped = 0;
  let n = 0;
  let sliceEnd = performance.now() + SLICE_MS;
  for (const k of keys(after)) {
    if (++n % 64 === 0 && performance.now() > sliceEnd) {
      await new Promise((r) => setImmediate(r));
      sliceEnd = performance.now() + SLICE_MS;
    }
    const item = read(k);
    if (item === undefined || (keep && !keep(item))) continue;
    if (skipped < offset) {
      skipped++;
      continue;
    }
    if (page.length === size) {
      more = true;
      break;
    }
    page.push(item);
    last = k;
  }
  const body: { value: unknown[]; nextLink?: string } = { value: page.map(shape) };
  if (more) body.nextLink = nextLink(ctx, { k: last! }, size);
  return { status: 200, body };
}

export function pageWindow(ctx: RequestContext): { offset: number; size: number; after?: string } {
  let size = DEFAULT_PAGE_SIZE;
  const top = ctx.query.$top ?? ctx.query['%24top'];
  if (top !== undefined) {
    const n = Number(top);
    if (!Number.isInteger(n) || n < 1) throw Errors.invalid('InvalidTopInQueryString', `The value '${top}' of the $top query parameter is invalid: it must be a positive integer.`);
    size = Math.min(n, MAX_PAGE_SIZE);
  }
  let offset = 0;
  let after: string | undefined;
  const token = ctx.query.$skipToken ?? ctx.query.$skiptoken;
  if (token !== undefined) {
    try {
      // {"k": the last key of the previous page} or {"o": an offset}
      const o = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
      if (typeof o.k === 'string') after = o.k;
      else if (Number.isInteger(o.o) && o.o >= 0) offset = o.o;
      else throw new Error('bad');
    } catch {
      throw Errors.invalid('InvalidSkipToken', `The $skipToken '${token}' is invalid.`);
    }
  }
  return { offset, size, after };
}

function nextLink(ctx: RequestContext, position: { o: number } | { k: string }, size: number): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(ctx.query)) {
    if (k.toLowerCase() === '$skiptoken' || k === '$top') continue;
    q.set(k, v);
  }
  q.set('$top', String(size));
  q.set('$skipToken', Buffer.from(JSON.stringify(position)).toString('base64url'));
  return `${ctx.baseUrl}${ctx.path.id}?${q.toString()}`;
}
