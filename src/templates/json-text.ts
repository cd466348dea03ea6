// Template text as az sends it: JSON with // and /* */ comments and trailing commas (az 2.45 sends the
// file's raw text). Strips them outside strings (src/arm/jsonc.ts, on jsonc-parser's scanner), then JSON.parse.

import { plainJson } from '../arm/jsonc.js';

export function parseTemplateText(text: string): unknown {
  return JSON.parse(plainJson(text));
}

/** The text without comments, trailing commas and a byte-order mark: plain JSON (src/arm/jsonc.ts). */
export const stripComments = plainJson;
