// api-version order and the nearest modelled version. Pure, no imports (the front door uses it too).

/** Sortable: the date, then stable before a preview of the same date. */
export function versionKey(v: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})(.*)$/.exec(v);
  if (!m) return '';
  return `${m[1]}${m[2] ? '0' : '1'}${m[2].toLowerCase()}`;
}

/** Newest first, without duplicates (case-insensitive). */
export function mergeVersions(...lists: string[][]): string[] {
  const seen = new Map<string, string>();
  for (const l of lists) for (const v of l) if (!seen.has(v.toLowerCase())) seen.set(v.toLowerCase(), v);
  return [...seen.values()].sort((a, b) => (versionKey(a) < versionKey(b) ? 1 : versionKey(a) > versionKey(b) ? -1 : 0));
}

/**
 * The modelled api-version nearest to one asked for: the newest modelled one not newer than it (a newer api-version
 * keeps what older ones had), else the oldest modelled one.
 */
export function nearestVersion(modelled: string[], asked: string): string {
  const k = versionKey(asked);
  const sorted = mergeVersions(modelled);
  return sorted.find((v) => versionKey(v) <= k) ?? sorted[sorted.length - 1];
}
