// Label and field selectors: the query-string forms (`app=web,tier!=db,env in (a,b),!legacy`) and
// metav1.LabelSelector objects (matchLabels, matchExpressions), with the API server's error wording.

import { isObj } from './model.js';
import { KubeErrors } from './status.js';

export type Requirement =
  { key: string; op: '=' | '!='; value: string } | { key: string; op: 'in' | 'notin'; values: string[] } | { key: string; op: 'exists' | '!' } | { key: string; op: 'gt' | 'lt'; value: number };

/** Parses a label selector query (labelSelector=...); throws 400 on a malformed one. */
export function parseLabelSelector(text: string | undefined): Requirement[] {
  if (text === undefined) return [];
  const s = text.trim();
  if (s === '') return [];
  const out: Requirement[] = [];
  let i = 0;
  const bad = (why: string) => KubeErrors.badRequest(`unable to parse requirement: ${why}`);
  const skip = () => {
    while (i < s.length && s[i] === ' ') i++;
  };
  const ident = () => {
    skip();
    const m = /^[A-Za-z0-9_./-]+/.exec(s.slice(i));
    if (!m) return '';
    i += m[0].length;
    return m[0];
  };
  while (i < s.length) {
    skip();
    let negate = false;
    if (s[i] === '!') {
      negate = true;
      i++;
    }
    const key = ident();
    if (!key) throw bad(`found '${s[i] ?? ''}', expected: identifier`);
    skip();
    if (negate) {
      out.push({ key, op: '!' });
    } else if (s.startsWith('!=', i)) {
      i += 2;
      out.push({ key, op: '!=', value: ident() });
    } else if (s.startsWith('==', i)) {
      i += 2;
      out.push({ key, op: '=', value: ident() });
    } else if (s[i] === '=') {
      i += 1;
      out.push({ key, op: '=', value: ident() });
    } else if (s[i] === '>' || s[i] === '<') {
      const op = s[i] === '>' ? 'gt' : 'lt';
      i += 1;
      const v = Number(ident());
      if (!Number.isInteger(v)) throw bad("for 'gt', 'lt' operators, the value must be an integer");
      out.push({ key, op, value: v });
    } else if (/^(in|notin)\s*\(/.test(s.slice(i))) {
      const op = s.startsWith('notin', i) ? 'notin' : 'in';
      i += op.length;
      skip();
      i++; // (
      const close = s.indexOf(')', i);
      if (close < 0) throw bad("found '', expected: ')'");
      const values = s
        .slice(i, close)
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      i = close + 1;
      out.push({ key, op, values });
    } else if (i >= s.length || s[i] === ',') {
      out.push({ key, op: 'exists' });
    } else {
      throw bad(`found '${s[i]}', expected: in, notin, =, ==, !=, gt, lt`);
    }
    skip();
    if (i < s.length) {
      if (s[i] !== ',') throw bad(`found '${s[i]}', expected: ',' or 'end of string'`);
      i++;
    }
  }
  return out;
}

export function matchesRequirements(reqs: Requirement[], labels: Record<string, string>): boolean {
  for (const r of reqs) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = labels[r.key];
    switch (r.op) {
      case '=':
        if (!has || v !== r.value) return false;
        break;
      case '!=':
        if (has && v === r.value) return false;
        break;
      case 'in':
        if (!has || !r.values.includes(v)) return false;
        break;
      case 'notin':
        if (has && r.values.includes(v)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case '!':
        if (has) return false;
        break;
      case 'gt':
        if (!has || !(Number(v) > r.value)) return false;
        break;
      case 'lt':
        if (!has || !(Number(v) < r.value)) return false;
        break;
    }
  }
  return true;
}

/** A metav1.LabelSelector against labels (an empty selector matches everything; null matches nothing). */
export function selectorMatches(sel: unknown, labels: Record<string, string>): boolean {
  if (sel === null || sel === undefined) return false;
  if (!isObj(sel)) return false;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of (sel.matchExpressions ?? []) as any[]) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const vals: string[] = e.values ?? [];
    if (e.operator === 'In' && (!has || !vals.includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && vals.includes(labels[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** The query-string form of a LabelSelector (for status.selector of scale subresources). */
export function selectorString(sel: unknown): string {
  if (!isObj(sel)) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) parts.push(`${k}=${v}`);
  for (const e of (sel.matchExpressions ?? []) as any[]) {
    const vals = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${vals})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${vals})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

/** Parses a field selector (fieldSelector=metadata.name=x,status.phase!=Running). */
export function parseFieldSelector(text: string | undefined): FieldRequirement[] {
  if (text === undefined || text.trim() === '') return [];
  return text.split(',').map((part) => {
    const m = /^\s*([^!=\s]+)\s*(==|!=|=)\s*(.*?)\s*$/.exec(part);
    if (!m) throw KubeErrors.badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    return { field: m[1], op: m[2] === '!=' ? '!=' : '=', value: m[3] };
  });
}
