// Lists with $top / $skipToken and an absolute nextLink, as ARM pages them.

import { Errors } from '../arm/errors.js';
import type { RequestContext } from './types.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export function pageOf<T>(ctx: RequestContext, items: T[], shape: (t: T) => unknown, sortKey: (t: T) => string = (t: any) => (t.resource?.id ?? t.id ?? '').toLowerCase()): { status: number; body: unknown } {
  const sorted = [...items].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
  const { offset, size } = pageWindow(ctx);
  const page = sorted.slice(offset, offset + size);
  const body: { value: unknown[]; nextLink?: string } = { value: page.map(shape) };
  if (offset + size < sorted.length) body.nextLink = nextLink(ctx, offset + size, size);
  return { status: 200, body };
}

export function pageWindow(ctx: RequestContext): { offset: number; size: number } {
  let size = DEFAULT_PAGE_SIZE;
  const top = ctx.query.$top ?? ctx.query['%24top'];
  if (top !== undefined) {
    const n = Number(top);
    if (!Number.isInteger(n) || n < 1) throw Errors.invalid('InvalidTopInQueryString', `The value '${top}' of the $top query parameter is invalid: it must be a positive integer.`);
    size = Math.min(n, MAX_PAGE_SIZE);
  }
  let offset = 0;
  const token = ctx.query.$skipToken ?? ctx.query.$skiptoken;
  if (token !== undefined) {
    try {
      const o = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
      if (!Number.isInteger(o.o) || o.o < 0) throw new Error('bad');
      offset = o.o;
    } catch {
      throw Errors.invalid('InvalidSkipToken', `The $skipToken '${token}' is invalid.`);
    }
  }
  return { offset, size };
}

function nextLink(ctx: RequestContext, offset: number, size: number): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(ctx.query)) {
    if (k.toLowerCase() === '$skiptoken' || k === '$top') continue;
    q.set(k, v);
  }
  q.set('$top', String(size));
  q.set('$skipToken', Buffer.from(JSON.stringify({ o: offset })).toString('base64url'));
  return `${ctx.baseUrl}${ctx.path.id}?${q.toString()}`;
}
