// Template text as az sends it: JSON with // and /* */ comments and trailing commas (az 2.45 sends the
// file's raw text). Strips them outside strings, then JSON.parse.

export function parseTemplateText(text: string): unknown {
  return JSON.parse(stripComments(text));
}

/** The text without comments, trailing commas and a byte-order mark: plain JSON. */
export function stripComments(text: string): string {
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      const start = i++;
      while (i < n && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      out += text.slice(start, i);
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      continue;
    }
    if (c === ',') {
      let j = i + 1;
      while (j < n && /\s/.test(text[j])) j++;
      if (text[j] === '}' || text[j] === ']') { i++; continue; }
    }
    out += c;
    i++;
  }
  return out.charCodeAt(0) === 0xfeff ? out.slice(1) : out;
}
