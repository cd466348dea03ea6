// .NET composite formatting (en-US) as format() uses it: `{index[,alignment][:formatString]}`, `{{`/`}}`
// escapes, and the standard numeric format strings C, D, E, F, G, N, P, X (with precision) plus simple
// custom patterns of 0 # , . (e.g. `000`, `#,##0.00`). Booleans print as True/False, objects as JSON.

import { ExprErrors } from './errors.js';
import { checkLength } from './limits.js';
import { toArmString } from './values.js';

function roundAway(x: number, digits: number): string {
  const f = 10 ** digits;
  const r = (Math.sign(x) * Math.round(Math.abs(x) * f + 1e-9)) / f;
  return Math.abs(r).toFixed(digits);
}

function group(intPart: string): string {
  return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function standard(v: number, spec: string): string | undefined {
  const m = /^([CcDdEeFfGgNnPpXx])(\d{0,2})$/.exec(spec);
  if (!m) return undefined;
  const letter = m[1];
  const prec = m[2] === '' ? undefined : Number(m[2]);
  const neg = v < 0;
  const sign = (s: string) => (neg && /[1-9]/.test(s) ? '-' + s : s);
  switch (letter.toUpperCase()) {
    case 'D': {
      if (!Number.isInteger(v)) throw ExprErrors.generic(`Format specifier '${spec}' is only valid for integers.`);
      return sign(String(Math.abs(v)).padStart(prec ?? 0, '0'));
    }
    case 'X': {
      if (!Number.isInteger(v)) throw ExprErrors.generic(`Format specifier '${spec}' is only valid for integers.`);
      const h = (v < 0 ? BigInt.asUintN(64, BigInt(v)) : BigInt(v)).toString(16).padStart(prec ?? 0, '0');
      return letter === 'X' ? h.toUpperCase() : h;
    }
    case 'F':
      return sign(roundAway(v, prec ?? 2));
    case 'N': {
      const [i, f] = roundAway(v, prec ?? 2).split('.');
      return sign(group(i) + (f ? '.' + f : ''));
    }
    case 'P': {
      const [i, f] = roundAway(v * 100, prec ?? 2).split('.');
      return sign(group(i) + (f ? '.' + f : '') + ' %');
    }
    case 'C': {
      const [i, f] = roundAway(v, prec ?? 2).split('.');
      const body = '$' + group(i) + (f ? '.' + f : '');
      return neg && /[1-9]/.test(body) ? `(${body})` : body;
    }
    case 'E': {
      const s = Math.abs(v).toExponential(prec ?? 6);
      const [mant, exp] = s.split('e');
      const e = (exp.startsWith('-') ? '-' : '+') + exp.replace(/^[-+]/, '').padStart(3, '0');
      return sign(mant + (letter === 'E' ? 'E' : 'e') + e);
    }
    case 'G':
      return String(prec ? Number(v.toPrecision(prec)) : v);
  }
  return undefined;
}

function custom(v: number, spec: string): string {
  const [intSpec, fracSpec = ''] = spec.split('.');
  const grouping = intSpec.includes(',');
  const minInt = (intSpec.match(/0/g) ?? []).length;
  const minFrac = (fracSpec.match(/0/g) ?? []).length;
  const maxFrac = (fracSpec.match(/[0#]/g) ?? []).length;
  let [i, f = ''] = roundAway(v, maxFrac).split('.');
  f = f.replace(/0+$/, '');
  if (f.length < minFrac) f = f.padEnd(minFrac, '0');
  i = i.replace(/^0+/, '').padStart(minInt, '0');
  if (grouping) i = group(i);
  const s = i + (f ? '.' + f : '');
  return v < 0 && /[1-9]/.test(s) ? '-' + s : s;
}

export function formatValue(v: unknown, spec: string | undefined): string {
  if (spec === undefined || spec === '') return toArmString(v);
  if (typeof v === 'number') return standard(v, spec) ?? custom(v, spec);
  return toArmString(v);
}

export function dotnetFormat(fmt: string, args: unknown[]): string {
  let out = '';
  let i = 0;
  while (i < fmt.length) {
    const c = fmt[i];
    if (c === '{') {
      if (fmt[i + 1] === '{') {
        out += '{';
        i += 2;
        continue;
      }
      const end = fmt.indexOf('}', i);
      if (end < 0) throw ExprErrors.generic('Input string was not in a correct format.');
      const m = /^\s*(\d+)\s*(?:,\s*(-?\d+)\s*)?(?::(.*))?$/.exec(fmt.slice(i + 1, end));
      if (!m) throw ExprErrors.generic('Input string was not in a correct format.');
      const idx = Number(m[1]);
      if (idx >= args.length) {
        throw ExprErrors.generic('Index (zero based) must be greater than or equal to zero and less than the size of the argument list.');
      }
      let s = formatValue(args[idx], m[3]);
      if (m[2]) {
        const w = Number(m[2]);
        checkLength(Math.abs(w), "function 'format' result");
        s = w < 0 ? s.padEnd(-w) : s.padStart(w);
      }
      out += s;
      i = end + 1;
      continue;
    }
    if (c === '}') {
      if (fmt[i + 1] === '}') {
        out += '}';
        i += 2;
        continue;
      }
      throw ExprErrors.generic('Input string was not in a correct format.');
    }
    out += c;
    i++;
  }
  return out;
}
