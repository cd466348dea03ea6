// Date and time helpers for utcNow/dateTimeAdd/dateTimeFromEpoch/dateTimeToEpoch: .NET format strings
// (standard u o s d D t T g G r and custom yyyy MM dd HH mm ss fff tt K ...), ISO 8601 durations
// (P1Y2M3DT4H5M6S, negative with a leading '-'), and parsing of the date strings ARM accepts. All UTC.

import { ExprErrors } from './errors.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const STANDARD: Record<string, string> = {
  d: 'M/d/yyyy',
  D: 'dddd, MMMM d, yyyy',
  f: 'dddd, MMMM d, yyyy h:mm tt',
  F: 'dddd, MMMM d, yyyy h:mm:ss tt',
  g: 'M/d/yyyy h:mm tt',
  G: 'M/d/yyyy h:mm:ss tt',
  m: 'MMMM d',
  M: 'MMMM d',
  o: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  O: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  r: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  R: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  s: "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
  t: 'h:mm tt',
  T: 'h:mm:ss tt',
  u: "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
  U: 'dddd, MMMM d, yyyy h:mm:ss tt',
  y: 'MMMM yyyy',
  Y: 'MMMM yyyy',
};

export const DEFAULT_UTCNOW_FORMAT = 'yyyyMMddTHHmmssZ';

/** Formats a UTC date with a .NET standard or custom format string; `ticks` adds sub-millisecond digits. */
export function formatDate(d: Date, format: string): string {
  const f = format.length === 1 ? (STANDARD[format] ?? format) : format;
  let out = '';
  let i = 0;
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  while (i < f.length) {
    const c = f[i];
    if (c === "'" || c === '"') {
      const end = f.indexOf(c, i + 1);
      out += f.slice(i + 1, end < 0 ? f.length : end);
      i = end < 0 ? f.length : end + 1;
      continue;
    }
    if (c === '\\') {
      out += f[i + 1] ?? '';
      i += 2;
      continue;
    }
    let n = 1;
    while (f[i + n] === c) n++;
    const h = d.getUTCHours();
    switch (c) {
      case 'y':
        out += n === 2 ? pad(d.getUTCFullYear() % 100, 2) : n === 1 ? String(d.getUTCFullYear() % 100) : pad(d.getUTCFullYear(), n);
        break;
      case 'M':
        out += n >= 4 ? MONTHS[d.getUTCMonth()] : n === 3 ? MONTHS[d.getUTCMonth()].slice(0, 3) : pad(d.getUTCMonth() + 1, n);
        break;
      case 'd':
        out += n >= 4 ? DAYS[d.getUTCDay()] : n === 3 ? DAYS[d.getUTCDay()].slice(0, 3) : pad(d.getUTCDate(), n);
        break;
      case 'H':
        out += pad(h, n);
        break;
      case 'h':
        out += pad(h % 12 === 0 ? 12 : h % 12, n);
        break;
      case 'm':
        out += pad(d.getUTCMinutes(), n);
        break;
      case 's':
        out += pad(d.getUTCSeconds(), n);
        break;
      case 'f':
      case 'F': {
        const digits = pad(d.getUTCMilliseconds(), 3).padEnd(7, '0').slice(0, n);
        out += c === 'F' ? digits.replace(/0+$/, '') : digits;
        break;
      }
      case 't':
        out += (h < 12 ? 'AM' : 'PM').slice(0, n >= 2 ? 2 : 1);
        break;
      case 'K':
        out += 'Z';
        break;
      case 'z':
        out += n >= 3 ? '+00:00' : n === 2 ? '+00' : '+0';
        break;
      default:
        out += c.repeat(n);
    }
    i += n;
  }
  return out;
}

/** Parses the date forms templates use: ISO 8601 (with or without separators), 'u', and M/d/yyyy h:mm:ss tt. */
export function parseDate(s: string): Date {
  let m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (m) return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))? ?(AM|PM)?)?$/i.exec(s);
  if (m) {
    let h = +(m[4] ?? 0);
    if (m[7]) h = (h % 12) + (m[7].toUpperCase() === 'PM' ? 12 : 0);
    return new Date(Date.UTC(+m[3], +m[1] - 1, +m[2], h, +(m[5] ?? 0), +(m[6] ?? 0)));
  }
  const iso = s.replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}/.test(iso)) {
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(iso);
    const d = new Date(hasZone || !iso.includes('T') ? iso : iso + 'Z');
    if (!isNaN(d.getTime())) return d;
  }
  throw ExprErrors.generic(`The string '${s}' was not recognized as a valid DateTime.`);
}

/** Adds an ISO 8601 duration (`P3Y`, `-P9D`, `PT1H30M`, `P1W`). */
export function addDuration(d: Date, duration: string): Date {
  const m = /^(-)?P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(duration);
  if (!m || duration === 'P' || duration.endsWith('T')) {
    throw ExprErrors.generic(`The duration '${duration}' is not a valid ISO 8601 duration.`);
  }
  const sign = m[1] ? -1 : 1;
  const r = new Date(d.getTime());
  const num = (x?: string) => (x ? Number(x) * sign : 0);
  if (m[2]) r.setUTCFullYear(r.getUTCFullYear() + num(m[2]));
  if (m[3]) r.setUTCMonth(r.getUTCMonth() + num(m[3]));
  const ms = (num(m[4]) * 7 + num(m[5])) * 86400000 + num(m[6]) * 3600000 + num(m[7]) * 60000 + num(m[8]) * 1000;
  return new Date(r.getTime() + ms);
}

/** Picks the output format dateTimeAdd uses when none is given: that of its base value. */
export function formatOf(s: string): string {
  if (/^\d{8}T\d{6}Z$/.test(s)) return DEFAULT_UTCNOW_FORMAT;
  // A 'u'-style value is read as a date token and printed in the general form, as in the docs' example.
  if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/.test(s)) return 'G';
  if (/^\d{1,2}\/\d{1,2}\/\d{4}/.test(s)) return 'G';
  const frac = /\.(\d+)/.exec(s);
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return 'yyyy-MM-dd';
  return frac ? `yyyy-MM-ddTHH:mm:ss.${'f'.repeat(frac[1].length)}Z` : 'yyyy-MM-ddTHH:mm:ssZ';
}
