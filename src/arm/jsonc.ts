// JSON with comments and trailing commas (what az 2.45 sends: a template file's raw text) turned into plain
// JSON text, so that the strict, depth-limited parsers read it. The one JSONC reader of the project: it walks
// jsonc-parser's scanner (strings, escapes and comments as the JSONC grammar has them), drops the comments
// and the commas that close nothing, and keeps everything else as written.
import { createScanner, SyntaxKind } from 'jsonc-parser';

export function plainJson(text: string): string {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const scanner = createScanner(src, false);
  const out: string[] = [];
  let comma: string[] | undefined; // a comma and the trivia after it, until the next token says whether it closes something
  for (let kind = scanner.scan(); kind !== SyntaxKind.EOF; kind = scanner.scan()) {
    if (kind === SyntaxKind.LineCommentTrivia || kind === SyntaxKind.BlockCommentTrivia) continue;
    const token = src.slice(scanner.getTokenOffset(), scanner.getTokenOffset() + scanner.getTokenLength());
    if (comma && (kind === SyntaxKind.Trivia || kind === SyntaxKind.LineBreakTrivia)) {
      comma.push(token);
      continue;
    }
    if (comma) {
      // a comma followed (past whitespace and comments) by a closing bracket closes nothing: drop it
      out.push(...(kind === SyntaxKind.CloseBraceToken || kind === SyntaxKind.CloseBracketToken ? comma.slice(1) : comma));
      comma = undefined;
    }
    if (kind === SyntaxKind.CommaToken) comma = [token];
    else out.push(token);
  }
  if (comma) out.push(...comma);
  return out.join('');
}
