// String, encoding and date functions: base64 base64ToJson base64ToString dataUri dataUriToString
// endsWith startsWith format guid newGuid padLeft replace split string substring toLower toUpper trim
// uniqueString uri uriComponent uriComponentToString like buildUri parseUri; utcNow dateTimeAdd
// dateTimeFromEpoch dateTimeToEpoch. utcNow/newGuid only in parameter default values, as ARM enforces.

import { randomUUID } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import type { EvalContext } from '../context.js';
import { addDuration, DEFAULT_UTCNOW_FORMAT, formatDate, formatOf, parseDate } from '../datetime.js';
import { dotnetFormat } from '../dotnet-format.js';
import { ExprErrors, ExpressionError } from '../errors.js';
import { checkLength, parseJsonLimited } from '../limits.js';
import { uniqueString } from '../unique-string.js';
import { armType, isObject, toArmString } from '../values.js';
import { expectInt, expectObject, expectString, type Library } from './types.js';

export const GUID_NAMESPACE = '11fb06fb-712d-4ddd-98c7-e71bbd588830';

const strArgs = (args: unknown[], fn: string) => args.map((a) => expectString(a, fn));

function onlyInDefaults(ctx: EvalContext, fn: string) {
  if (ctx.site !== 'parameterDefault') {
    throw ExprErrors.generic(
      `The template function '${fn}' is not expected at this location. The function can only be used with parameter default value. Please see https://aka.ms/arm-template-expressions for usage details.`,
    );
  }
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

export const strings: Library = {
  base64: { min: 1, max: 1, fn: ([s], _c, fn) => b64(expectString(s, fn)) },
  base64tostring: { min: 1, max: 1, fn: ([s], _c, fn) => unb64(expectString(s, fn)) },
  base64tojson: {
    min: 1,
    max: 1,
    fn: ([s], _c, fn) => {
      const text = unb64(expectString(s, fn));
      try {
        return parseJsonLimited(text);
      } catch (e) {
        if (e instanceof ExpressionError) throw e;
        throw ExprErrors.generic(`The template language function '${fn}' expects a base64 encoded JSON value.`);
      }
    },
  },
  datauri: { min: 1, max: 1, fn: ([s], _c, fn) => `data:text/plain;charset=utf8;base64,${b64(toArmString(expectStringish(s, fn)))}` },
  datauritostring: {
    min: 1,
    max: 1,
    fn: ([s], _c, fn) => {
      const m = /^data:([^,]*?)(;base64)?,(.*)$/s.exec(expectString(s, fn));
      if (!m) throw ExprErrors.generic(`The template language function '${fn}' expects a valid data URI. The provided value '${String(s)}' is not valid.`);
      return m[2] ? unb64(m[3]) : decodeURIComponent(m[3]);
    },
  },
  endswith: {
    min: 2,
    max: 2,
    fn: (args, _c, fn) => {
      const [a, b] = strArgs(args, fn);
      return a.toLowerCase().endsWith(b.toLowerCase());
    },
  },
  startswith: {
    min: 2,
    max: 2,
    fn: (args, _c, fn) => {
      const [a, b] = strArgs(args, fn);
      return a.toLowerCase().startsWith(b.toLowerCase());
    },
  },
  format: { min: 1, fn: ([f, ...rest], _c, fn) => dotnetFormat(expectString(f, fn), rest) },
  guid: { min: 1, fn: (args, _c, fn) => uuidv5(strArgs(args, fn).join('-'), GUID_NAMESPACE) },
  newguid: {
    min: 0,
    max: 0,
    fn: (_a, ctx, fn) => {
      onlyInDefaults(ctx, fn);
      return randomUUID();
    },
  },
  padleft: {
    min: 2,
    max: 3,
    fn: ([v, n, ch], _c, fn) => {
      const s = typeof v === 'number' ? String(v) : expectString(v, fn);
      const pad = ch === undefined ? ' ' : expectString(ch, fn);
      if (pad.length !== 1) throw ExprErrors.generic(`The template language function '${fn}' expects a single padding character.`);
      const width = expectInt(n, fn);
      checkLength(width, `function '${fn}' result`);
      return s.padStart(width, pad);
    },
  },
  replace: {
    min: 3,
    max: 3,
    fn: (args, _c, fn) => {
      const [s, a, b] = strArgs(args, fn);
      if (a === '') return s;
      const parts = s.split(a);
      // Know the result's length before building it: replacing into a large string can explode.
      checkLength(s.length + (parts.length - 1) * (b.length - a.length), `function '${fn}' result`);
      return parts.join(b);
    },
  },
  split: {
    min: 2,
    max: 2,
    fn: ([s, d], _c, fn) => {
      const str = expectString(s, fn);
      const delims = Array.isArray(d) ? d.map((x) => expectString(x, fn)) : [expectString(d, fn)];
      const parts: string[] = [];
      let cur = '';
      for (let i = 0; i < str.length;) {
        const hit = delims.find((x) => x !== '' && str.startsWith(x, i));
        if (hit !== undefined) {
          parts.push(cur);
          cur = '';
          i += hit.length;
        } else {
          cur += str[i++];
        }
      }
      parts.push(cur);
      return parts;
    },
  },
  string: { min: 1, max: 1, fn: ([v]) => toArmString(v) },
  substring: {
    min: 2,
    max: 3,
    fn: ([s, st, len], _c, fn) => {
      const str = expectString(s, fn);
      const start = expectInt(st, fn);
      const n = len === undefined ? str.length - start : expectInt(len, fn);
      if (start < 0 || start > str.length) {
        throw ExprErrors.generic(
          `The index and length parameters must refer to a location within the string. The index parameter: '${start}', the length parameter: '${n}', the length of the string parameter: '${str.length}'. Please see https://aka.ms/arm-template-expressions#substring for usage details.`,
        );
      }
      if (n < 0 || start + n > str.length) {
        throw ExprErrors.generic(
          `The index and length parameters must refer to a location within the string. The index parameter: '${start}', the length parameter: '${n}', the length of the string parameter: '${str.length}'. Please see https://aka.ms/arm-template-expressions#substring for usage details.`,
        );
      }
      return str.substr(start, n);
    },
  },
  tolower: { min: 1, max: 1, fn: ([s], _c, fn) => expectString(s, fn).toLowerCase() },
  toupper: { min: 1, max: 1, fn: ([s], _c, fn) => expectString(s, fn).toUpperCase() },
  trim: { min: 1, max: 1, fn: ([s], _c, fn) => expectString(s, fn).trim() },
  uniquestring: { min: 1, fn: (args, _c, fn) => uniqueString(...strArgs(args, fn)) },
  uri: {
    min: 2,
    max: 2,
    fn: (args, _c, fn) => {
      const [base, rel] = strArgs(args, fn);
      try {
        return new URL(rel, base).toString();
      } catch {
        throw ExprErrors.generic(`The template language function '${fn}' expects an absolute base URI. The provided value '${base}' is not valid.`);
      }
    },
  },
  // Uri.EscapeDataString: everything but the RFC 3986 unreserved characters is escaped.
  uricomponent: {
    min: 1,
    max: 1,
    fn: ([s], _c, fn) => encodeURIComponent(expectString(s, fn)).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()),
  },
  uricomponenttostring: { min: 1, max: 1, fn: ([s], _c, fn) => decodeURIComponent(expectString(s, fn)) },
  like: {
    min: 2,
    max: 2,
    fn: (args, _c, fn) => {
      const [s, p] = strArgs(args, fn);
      const re = new RegExp(
        '^' +
          p
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '.*')
            .replace(/\?/g, '.') +
          '$',
        'is',
      );
      return re.test(s);
    },
  },
  parseuri: {
    min: 1,
    max: 1,
    fn: ([s], _c, fn) => {
      const u = new URL(expectString(s, fn));
      const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : u.protocol === 'http:' ? 80 : null;
      return { scheme: u.protocol.replace(/:$/, ''), host: u.hostname, port, path: u.pathname, query: u.search, absoluteUri: u.toString() };
    },
  },
  builduri: {
    min: 1,
    max: 1,
    fn: ([o], _c, fn) => {
      const c = expectObject(o, fn);
      const u = new URL(`${String(c.scheme ?? 'https')}://${String(c.host)}`);
      if (c.port !== undefined && c.port !== null) u.port = String(c.port);
      if (c.path) u.pathname = String(c.path);
      if (c.query) u.search = String(c.query);
      return u.toString();
    },
  },
  utcnow: {
    min: 0,
    max: 1,
    fn: ([f], ctx, fn) => {
      onlyInDefaults(ctx, fn);
      return formatDate(ctx.now, f === undefined ? DEFAULT_UTCNOW_FORMAT : expectString(f, fn));
    },
  },
  datetimeadd: {
    min: 2,
    max: 3,
    fn: ([b, d, f], _c, fn) => {
      const base = expectString(b, fn);
      const r = addDuration(parseDate(base), expectString(d, fn));
      return formatDate(r, f === undefined ? formatOf(base) : expectString(f, fn));
    },
  },
  datetimefromepoch: {
    min: 1,
    max: 1,
    fn: ([e], _c, fn) => formatDate(new Date(expectInt(e, fn) * 1000), 'yyyy-MM-ddTHH:mm:ssZ'),
  },
  datetimetoepoch: { min: 1, max: 1, fn: ([s], _c, fn) => Math.floor(parseDate(expectString(s, fn)).getTime() / 1000) },
};

function expectStringish(v: unknown, fn: string): unknown {
  if (Array.isArray(v) || isObject(v)) return JSON.stringify(v);
  if (v === undefined) throw ExprErrors.argType(fn, 'String', armType(v));
  return v;
}
