// The messages between the emulator and a template worker, and how errors cross the thread boundary
// (an ArmError or TemplateError arrives as one, with its status, code, target, details and
// additionalInfo). Plain data only: everything here goes through postMessage's structured clone.

import { ArmError, type ErrorDetail } from '../../arm/errors.js';
import { ExpressionError, TemplateError } from '../errors.js';
import { LimitErrors } from '../limits.js';

export type JobName = 'accept' | 'deploy' | 'validate' | 'whatIf' | 'hash';

/** Emulator → worker. */
export type ToWorker =
  /** `optional`: the optional TemplateHost methods the emulator's host has (the proxy offers only those). */
  | { t: 'job'; id: number; job: JobName; args: unknown; timeLimitMs: number; optional: string[] }
  | { t: 'cancel'; id: number }
  | { t: 'reply'; call: number; ok: boolean; value?: unknown; error?: SerializedError };

/** Worker → emulator. */
export type FromWorker =
  | { t: 'call'; id: number; call: number; method: string; args: unknown[] }
  | { t: 'sync'; id: number; method: string; args: unknown[] }
  | { t: 'event'; id: number; value: unknown }
  | { t: 'done'; id: number; ok: boolean; value?: unknown; error?: SerializedError };

export interface SerializedError {
  kind: 'arm' | 'expression' | 'abort' | 'other';
  message: string;
  status?: number;
  code?: string;
  target?: string;
  details?: ErrorDetail[];
  additionalInfo?: { type: string; info: unknown }[];
}

export function encodeError(e: unknown): SerializedError {
  if (e instanceof ArmError) {
    return {
      kind: 'arm',
      message: e.message,
      status: e.status,
      code: e.code,
      target: e.target,
      details: e.details,
      additionalInfo: (e as TemplateError).additionalInfo,
    };
  }
  if (e instanceof ExpressionError) return { kind: 'expression', message: e.message };
  if (e instanceof RangeError && /call stack/i.test(e.message)) return { kind: 'expression', message: LimitErrors.nesting().message };
  if (e instanceof Error && e.name === 'AbortError') return { kind: 'abort', message: e.message };
  return { kind: 'other', message: e instanceof Error ? e.message : String(e) };
}

export function decodeError(s: SerializedError): Error {
  switch (s.kind) {
    case 'arm': {
      const e = new TemplateError(s.status ?? 500, s.code ?? 'InternalServerError', s.message, { target: s.target, details: s.details });
      if (s.additionalInfo) (e as { additionalInfo?: unknown }).additionalInfo = s.additionalInfo;
      return e;
    }
    case 'expression':
      return new ExpressionError(s.message);
    case 'abort':
      return Object.assign(new Error(s.message), { name: 'AbortError' });
    default:
      return new Error(s.message);
  }
}

/**
 * The shared buffer of a worker's synchronous calls (the type catalogue): the worker posts a 'sync'
 * message and waits on word 0; the emulator writes the JSON answer's length in word 1 and its bytes
 * from byte 8, then sets word 0 to 1 and wakes it.
 */
export const SYNC_BUFFER_BYTES = 1 << 20;
export const SYNC_HEADER_BYTES = 8;
