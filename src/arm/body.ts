// Request bodies: read with a size limit, parsed as JSON, and validated against schemas/ with ajv.
// Every failure is a 4xx ARM error naming what is wrong.

import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import AjvModule from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ArmError } from './errors.js';

const Ajv = (AjvModule as any).default ?? AjvModule;

export function parseJsonBody(raw: Buffer | undefined): unknown {
  if (!raw || raw.length === 0) return undefined;
  const text = raw.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ArmError(
      400,
      'InvalidRequestContent',
      `The request content was invalid and could not be deserialized: '${(e as Error).message}'.`,
    );
  }
}

export const SCHEMAS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../schemas');

const ajv = new Ajv({ allErrors: false, strict: false, allowUnionTypes: true });
const compiled = new Map<string, ValidateFunction>();

function validatorFor(file: string): ValidateFunction {
  let v = compiled.get(file);
  if (!v) {
    const full = path.join(SCHEMAS_DIR, file);
    if (!existsSync(full)) throw new Error(`schema ${file} not found in ${SCHEMAS_DIR}`);
    v = ajv.compile(JSON.parse(readFileSync(full, 'utf8'))) as ValidateFunction;
    compiled.set(file, v);
  }
  return v;
}

/** Throws 400 InvalidRequestContent with the failing property in `target`. */
export function validateAgainst(file: string, body: unknown): void {
  const v = validatorFor(file);
  if (v(body)) return;
  const err = (v.errors ?? [])[0] as ErrorObject | undefined;
  if (!err) throw new ArmError(400, 'InvalidRequestContent', 'The request content is invalid.');
  let target = err.instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
  if (err.keyword === 'required') target = [target, (err.params as any).missingProperty].filter(Boolean).join('.');
  if (err.keyword === 'additionalProperties') target = [target, (err.params as any).additionalProperty].filter(Boolean).join('.');
  const what = err.keyword === 'required' ? 'is required' : err.keyword === 'enum' ? `must be one of ${JSON.stringify((err.params as any).allowedValues)}` : err.message;
  throw new ArmError(400, 'InvalidRequestContent', `The request content is invalid: property '${target || '(body)'}' ${what}.`, { target: target || undefined });
}
