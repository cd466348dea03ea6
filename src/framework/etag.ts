// The one ETag helper: every stored resource gets a new opaque, quoted ETag on each write.

import { randomUUID } from 'node:crypto';

export function newEtag(): string {
  return `"${randomUUID()}"`;
}

/** The ETag without quotes or a weak prefix, for comparing and for api-versions that show it bare. */
export function bareEtag(e: string): string {
  return e.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
}

/** If-Match semantics: '*' matches anything that exists; otherwise any listed ETag equal to the current one. */
export function etagMatches(header: string, current: string | undefined): boolean {
  if (header.trim() === '*') return current !== undefined;
  return header.split(',').some((e) => current !== undefined && bareEtag(e) === bareEtag(current));
}
