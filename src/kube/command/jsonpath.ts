// kubectl's template printers: -o jsonpath (client-go's jsonpath: text, {expressions}, {range ...}{end}, {"literal"})
// and -o custom-columns (HEADER:path,...), printing values as Go does: jsonpath prints maps and lists as compact
// JSON and scalars with fmt.Fprint (numbers decoded as float64: 1e+06), custom-columns with fmt's %v on the
// unstructured object (integers as int64, maps as map[k:v], lists as [a b]), several results joined by ','.

import { jsonPathAll } from '../http/table.js';
import { isObj } from '../model.js';
import { getTable } from './print.js';

export class PrintError extends Error {}

type Node = { text: string } | { expr: string } | { range: string; body: Node[] };

/** The template as client-go's parser reads it: text, expressions, and range blocks closed by {end}. */
function parse(template: string): Node[] {
  const root: Node[] = [];
  const stack: Node[][] = [root];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      stack[stack.length - 1].push({ text: template.slice(i) });
      break;
    }
    if (open > i) stack[stack.length - 1].push({ text: template.slice(i, open) });
    // the action ends at the first '}' outside a quoted string
    let close = -1;
    let quote = '';
    for (let j = open + 1; j < template.length; j++) {
      const ch = template[j];
      if (quote) {
        if (ch === '\\') j++;
        else if (ch === quote) quote = '';
      } else if (ch === '"' || ch === "'") quote = ch;
      else if (ch === '}') {
        close = j;
        break;
      }
    }
    if (close < 0) throw new PrintError(`error parsing jsonpath ${template}, unclosed action`);
    const expr = template.slice(open + 1, close).trim();
    i = close + 1;
    const lit = /^"((?:[^"\\]|\\.)*)"$/.exec(expr);
    if (lit) {
      stack[stack.length - 1].push({ text: JSON.parse(`"${lit[1]}"`) as string });
      continue;
    }
    const range = /^range\s+(.*)$/.exec(expr);
    if (range) {
      const block: Node = { range: range[1].trim(), body: [] };
      stack[stack.length - 1].push(block);
      stack.push(block.body);
      continue;
    }
    if (expr === 'end') {
      if (stack.length === 1) throw new PrintError(`error parsing jsonpath ${template}, not in range, nothing to end`);
      stack.pop();
      continue;
    }
    stack[stack.length - 1].push({ expr });
  }
  if (stack.length > 1) throw new PrintError(`error parsing jsonpath ${template}, unclosed range`);
  return root;
}

function find(template: string, data: unknown, root: unknown, expr: string): unknown[] {
  const e = expr.startsWith('$') ? expr.slice(1) : expr.startsWith('@') ? expr.slice(1) : expr;
  const from = expr.startsWith('$') ? root : data;
  const results = jsonPathAll(from, e === '' ? '' : e.startsWith('.') || e.startsWith('[') ? e : `.${e}`);
  if (results === undefined) throw new PrintError(`error parsing jsonpath ${template}, unrecognized character in action: ${expr}`);
  return results;
}

/** Go's fmt.Fprint of a float64 (%v: the shortest digits, an exponent from 1e+06 and below 1e-04). */
export function goFloat(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? '+Inf' : '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mant, e] = x.toExponential().split('e');
  const exp = Number(e);
  if (exp < -4 || exp >= 6) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(x);
}

/** Go's encoding/json of a decoded value: keys sorted, <, > and & escaped. */
function goJson(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(sort)
      : isObj(x)
        ? Object.fromEntries(
            Object.keys(x)
              .sort()
              .map((k) => [k, sort(x[k])]),
          )
        : x;
  return JSON.stringify(sort(v)).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

function jsonPathText(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'object') return goJson(v);
  if (typeof v === 'number') return goFloat(v);
  return String(v);
}

function run(template: string, nodes: Node[], data: unknown, root: unknown): string {
  let out = '';
  for (const n of nodes) {
    if ('text' in n) out += n.text;
    else if ('range' in n) {
      for (const item of find(template, data, root, n.range)) out += run(template, n.body, item, root);
    } else out += find(template, data, root, n.expr).map(jsonPathText).join(' ');
  }
  return out;
}

/** kubectl -o jsonpath=TEMPLATE of the object (or List) shown. */
export function jsonPathTemplate(template: string, data: unknown): string {
  return run(template, parse(template), data, data);
}

/** fmt's %v of a value of an unstructured object. */
function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (isObj(v))
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${goValue(v[k])}`)
      .join(' ')}]`;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : goFloat(v);
  return String(v);
}

/** kubectl's relaxed JSONPath of a column: {.a.b}, .a.b or a.b. */
function relaxed(spec: string, path: string): string {
  const m = /^\{?(.*?)\}?$/.exec(path.trim())!;
  let p = m[1];
  if (p.startsWith('$')) p = p.slice(1);
  if (p !== '' && !p.startsWith('.') && !p.startsWith('[')) p = `.${p}`;
  if (p === '') throw new PrintError(`unexpected custom-columns spec: ${spec}, expected <header>:<json-path-expr>`);
  return p;
}

/**
 * kubectl -o custom-columns=SPEC: one row per object under one header row (unless noHeaders; kubectl prints it
 * again only when the Go type changes, and every object it reads is Unstructured).
 */
export function customColumns(spec: string, objects: unknown[], noHeaders: boolean): string {
  if (spec === '') throw new PrintError('custom-columns format specified but no custom columns given');
  const columns = spec.split(',').map((part) => {
    const i = part.indexOf(':');
    if (i < 0) throw new PrintError(`unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>`);
    return { header: part.slice(0, i), path: relaxed(part, part.slice(i + 1)) };
  });
  const lines: string[][] = noHeaders || !objects.length ? [] : [columns.map((c) => c.header)];
  for (const o of objects) {
    lines.push(
      columns.map((c) => {
        const found = jsonPathAll(o, c.path);
        if (found === undefined) throw new PrintError(`unrecognized character in action: ${c.path}`);
        return found.length ? found.map(goValue).join(',') : '<none>';
      }),
    );
  }
  return getTable(undefined, lines);
}
