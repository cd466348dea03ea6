// A value in the shape of a schema node, for the answer of a generic type's POST function (listKeys and the
// like): every property filled, one item per array, the first value of an enum, and for strings a stable
// placeholder the caller derives from the resource (no real service computes one). Pure.

import type { SchemaNode } from '../../catalogue/schema.js';

const MAX_DEPTH = 8;

export function sampleOf(nodes: SchemaNode[], id: number, stringAt: (path: string) => string, path = '', depth = 0): unknown {
  const n = nodes[id];
  if (depth > MAX_DEPTH) return undefined;
  if (typeof n === 'string') {
    switch (n) {
      case 's':
        return stringAt(path);
      case 'i':
        return 0;
      case 'b':
        return false;
      case 'n':
        return null;
      default:
        return undefined;
    }
  }
  switch (n[0]) {
    case 's':
      return stringAt(path);
    case 'i':
      return typeof n[1] === 'number' ? n[1] : 0;
    case 'l':
      return n[1];
    case 'u': {
      const members = n.slice(1) as number[];
      const lit = members.find((m) => Array.isArray(nodes[m]) && (nodes[m] as unknown[])[0] === 'l');
      return sampleOf(nodes, lit ?? members[0], stringAt, path, depth + 1);
    }
    case 'r': {
      const item = sampleOf(nodes, n[1] as number, stringAt, `${path}[0]`, depth + 1);
      return item === undefined ? [] : [item];
    }
    case 'o': {
      const out: Record<string, unknown> = {};
      for (const [name, v] of Object.entries(n[1] as Record<string, number | [number, number]>)) {
        const [kid, flags] = Array.isArray(v) ? v : [v, 0];
        if (flags & 4) continue; // write-only: never in an answer
        const value = sampleOf(nodes, kid, stringAt, path ? `${path}.${name}` : name, depth + 1);
        if (value !== undefined) out[name] = value;
      }
      return out;
    }
    case 'd': {
      const elements = n[3] as Record<string, number>;
      const first = Object.keys(elements)[0];
      return first === undefined ? {} : { [n[1] as string]: first, ...(sampleOf(nodes, elements[first], stringAt, path, depth + 1) as object) };
    }
  }
  return undefined;
}
