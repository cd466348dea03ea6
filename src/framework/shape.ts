// What an api-version's model has: a resource is stored once, in its newest shape, and shown at an
// older api-version with only the properties that version's model declares (as a real resource
// provider serialises through the version's model). Shape trees are generated from the public specs
// (scripts/hybrid-shapes.mjs for the hybrid types).

/** Property names of a model: a nested object per object property, '[]' for array items, '*' for map values, 0 for a leaf. */
export type ShapeTree = 0 | { [k: string]: ShapeTree };

/** A copy of v with every property its shape does not declare left out. */
export function pruneToShape<T>(v: T, shape: ShapeTree | undefined): T {
  if (shape === undefined || shape === 0 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const item = shape['[]'];
    return (item === undefined ? v : v.map((x) => pruneToShape(x, item))) as T;
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const sub = k in shape ? shape[k] : shape['*'];
    if (sub === undefined) continue;
    out[k] = pruneToShape(x, sub);
  }
  return out as T;
}
