// az 2.45 sends deployment bodies that are not strict JSON: `{"properties": {..., template:<the
// template file's text>}}`, with the key `template` unquoted and the file spliced in as it is
// (comments included). This reads such a body: strict JSON first, then with comments stripped and
// bare keys quoted. Only the deployment routes use it.

import { Errors } from './errors.js';
import { parseJsonBody } from './body.js';
import { plainJson } from './jsonc.js';

export function parseTolerantJson(raw: Buffer | undefined): unknown {
  try {
    return parseJsonBody(raw);
  } catch (strictError) {
    const text = raw!.toString('utf8').replace(/^\uFEFF/, '');
    try {
      return JSON.parse(quoteBareKeys(plainJson(text)));
    } catch {
      throw strictError instanceof Error ? strictError : Errors.invalidRequestContent('The request content could not be deserialized.');
    }
  }
}

/** Index of the quote that closes the JSON string opening at `start` (or past the end if none does). */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i;
}

/** Quotes object keys written as bare identifiers (`{template: ...}` → `{"template": ...}`), outside strings. */
function quoteBareKeys(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      out += text.slice(i, end + 1);
      i = end;
      continue;
    }
    if ((c === '{' || c === ',') && /^\s*[A-Za-z_$][\w$]*\s*:/.test(text.slice(i + 1, i + 200))) {
      const m = /^(\s*)([A-Za-z_$][\w$]*)(\s*):/.exec(text.slice(i + 1))!;
      out += `${c}${m[1]}"${m[2]}"${m[3]}:`;
      i += m[0].length;
      continue;
    }
    out += c;
  }
  return out;
}
