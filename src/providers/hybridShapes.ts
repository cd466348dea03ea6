// The property names of each hand-built hybrid type's model per api-version ('[]' array items, '*' map values,
// 0 a leaf): schemas/providers/hybrid-shapes.json, written by scripts/hybrid-shapes.mjs from Azure/bicep-types-az
// (public data generated from Azure/azure-rest-api-specs). Read on the first hybrid resource shown, not at
// start-up: as a module it was 60 KB of script and half a megabyte of heap for every process.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ShapeTree } from '../framework/shape.js';
import { SCHEMAS_DIR } from '../framework/schema.js';

export const HYBRID_SHAPES_FILE = path.join(SCHEMAS_DIR, 'providers', 'hybrid-shapes.json');

let shapes: Record<string, Record<string, ShapeTree>> | undefined;

/** Type key (lowercase 'microsoft.kubernetes/connectedclusters') -> api-version -> shape. */
export function hybridShapes(): Record<string, Record<string, ShapeTree>> {
  return (shapes ??= (JSON.parse(readFileSync(HYBRID_SHAPES_FILE, 'utf8')) as { shapes: Record<string, Record<string, ShapeTree>> }).shapes);
}
