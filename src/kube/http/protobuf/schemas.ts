// Field numbers and types of the Kubernetes messages a protobuf request body may carry: a data table,
// schemas/kube/protobuf.json, generated from the kubernetes/api and kubernetes/apimachinery generated.proto files
// (field number, JSON name, type) and their types.go (which Go fields are pointers, whose zero values are
// meaningful, and which structs are inlined in JSON). Generator: scripts/kube-protobuf-schemas.mjs; messages
// reachable from the kinds in ../protobuf.ts only. Read on the first protobuf body, not at start-up.
// A field: [json name, type, flags]; type 's' string, 'i' int32/int64, 'b' bool, 'y' bytes, 'd' double, else
// the key of another message here; flags 'r' repeated, 'm' map<string, type>, 'p' a Go pointer (zero kept),
// 'n' inlined into the parent object.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SCHEMAS_DIR } from '../../../framework/schema.js';

export type Field = readonly [name: string, type: string, flags?: string];
export type Schema = Readonly<Record<number, Field>>;

export const SCHEMAS_FILE = path.join(SCHEMAS_DIR, 'kube/protobuf.json');

let schemas: Readonly<Record<string, Schema>> | undefined;

/** The schema of one message ('apps.v1.Deployment', 'meta.v1.ObjectMeta'), or undefined for one not in the table. */
export function schemaOf(type: string): Schema | undefined {
  schemas ??= JSON.parse(readFileSync(SCHEMAS_FILE, 'utf8')) as Record<string, Schema>;
  return Object.hasOwn(schemas, type) ? schemas[type] : undefined;
}
