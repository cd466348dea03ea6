// A request body checked against one api-version's schema from the catalogue, as a resource provider's
// deserializer treats it: property names match in any casing and come back in the spec's casing, read-only
// properties are dropped, unknown ones too (unless the object is open), enum values match in any casing, and
// a value of the wrong kind, a missing required property, an enum value outside the list, a string that breaks
// its pattern or length, or a number out of range is a 400 naming the property. Pure.
//
// Node forms (schemas/catalogue/README.md): 'a' any, 'b' boolean, 'n' null, 's' string, 'i' integer,
// ['s', pattern, minLength, maxLength, sensitive], ['i', min, max], ['l', literal], ['u', ...members],
// ['r', item, minLength, maxLength], ['o', {name: node | [node, flags]}, additional?, sensitive?],
// ['d', discriminator, {base properties}, {value: object node}]. Flags: 1 required, 2 read-only, 4 write-only.

import { Errors, type ArmError } from '../arm/errors.js';

export type SchemaNode = string | (string | number | null | Record<string, unknown>)[];

export const REQUIRED = 1;
export const READ_ONLY = 2;
export const WRITE_ONLY = 4;

type Props = Record<string, number | [number, number]>;

interface PropInfo {
  name: string;
  node: number;
  flags: number;
}

/** What a body became: the cleaned value and the paths of its write-only (secret) values. */
export interface Shaped {
  value: Record<string, unknown>;
  /** Dotted paths ('properties.administratorLoginPassword', 'properties.users[0].password'). */
  secrets: string[];
}

const walkers = new WeakMap<SchemaNode[], SchemaWalker>();

/** One walker per node table (a namespace's schemas), so its caches are shared by every type of the namespace. */
export function walkerFor(nodes: SchemaNode[]): SchemaWalker {
  let w = walkers.get(nodes);
  if (!w) walkers.set(nodes, (w = new SchemaWalker(nodes)));
  return w;
}

export class SchemaWalker {
  private readonly props = new Map<number, Map<string, PropInfo>>();
  private readonly patterns = new Map<string, RegExp | null>();
  /** Whether missing required properties (and a missing discriminator) are refused: not in a PATCH body. */
  private required = true;
  /** Whether enums, patterns, lengths, ranges and item counts are checked, or only kinds (what no deserializer reads). */
  private constraints = true;

  constructor(private readonly nodes: SchemaNode[]) {}

  /** Validates and cleans a whole body against the root node. */
  shape(root: number, body: Record<string, unknown>, skipRequired: Set<string> = new Set()): Shaped {
    const secrets: string[] = [];
    const value = this.walk(root, body, '', secrets, skipRequired) as Record<string, unknown>;
    return { value, secrets };
  }

  /**
   * Validates a body without shaping it. `required: false` for a PATCH body (nothing is required, not even a
   * discriminator); `constraints: false` checks only what no deserializer reads (a value of the wrong kind: a list
   * for a string, a word for a number), leaving enums, patterns, lengths, ranges and required properties.
   */
  check(root: number, body: Record<string, unknown>, opts: { required: boolean; constraints: boolean; skipRequired?: Set<string> }): void {
    this.required = opts.required;
    this.constraints = opts.constraints;
    try {
      this.walk(root, body, '', [], opts.skipRequired ?? new Set());
    } finally {
      this.required = true;
      this.constraints = true;
    }
  }

  /** The properties of an object node by lowercased name (cached). */
  propertiesOf(id: number): Map<string, PropInfo> {
    let m = this.props.get(id);
    if (m) return m;
    m = new Map();
    const n = this.nodes[id];
    if (Array.isArray(n) && n[0] === 'o') addProps(m, n[1] as Props);
    if (Array.isArray(n) && n[0] === 'd') addProps(m, n[2] as Props);
    this.props.set(id, m);
    return m;
  }

  node(id: number): SchemaNode {
    return this.nodes[id];
  }

  /** Whether a value fits a node, without building anything (for unions). */
  private fits(id: number, v: unknown, path: string): ArmError | undefined {
    try {
      this.walk(id, v, path, [], new Set());
      return undefined;
    } catch (e) {
      return e as ArmError;
    }
  }

  private walk(id: number, v: unknown, path: string, secrets: string[], skipRequired: Set<string>): unknown {
    const n = this.nodes[id];
    if (v === null) return null; // an explicit null is 'not set' to a deserializer
    if (typeof n === 'string') {
      switch (n) {
        case 'a':
        case 'n':
          return v;
        case 'b':
          return bool(v, path);
        case 's':
          return str(v, path);
        case 'i':
          return int(v, path);
      }
      return v;
    }
    switch (n[0]) {
      case 's': {
        const s = str(v, path);
        const [, pattern, min, max, sensitive] = n as [string, string | null, number | null, number | null, number?];
        if (typeof s === 'string' && this.constraints) {
          if (typeof min === 'number' && s.length < min) throw invalid(path, `must be at least ${min} characters long`);
          if (typeof max === 'number' && s.length > max) throw invalid(path, `must be at most ${max} characters long`);
          const re = pattern ? this.regex(pattern) : null;
          if (re && !re.test(s)) throw invalid(path, `must match the pattern '${pattern}'; got '${s}'`);
        }
        if (sensitive) secrets.push(path);
        return s;
      }
      case 'i': {
        const x = int(v, path);
        const [, min, max] = n as [string, number | null, number | null];
        if (this.constraints && typeof min === 'number' && x < min) throw invalid(path, `must be at least ${min}; got ${x}`);
        if (this.constraints && typeof max === 'number' && x > max) throw invalid(path, `must be at most ${max}; got ${x}`);
        return x;
      }
      case 'l': {
        const lit = n[1];
        if (typeof lit === 'string' && typeof v === 'string' && v.toLowerCase() === lit.toLowerCase()) return v;
        if (v === lit) return v;
        if (!this.constraints && typeof v === typeof lit) return v; // a value outside the enum is the provider's to refuse first
        throw invalid(path, `must be ${JSON.stringify(lit)}; got ${JSON.stringify(v)}`);
      }
      case 'u':
        return this.union(n.slice(1) as number[], v, path, secrets, skipRequired);
      case 'r': {
        if (!Array.isArray(v)) throw invalid(path, `must be an array; got ${kind(v)}`);
        const [, item, min, max] = n as [string, number, number | null, number | null];
        if (this.constraints && typeof min === 'number' && v.length < min) throw invalid(path, `must have at least ${min} items`);
        if (this.constraints && typeof max === 'number' && v.length > max) throw invalid(path, `must have at most ${max} items`);
        return v.map((x, i) => this.walk(item, x, `${path}[${i}]`, secrets, skipRequired));
      }
      case 'o':
        return this.object(id, (n[2] as number | null | undefined) ?? undefined, v, path, secrets, skipRequired, n[3] === 1);
      case 'd':
        return this.discriminated(id, n as [string, string, Props, Record<string, number>], v, path, secrets, skipRequired);
    }
    return v;
  }

  private union(members: number[], v: unknown, path: string, secrets: string[], skipRequired: Set<string>): unknown {
    const literals: unknown[] = [];
    let open = false;
    for (const m of members) {
      const node = this.nodes[m];
      if (Array.isArray(node) && node[0] === 'l') {
        literals.push(node[1]);
        if (typeof v === 'string' && typeof node[1] === 'string' && v.toLowerCase() === node[1].toLowerCase()) return v;
        if (v === node[1]) return v;
      } else if (node === 's' || (Array.isArray(node) && node[0] === 's')) open = true;
    }
    const others = members.filter((m) => {
      const node = this.nodes[m];
      return !(Array.isArray(node) && node[0] === 'l');
    });
    // Open enums (a string besides the listed values) take any string; other members are tried in order.
    let first: ArmError | undefined;
    for (const m of others) {
      const err = this.fits(m, v, path);
      if (!err) return this.walk(m, v, path, secrets, skipRequired);
      first ??= err;
    }
    if (literals.length && !this.constraints && literals.some((l) => typeof l === typeof v)) return v; // likewise
    if (literals.length && (typeof v === 'string' || !others.length) && !open) {
      throw invalid(path, `must be one of ${JSON.stringify(literals)}; got ${JSON.stringify(v)}`);
    }
    throw first ?? invalid(path, `has a value of the wrong kind (${kind(v)})`);
  }

  private object(
    id: number,
    additional: number | undefined,
    v: unknown,
    path: string,
    secrets: string[],
    skipRequired: Set<string>,
    sensitive: boolean,
    extra?: Map<string, PropInfo>,
  ): Record<string, unknown> {
    if (typeof v !== 'object' || Array.isArray(v)) throw invalid(path, `must be an object; got ${kind(v)}`);
    const props = this.propertiesOf(id);
    const out: Record<string, unknown> = {};
    const input = v as Record<string, unknown>;
    const seen = new Set<string>();
    for (const [key, value] of Object.entries(input)) {
      if (value === null || value === undefined) continue; // an explicit null is 'not set' to a deserializer
      const lower = key.toLowerCase();
      const p = props.get(lower) ?? extra?.get(lower);
      const at = path ? `${path}.${p?.name ?? key}` : (p?.name ?? key);
      if (p) {
        seen.add(lower);
        if (p.flags & READ_ONLY && !(p.flags & REQUIRED)) continue; // read-only: what the client sends there is ignored
        out[p.name] = this.walk(p.node, value, at, secrets, skipRequired);
        if (p.flags & WRITE_ONLY) secrets.push(at);
      } else if (additional !== undefined) {
        out[key] = this.walk(additional, value, at, secrets, skipRequired);
      }
      // anything else is not part of this api-version: a provider's deserializer drops it
    }
    for (const list of !this.required ? [] : extra ? [props, extra] : [props]) {
      for (const [lower, p] of list) {
        if (!(p.flags & REQUIRED) || p.flags & READ_ONLY || seen.has(lower)) continue;
        const at = path ? `${path}.${p.name}` : p.name;
        if (skipRequired.has(at)) continue;
        throw Errors.invalidRequestContent(`The request content is invalid: property '${at}' is required.`, at);
      }
    }
    if (sensitive) secrets.push(path);
    return out;
  }

  private discriminated(id: number, n: [string, string, Props, Record<string, number>], v: unknown, path: string, secrets: string[], skipRequired: Set<string>): Record<string, unknown> {
    if (typeof v !== 'object' || Array.isArray(v) || v === null) throw invalid(path, `must be an object; got ${kind(v)}`);
    const [, discriminator, , elements] = n;
    const input = v as Record<string, unknown>;
    const key = findKey(input, discriminator.toLowerCase());
    const at = path ? `${path}.${discriminator}` : discriminator;
    const value = key === '' ? undefined : input[key];
    const names = Object.keys(elements);
    if ((value === undefined || value === null) && !this.required) return this.object(id, undefined, input, path, secrets, skipRequired, false); // the base's properties only
    if (value === undefined || value === null) throw Errors.invalidRequestContent(`The request content is invalid: property '${at}' is required (one of ${JSON.stringify(names)}).`, at);
    const hit = names.find((e) => typeof value === 'string' && e.toLowerCase() === value.toLowerCase());
    if (!hit && !this.constraints) return this.object(id, undefined, input, path, secrets, skipRequired, false); // likewise: the base's properties only
    if (!hit) throw invalid(at, `must be one of ${JSON.stringify(names)}; got ${JSON.stringify(value)}`);
    const element = elements[hit];
    const elementNode = this.nodes[element];
    const additional = Array.isArray(elementNode) && elementNode[0] === 'o' ? ((elementNode[2] as number | null | undefined) ?? undefined) : undefined;
    // the element's own properties and the base's; the discriminator stays as sent
    const out = this.object(element, additional, input, path, secrets, skipRequired, false, this.propertiesOf(id));
    for (const k of Object.keys(out)) if (k.toLowerCase() === discriminator.toLowerCase()) delete out[k];
    return { [discriminator]: value, ...out };
  }

  private regex(pattern: string): RegExp | null {
    let re = this.patterns.get(pattern);
    if (re === undefined) {
      try {
        re = new RegExp(pattern, 'u');
      } catch {
        try {
          re = new RegExp(pattern);
        } catch {
          re = null; // a .NET-only construct: not checked
        }
      }
      this.patterns.set(pattern, re);
    }
    return re;
  }
}

function addProps(m: Map<string, PropInfo>, props: Props): void {
  for (const [name, v] of Object.entries(props)) {
    const [node, flags] = Array.isArray(v) ? v : [v, 0];
    m.set(name.toLowerCase(), { name, node, flags });
  }
}

function findKey(o: Record<string, unknown>, lower: string): string {
  return Object.keys(o).find((k) => k.toLowerCase() === lower) ?? '';
}

function invalid(path: string, what: string): ArmError {
  return Errors.invalidRequestContent(`The request content is invalid: property '${path || '(body)'}' ${what}.`, path || undefined);
}

function kind(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** Strings as a deserializer takes them: numbers and booleans become their text. */
function str(v: unknown, path: string): unknown {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  throw invalid(path, `must be a string; got ${kind(v)}`);
}

function int(v: unknown, path: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  throw invalid(path, `must be a number; got ${kind(v)}`);
}

function bool(v: unknown, path: string): unknown {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  throw invalid(path, `must be a boolean; got ${kind(v)}`);
}
