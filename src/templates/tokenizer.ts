// Tokenizer for ARM template language expressions: the text between the outer `[` and `]` of a
// template string. Tokens: identifiers (function and namespace names), string literals in single
// quotes with '' as the escaped quote, integer and decimal numbers, and the punctuation ( ) [ ] , .

import { ExprErrors } from './errors.js';

export type TokenKind = 'identifier' | 'string' | 'number' | '(' | ')' | '[' | ']' | ',' | '.' | 'end';

export interface Token {
  kind: TokenKind;
  value: string;
  pos: number;
}

/** ARM's names for token kinds, used in parse errors ("expected token 'RightParenthesis'"). */
export const TOKEN_NAMES: Record<TokenKind, string> = {
  identifier: 'Identifier',
  string: 'Literal',
  number: 'Integer',
  '(': 'LeftParenthesis',
  ')': 'RightParenthesis',
  '[': 'LeftSquareBracket',
  ']': 'RightSquareBracket',
  ',': 'Comma',
  '.': 'Dot',
  end: 'EndOfData',
};

const isIdStart = (c: string) => /[A-Za-z_$]/.test(c);
const isIdPart = (c: string) => /[A-Za-z0-9_$]/.test(c);
const isDigit = (c: string) => c >= '0' && c <= '9';

export function tokenize(text: string, whole: string = text): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
      continue;
    }
    if ('()[],.'.includes(c)) {
      tokens.push({ kind: c as TokenKind, value: c, pos: i });
      i++;
      continue;
    }
    if (c === "'") {
      const start = i;
      let out = '';
      i++;
      for (;;) {
        if (i >= text.length) {
          throw ExprErrors.syntax(whole, `the string character ''' at position '${start}' is not terminated.`);
        }
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            out += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        out += text[i++];
      }
      tokens.push({ kind: 'string', value: out, pos: start });
      continue;
    }
    if (isDigit(c) || ((c === '-' || c === '+') && isDigit(text[i + 1] ?? ''))) {
      const start = i;
      i++;
      while (i < text.length && isDigit(text[i])) i++;
      if (text[i] === '.' && isDigit(text[i + 1] ?? '')) {
        i++;
        while (i < text.length && isDigit(text[i])) i++;
      }
      tokens.push({ kind: 'number', value: text.slice(start, i), pos: start });
      continue;
    }
    if (isIdStart(c)) {
      const start = i;
      while (i < text.length && isIdPart(text[i])) i++;
      tokens.push({ kind: 'identifier', value: text.slice(start, i), pos: start });
      continue;
    }
    throw ExprErrors.syntax(whole, `the string character '${c}' at position '${i}' is not expected.`);
  }
  tokens.push({ kind: 'end', value: '', pos: text.length });
  return tokens;
}
