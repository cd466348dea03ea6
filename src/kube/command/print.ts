// How kubectl lays text out: Go's elastic tabwriter (text/tabwriter) with kubectl's settings (`get`:
// min width 6, padding 3; `describe`: min width 0, padding 2), and its JSON and YAML printers (keys sorted,
// JSON indented by four spaces, YAML sequences not indented under their key, managedFields hidden).

import { stringify } from 'yaml';
import { isObj, type KubeObject } from '../model.js';

const width = (s: string) => [...s].length;

/**
 * Go's text/tabwriter: a line's cells are separated by tabs, the text after the last tab is not a cell of any
 * column. A column block is a run of consecutive lines that all have a cell in that column; its width is the
 * widest cell plus the padding (at least minWidth). Lines with fewer cells end a block.
 */
export function tabwrite(text: string, minWidth: number, padding: number): string {
  const endsWithNewline = text.endsWith('\n');
  const lines = (endsWithNewline ? text.slice(0, -1) : text).split('\n').map((l) => l.split('\t'));
  const out: string[] = new Array(lines.length);
  const widths: number[] = [];
  const writeLines = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const cells = lines[i];
      out[i] = cells.map((c, j) => (j < widths.length && j < cells.length - 1 ? c + ' '.repeat(Math.max(0, widths[j] - width(c))) : c)).join('');
    }
  };
  const format = (line0: number, line1: number) => {
    const column = widths.length;
    for (let cur = line0; cur < line1; cur++) {
      if (column >= lines[cur].length - 1) continue;
      writeLines(line0, cur);
      line0 = cur;
      let w = minWidth;
      for (; cur < line1; cur++) {
        const cells = lines[cur];
        if (column >= cells.length - 1) break;
        w = Math.max(w, width(cells[column]) + padding);
      }
      widths.push(w);
      format(line0, cur);
      widths.pop();
      line0 = cur;
      cur--;
    }
    writeLines(line0, line1);
  };
  format(0, lines.length);
  return out.join('\n') + (endsWithNewline ? '\n' : '');
}

/** kubectl get's table: header and rows, tab-separated, laid out as its tabwriter does. */
export function getTable(header: string[] | undefined, rows: string[][]): string {
  const all = header ? [header, ...rows] : rows;
  if (!all.length) return '';
  return tabwrite(all.map((r) => `${r.join('\t')}\n`).join(''), 6, 3);
}

/** A cell of a Table row as kubectl prints it. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '<none>';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isObj(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) if (v[k] !== undefined) out[k] = sortKeys(v[k]);
    return out;
  }
  return v;
}

/** What kubectl shows of an object by default (no managedFields). */
export function forOutput(o: KubeObject): KubeObject {
  if (!o.metadata?.managedFields) return o;
  const { managedFields: _m, ...metadata } = o.metadata;
  return { ...o, metadata };
}

export function listOf(items: KubeObject[]): Record<string, unknown> {
  return { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } };
}

export function toJson(v: unknown): string {
  // Go's encoder escapes <, > and & in strings.
  return `${JSON.stringify(sortKeys(v), null, 4).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')}\n`;
}

export function toYaml(v: unknown): string {
  return stringify(sortKeys(v), { version: '1.1', indentSeq: false, lineWidth: 0, singleQuote: false });
}
