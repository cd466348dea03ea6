// Limits on what expressions build, so that no template can make the engine (and the process around
// it) run out of stack, memory or time: every value a function returns is at most MAX_VALUE_DEPTH
// levels deep and MAX_VALUE_SIZE characters of JSON, and one synchronous stretch of evaluation runs
// at most `evaluationTimeLimitMs`. ARM's own template limits are the model (a template is at most
// 4 MB once expanded; JSON is read at most 64 levels deep). Sizes are counted once per array or
// object (a WeakMap keeps them), so a value built from shared parts (createObject doubling) is
// measured as the JSON it would print, without printing it.

import { ExpressionError } from './errors.js';

/** JSON nesting a value may have (ARM reads JSON at most 64 levels deep). */
export const MAX_VALUE_DEPTH = 64;
/** Characters of JSON a value may print to: ARM's limit on a whole expanded template. */
export const MAX_VALUE_SIZE = 4 * 1024 * 1024;
/** Default for one synchronous stretch of evaluation (a variable, a resource body, the outputs). */
export const DEFAULT_EVALUATION_TIME_LIMIT_MS = 10_000;

let timeLimitMs = DEFAULT_EVALUATION_TIME_LIMIT_MS;

/** Sets the time limit of one synchronous stretch of evaluation (tests and the config use it). */
export function setEvaluationTimeLimit(ms: number): void {
  timeLimitMs = ms > 0 ? ms : DEFAULT_EVALUATION_TIME_LIMIT_MS;
}

export function evaluationTimeLimit(): number {
  return timeLimitMs;
}

export const LimitErrors = {
  depth: (what: string) => new ExpressionError(`The template language ${what} exceeded the nesting limit. Limit: '${MAX_VALUE_DEPTH}' levels of arrays and objects.`),
  size: (what: string, actual: number) => new ExpressionError(`The template language ${what} exceeded the size limit. Limit: '${MAX_VALUE_SIZE}' characters and actual: '${actual}'.`),
  nesting: () => new ExpressionError('The language expression is nested too deeply to be evaluated. Split it into variables.'),
  time: () =>
    new ExpressionError(
      `The template language expression evaluation exceeded the time limit. Limit: '${timeLimitMs}' milliseconds. Simplify the expression (loops over large values, repeated replace or concat).`,
    ),
};

// ---- time -------------------------------------------------------------------------------------------

// A deadline per synchronous stretch: armed at the first tick, disarmed by a microtask, which runs only
// once the stack has unwound (the stretch is over: evaluation awaits a resource read, or is done).
let armed = false;
let deadline = 0;
let ticks = 0;
const disarm = () => {
  armed = false;
};

/** Counts one unit of evaluation work; throws once the current stretch has run past the time limit. */
export function tick(): void {
  if (!armed) {
    armed = true;
    deadline = Date.now() + timeLimitMs;
    ticks = 0;
    queueMicrotask(disarm);
    return;
  }
  // Every few calls: one call can take milliseconds (replace over megabytes), so not too few.
  if ((++ticks & 7) === 0 && Date.now() > deadline) throw LimitErrors.time();
}

// ---- size and depth -----------------------------------------------------------------------------------

interface Measure {
  size: number;
  depth: number;
}

const measured = new WeakMap<object, Measure>();

function primitiveSize(v: unknown): number {
  if (typeof v === 'string') return v.length + 2;
  if (typeof v === 'number') return String(v).length;
  if (typeof v === 'boolean') return v ? 4 : 5;
  return 4; // null (and undefined, printed as null in arrays)
}

/**
 * Size (characters of JSON, escapes aside) and depth of a value. Iterative, and it stops descending past
 * MAX_VALUE_DEPTH, so a value of any depth is measured without recursion.
 */
const isLambda = (v: unknown) => typeof (v as { __lambda?: unknown }).__lambda === 'boolean';

export function measure(v: unknown): Measure {
  // A lambda is not a JSON value (it never reaches a body or an output): it counts as a leaf.
  if (v === null || typeof v !== 'object' || isLambda(v)) return { size: primitiveSize(v), depth: 0 };
  const known = measured.get(v);
  if (known) return known;
  type Frame = { node: object; children: unknown[]; keys?: string[]; i: number; size: number; depth: number };
  const frame = (node: object): Frame => {
    if (Array.isArray(node)) return { node, children: node, i: 0, size: 2, depth: 1 };
    const keys = Object.keys(node);
    return { node, children: keys.map((k) => (node as Record<string, unknown>)[k]), keys, i: 0, size: 2, depth: 1 };
  };
  const stack: Frame[] = [frame(v)];
  let result: Measure | undefined;
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.i < top.children.length) {
      const idx = top.i++;
      const c = top.children[idx];
      const keyCost = top.keys ? top.keys[idx].length + 3 : 0;
      if (c === null || typeof c !== 'object' || isLambda(c)) {
        top.size += primitiveSize(c) + keyCost + 1;
        continue;
      }
      const m = measured.get(c);
      if (m) {
        top.size += m.size + keyCost + 1;
        top.depth = Math.max(top.depth, m.depth + 1);
        continue;
      }
      if (stack.length >= MAX_VALUE_DEPTH) {
        // Deeper than the limit: report it without walking further (nothing below is cached).
        return { size: top.size, depth: MAX_VALUE_DEPTH + 1 };
      }
      top.size += keyCost + 1;
      stack.push(frame(c));
      continue;
    }
    stack.pop();
    const done: Measure = { size: top.size, depth: top.depth };
    measured.set(top.node, done);
    const parent = stack[stack.length - 1];
    if (parent) {
      parent.size += done.size;
      parent.depth = Math.max(parent.depth, done.depth + 1);
    } else {
      result = done;
    }
  }
  return result!;
}

/** Throws when a value an expression built is too deep or too large. Returns the value. */
export function checkValue<T>(v: T, what = 'expression value'): T {
  if (typeof v === 'string') {
    if (v.length > MAX_VALUE_SIZE) throw LimitErrors.size(what, v.length);
    return v;
  }
  if (v === null || typeof v !== 'object') return v;
  const m = measure(v);
  if (m.depth > MAX_VALUE_DEPTH) throw LimitErrors.depth(what);
  if (m.size > MAX_VALUE_SIZE) throw LimitErrors.size(what, m.size);
  return v;
}

/** Before building a string of `length` characters (padLeft, replace, concat, join): refuse it if too large. */
export function checkLength(length: number, what = 'expression value'): void {
  if (length > MAX_VALUE_SIZE) throw LimitErrors.size(what, length);
}

/** Parses JSON text as ARM's json() reads it: at most MAX_VALUE_DEPTH levels deep. */
export function parseJsonLimited(text: string, what = "template language function 'json'"): unknown {
  checkLength(text.length, `${what.replace(/^template language /, '')} argument`);
  // Count nesting outside strings before parsing, so a deep document never reaches the parser.
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92 /* \ */) i++;
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > MAX_VALUE_DEPTH) throw new ExpressionError(`The ${what} failed: the reader's MaxDepth of ${MAX_VALUE_DEPTH} has been exceeded at position '${i}'.`);
    } else if (c === 93 || c === 125) {
      depth--;
    }
  }
  return JSON.parse(text);
}
