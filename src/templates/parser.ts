// Parser for template language expressions. A JSON string is an expression when it starts with `[`
// and ends with `]`; `[[` at the start escapes it (the value is the string without its first `[`).
// Grammar:  expr := primary ( '.' identifier | '[' expr ']' )*
//           primary := string | number | name ( '.' name )? '(' ( expr ( ',' expr )* )? ')'
// (`ns.fn(...)` calls a user-defined function; there are no operators: true()/false()/null() are
// functions.) Parsed expressions are cached by text: a 200-copy loop parses each string once.

import { ExprErrors } from './errors.js';
import { tokenize, TOKEN_NAMES, type Token, type TokenKind } from './tokenizer.js';

export type Expr =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'call'; name: string; namespace?: string; args: Expr[] }
  | { kind: 'member'; object: Expr; name: string }
  | { kind: 'index'; object: Expr; index: Expr };

export const MAX_EXPRESSION_LENGTH = 24576;

/** Classifies a template string: a literal (with `[[` unescaped) or the expression text inside `[...]`. */
export function classify(s: string): { literal: string } | { expression: string } {
  if (s.length >= 2 && s[0] === '[' && s[s.length - 1] === ']') {
    if (s[1] === '[') return { literal: s.slice(1) };
    return { expression: s.slice(1, -1) };
  }
  return { literal: s };
}

export function isExpression(v: unknown): v is string {
  return typeof v === 'string' && v.length >= 2 && v[0] === '[' && v[1] !== '[' && v[v.length - 1] === ']';
}

const cache = new Map<string, Expr>();

export function parseExpression(text: string): Expr {
  const hit = cache.get(text);
  if (hit) return hit;
  if (text.length + 2 > MAX_EXPRESSION_LENGTH) {
    throw ExprErrors.generic(`The language expression length limit exceeded. Limit: '${MAX_EXPRESSION_LENGTH}' and actual: '${text.length + 2}'.`);
  }
  const p = new Parser(tokenize(text, text), text);
  const e = p.expr();
  p.expect('end');
  if (cache.size > 50000) cache.clear();
  cache.set(text, e);
  return e;
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly whole: string,
  ) {}

  peek(): Token {
    return this.tokens[this.i];
  }
  next(): Token {
    return this.tokens[this.i++];
  }
  expect(kind: TokenKind): Token {
    const t = this.next();
    if (t.kind !== kind) throw ExprErrors.parse(this.whole, TOKEN_NAMES[kind], TOKEN_NAMES[t.kind]);
    return t;
  }

  expr(): Expr {
    let e = this.primary();
    for (;;) {
      const t = this.peek();
      if (t.kind === '.') {
        this.next();
        const name = this.expect('identifier').value;
        e = { kind: 'member', object: e, name };
      } else if (t.kind === '[') {
        this.next();
        const index = this.expr();
        this.expect(']');
        e = { kind: 'index', object: e, index };
      } else {
        return e;
      }
    }
  }

  primary(): Expr {
    const t = this.next();
    if (t.kind === 'string') return { kind: 'string', value: t.value };
    if (t.kind === 'number') return { kind: 'number', value: Number(t.value) };
    if (t.kind === 'identifier') {
      let name = t.value;
      let namespace: string | undefined;
      if (this.peek().kind === '.') {
        this.next();
        namespace = name;
        name = this.expect('identifier').value;
      }
      this.expect('(');
      const args: Expr[] = [];
      if (this.peek().kind !== ')') {
        for (;;) {
          args.push(this.expr());
          if (this.peek().kind === ',') {
            this.next();
            continue;
          }
          break;
        }
      }
      this.expect(')');
      return namespace ? { kind: 'call', name, namespace, args } : { kind: 'call', name, args };
    }
    throw ExprErrors.parse(this.whole, 'Identifier', TOKEN_NAMES[t.kind]);
  }
}

/** Visits every call in an expression (for implicit dependencies and "not expected here" checks). */
export function walkCalls(e: Expr, visit: (call: Extract<Expr, { kind: 'call' }>) => void): void {
  switch (e.kind) {
    case 'call':
      visit(e);
      for (const a of e.args) walkCalls(a, visit);
      break;
    case 'member':
      walkCalls(e.object, visit);
      break;
    case 'index':
      walkCalls(e.object, visit);
      walkCalls(e.index, visit);
      break;
  }
}
