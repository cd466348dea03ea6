// The little shell of the command pod: what `az aks command invoke --command "..."` hands to `sh -c` at AKS,
// as far as people write it: words with quotes and backslashes, `&&`, `||`, `;` and new lines between
// commands, `|` between the commands of a pipeline, here-documents (`kubectl apply -f - <<EOF`), and `2>&1`
// (stdout and stderr end up in one log anyway). Variables, globs and subshells are not expanded.

export interface SimpleCommand {
  argv: string[];
  /** A here-document's text (its stdin). */
  stdin?: string;
}

/** Commands of a pipeline, and how the pipeline joins the one before it. */
export interface Pipeline {
  join: '&&' | '||' | ';';
  commands: SimpleCommand[];
}

export class ShellSyntaxError extends Error {}

type Token = { t: 'word'; v: string } | { t: 'op'; v: '&&' | '||' | ';' | '|' };

export function parseScript(text: string): Pipeline[] {
  const tokens: Token[] = [];
  // Here-documents waiting for the end of their line: the command they feed and their delimiter.
  const pending: { cmd: { stdin?: string }; delim: string; strip: boolean }[] = [];
  const cmdsStdin: { stdin?: string }[] = [];
  let current: { stdin?: string } = {};
  let i = 0;
  const n = text.length;
  const pushOp = (v: '&&' | '||' | ';' | '|') => {
    tokens.push({ t: 'op', v });
    cmdsStdin.push(current);
    current = {};
  };
  while (i < n) {
    const c = text[i];
    if (c === '\n') {
      i++;
      // The bodies of here-documents opened on this line follow it.
      for (const h of pending.splice(0)) {
        const lines: string[] = [];
        let found = false;
        while (i < n) {
          const end = text.indexOf('\n', i);
          const line = text.slice(i, end < 0 ? n : end);
          i = end < 0 ? n : end + 1;
          const cmp = h.strip ? line.replace(/^\t+/, '') : line;
          if (cmp === h.delim) {
            found = true;
            break;
          }
          lines.push(cmp);
        }
        if (!found) throw new ShellSyntaxError(`sh: 1: here-document delimited by end-of-file (wanted \`${h.delim}')`);
        h.cmd.stdin = lines.map((l) => `${l}\n`).join('');
      }
      pushOp(';');
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (text.startsWith('&&', i) || text.startsWith('||', i)) {
      pushOp(text.slice(i, i + 2) as '&&' | '||');
      i += 2;
      continue;
    }
    if (c === ';' || c === '|') {
      pushOp(c);
      i++;
      continue;
    }
    if (c === '&') throw new ShellSyntaxError('sh: 1: background jobs (&) are not run by the command pod');
    if (text.startsWith('<<', i)) {
      i += 2;
      const strip = text[i] === '-';
      if (strip) i++;
      while (text[i] === ' ') i++;
      const w = readWord(text, i);
      if (!w.word) throw new ShellSyntaxError('sh: 1: Syntax error: redirection unexpected');
      i = w.end;
      pending.push({ cmd: current, delim: w.word, strip });
      continue;
    }
    // 2>&1, 1>&2 and >/dev/null: one log takes both streams; other redirections are refused.
    const redir = /^(\d?>&\d|\d?>\s*\/dev\/null)/.exec(text.slice(i));
    if (redir) {
      i += redir[0].length;
      continue;
    }
    if (c === '>' || c === '<' || /^\d[<>]/.test(text.slice(i, i + 2)))
      throw new ShellSyntaxError('sh: 1: redirection to or from files is not supported by the command pod (attach files with --file)');
    const w = readWord(text, i);
    tokens.push({ t: 'word', v: w.word });
    i = w.end;
  }
  if (pending.length) throw new ShellSyntaxError(`sh: 1: here-document delimited by end-of-file (wanted \`${pending[0].delim}')`);
  cmdsStdin.push(current);

  // Tokens -> pipelines. Each op closed a command; stdin records line up with the commands they closed.
  const out: Pipeline[] = [];
  let join: Pipeline['join'] = ';';
  let pipe: SimpleCommand[] = [];
  let argv: string[] = [];
  let k = 0;
  const closeCommand = (allowEmpty: boolean) => {
    const stdin = cmdsStdin[k++]?.stdin;
    if (!argv.length) {
      if (!allowEmpty) throw new ShellSyntaxError('sh: 1: Syntax error: unexpected operator');
      return;
    }
    pipe.push(stdin !== undefined ? { argv, stdin } : { argv });
    argv = [];
  };
  for (const t of tokens) {
    if (t.t === 'word') {
      argv.push(t.v);
      continue;
    }
    if (t.v === '|') {
      closeCommand(false);
      continue;
    }
    const empty = argv.length === 0 && pipe.length === 0;
    if (empty && t.v !== ';') throw new ShellSyntaxError(`sh: 1: Syntax error: "${t.v}" unexpected`);
    closeCommand(true);
    if (pipe.length) out.push({ join, commands: pipe });
    pipe = [];
    if (!empty || t.v !== ';') join = t.v;
  }
  closeCommand(true);
  if (pipe.length) out.push({ join, commands: pipe });
  else if (join !== ';') throw new ShellSyntaxError('sh: 1: Syntax error: end of file unexpected');
  return out;
}

function readWord(text: string, start: number): { word: string; end: number } {
  let i = start;
  let word = '';
  while (i < text.length) {
    const c = text[i];
    if (' \t\r\n;&|<>'.includes(c)) break;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new ShellSyntaxError('sh: 1: Syntax error: Unterminated quoted string');
      word += text.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    if (c === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new ShellSyntaxError('sh: 1: Syntax error: Unterminated quoted string');
        const d = text[i];
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1])) {
          if (text[i + 1] !== '\n') word += text[i + 1];
          i += 2;
          continue;
        }
        word += d;
        i++;
      }
      continue;
    }
    if (c === '\\' && i + 1 < text.length) {
      if (text[i + 1] !== '\n') word += text[i + 1];
      i += 2;
      continue;
    }
    word += c;
    i++;
  }
  return { word, end: i };
}

export interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

export type Exec = (argv: string[], stdin: string) => Promise<Output>;

/**
 * Runs a script: each pipeline's commands get the previous one's stdout as stdin (a here-document wins);
 * the log is what a terminal would show, stdout and stderr in the order they were written.
 */
export async function runScript(script: Pipeline[], exec: Exec): Promise<{ exitCode: number; logs: string }> {
  let code = 0;
  let logs = '';
  for (const p of script) {
    if (p.join === '&&' && code !== 0) continue;
    if (p.join === '||' && code === 0) continue;
    let stdin = '';
    for (let j = 0; j < p.commands.length; j++) {
      const c = p.commands[j];
      const r = await exec(c.argv, c.stdin ?? stdin);
      code = r.code;
      // kubectl reports its errors after what it printed (apply and get go on past a failing object).
      if (j === p.commands.length - 1) logs += r.stdout;
      else stdin = r.stdout;
      logs += r.stderr;
    }
  }
  return { exitCode: code, logs };
}
