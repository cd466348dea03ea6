// Request bodies on the wire: JSON read strictly (a BOM allowed), every failure a 400 naming what is wrong.
// Schema validation of a parsed body lives in the framework (src/framework/schema.ts).

import { Errors } from './errors.js';

export function parseJsonBody(raw: Buffer | undefined): unknown {
  if (!raw || raw.length === 0) return undefined;
  const text = raw.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw Errors.invalidRequestContent(`The request content was invalid and could not be deserialized: '${(e as Error).message}'.`);
  }
}
