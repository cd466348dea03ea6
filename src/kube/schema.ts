// Schemas of the built-in kinds, for OpenAPI documents and for field validation (unknown fields).
// Filled from the generated data of the Kubernetes API types once it lands; until then no schema is
// published (kubectl then falls back to its compiled-in types) and no field is reported unknown.

import type { ResourceDef } from './kinds/registry.js';

/** components.schemas of an OpenAPI v3 document for these resources. */
export function schemasFor(_defs: ResourceDef[]): Record<string, unknown> {
  return {};
}

/** Paths of fields the kind does not declare ('spec.foo'). */
export function unknownFields(_def: ResourceDef, _obj: unknown): string[] {
  return [];
}
