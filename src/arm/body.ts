// Request bodies on the wire: JSON read strictly (a BOM allowed), every failure a 400 naming what is wrong.
// Schema validation of a parsed body lives in the framework (src/framework/schema.ts).

import type { IncomingMessage } from 'node:http';
import { Errors } from './errors.js';

/**
 * A request's body, up to `limit` bytes: past it (declared or sent) the caller's tooLarge error, without buffering
 * the rest (a declared excess is drained so the socket can answer); a stream error becomes the caller's unreadable.
 * Each door (ARM, the token form, the Kubernetes API) names its own errors.
 */
export function readLimited(req: IncomingMessage, limit: number, errors: { tooLarge: () => Error; unreadable: (e: Error) => Error }): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(errors.tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(errors.tooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (failed) return;
      failed = true;
      reject(errors.unreadable(e));
    });
  });
}

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
