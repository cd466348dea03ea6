// The hybrid providers' resources shown at an api-version: pruned to that version's model (the
// generated shapes of schemas/providers/hybrid-shapes.json, hybridShapes.ts). A type or version without a shape is
// shown as stored.

import { pruneToShape } from '../framework/shape.js';
import type { ArmResource } from '../framework/types.js';
import { hybridShapes } from './hybridShapes.js';

export function atApiVersion<T extends ArmResource>(type: string, apiVersion: string, r: T): T {
  return pruneToShape(r, hybridShapes()[type.toLowerCase()]?.[apiVersion]);
}

/** The api-versions a type has a shape for (the ones its provider serves). */
export function shapedVersions(type: string): string[] {
  return Object.keys(hybridShapes()[type.toLowerCase()] ?? {});
}
