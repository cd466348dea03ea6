// The client commands of `arm-emulator` (everything but starting the emulator): which command runs, its
// output as az prints it (-o json|jsonc|tsv|table|none, --query in JMESPath), and errors as az reports them
// (`ERROR: ...` on stderr, exit 1; usage errors exit 2).

import readline from 'node:readline';
import jmespath from 'jmespath';
import { CliError, parseOptions, usage } from './args.js';
import { findEmulator } from './endpoint.js';
import { envCommand } from './env.js';
import { ArmClient } from './http.js';
import { HYBRID_COMMANDS, type Command } from './hybrid.js';

/** First words that name a client command (anything else starts the emulator): cli/groups.ts. */
export { CLI_GROUPS } from './groups.js';

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const stdio: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

/** Runs a client command; resolves with its exit code. */
export async function runCli(argv: string[], io: Io = stdio): Promise<number> {
  try {
    const [first] = argv;
    if (first === 'env') {
      await envCommand(argv.slice(1), io.out);
      return 0;
    }
    if (first === 'help' || first === '--help' || first === '-h') {
      io.out(overview());
      return 0;
    }
    const words: string[] = [];
    for (const a of argv) {
      if (a.startsWith('-')) break;
      words.push(a);
    }
    let command: Command | undefined;
    for (let k = words.length; k > 0 && !command; k--) command = HYBRID_COMMANDS.find((c) => c.name === words.slice(0, k).join(' '));
    if (!command) {
      const group = words.join(' ');
      const inGroup = HYBRID_COMMANDS.filter((c) => c.name.startsWith(`${group} `));
      if (inGroup.length && !argv.slice(words.length).some((a) => a !== '-h' && a !== '--help')) {
        io.out(groupHelp(group, inGroup));
        return 0;
      }
      throw new CliError(`'${group}' is not an arm-emulator command. See 'arm-emulator help'.`, 2);
    }
    const rest = argv.slice(command.name.split(' ').length);
    const opts = parseOptions(command.name, rest, command.options);
    if (opts.help) {
      io.out(usage(`arm-emulator ${command.name}`, command.summary, command.options, command.examples));
      return 0;
    }
    const log = opts.verbose || opts.debug ? (line: string) => io.err(`${line}\n`) : undefined;
    const explicit = process.env.ARM_EMULATOR_URL;
    const found = findEmulator({ url: explicit || undefined });
    // the identity the shell has (env exports it), else the emulator's well-known one
    const env = process.env;
    const target = {
      ...found,
      // 'adfs' (what env exports for the SDKs) names the authority, not the directory
      tenantId: env.AZURE_TENANT_ID && env.AZURE_TENANT_ID.toLowerCase() !== 'adfs' ? env.AZURE_TENANT_ID : found.tenantId,
      clientId: env.AZURE_CLIENT_ID || found.clientId,
      clientSecret: env.AZURE_CLIENT_SECRET || found.clientSecret,
      subscriptionId: (opts.subscription as string | undefined) || env.AZURE_SUBSCRIPTION_ID || found.subscriptionId,
    };
    const result = await command.run({
      arm: new ArmClient(target),
      opts,
      log,
      confirm: process.stdin.isTTY ? ask : undefined,
      warn: (line) => io.err(`${line}\n`),
    });
    print(result, opts.output as string | undefined, opts.query as string | undefined, io);
    return 0;
  } catch (e) {
    // `eval "$(npm run -s env)"` must fail too, not evaluate nothing and carry on
    if (argv[0] === 'env') io.out('false\n');
    if (e instanceof CliError) {
      io.err(`ERROR: ${e.message}\n`);
      return e.exitCode;
    }
    io.err(`ERROR: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

function print(result: unknown, output = 'json', query: string | undefined, io: Io): void {
  if (result === undefined) return;
  if (result && typeof result === 'object' && '__raw' in result) {
    io.out(String((result as { __raw: string }).__raw));
    return;
  }
  let value: unknown = result;
  if (query) {
    try {
      value = jmespath.search(result as any, query);
    } catch (e) {
      throw new CliError(`argument --query: invalid jmespath_type value: '${query}' (${e instanceof Error ? e.message : e})`, 2);
    }
  }
  switch (output) {
    case 'json':
    case 'jsonc':
      io.out(`${JSON.stringify(value, null, 2)}\n`);
      return;
    case 'none':
      return;
    case 'tsv':
      io.out(tsv(value));
      return;
    case 'table':
      io.out(table(value));
      return;
    default:
      throw new CliError(`argument --output/-o: invalid choice: '${output}' (choose from 'json', 'jsonc', 'none', 'table', 'tsv')`, 2);
  }
}

const scalar = (v: unknown) => v === null || typeof v !== 'object';
/** As az prints a scalar in tsv and tables: Python's spelling of booleans and null. */
const cell = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v));

function tsv(value: unknown): string {
  const rows = Array.isArray(value) ? value : [value];
  const row = (v: unknown): string =>
    scalar(v)
      ? cell(v)
      : Array.isArray(v)
        ? v.filter(scalar).map(cell).join('\t')
        : Object.values(v as object)
            .filter(scalar)
            .map(cell)
            .join('\t');
  return rows.length ? `${rows.map(row).join('\n')}\n` : '';
}

function table(value: unknown): string {
  const rows = (Array.isArray(value) ? value : [value]).filter((v) => v !== undefined);
  if (!rows.length) return '';
  if (rows.every(scalar)) return `Result\n${'-'.repeat(6)}\n${rows.map(cell).join('\n')}\n`;
  const objects: Record<string, unknown>[] = rows.map((r) => (scalar(r) ? { Result: r } : (r as Record<string, unknown>)));
  const cols: string[] = [];
  for (const o of objects) for (const [k, v] of Object.entries(o)) if (scalar(v) && k !== 'id' && !cols.includes(k)) cols.push(k);
  const head = cols.map((c) => c.charAt(0).toUpperCase() + c.slice(1));
  const data = objects.map((o) => cols.map((c) => cell(o[c])));
  const width = cols.map((_, i) => Math.max(head[i].length, ...data.map((d) => d[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(width[i]))
      .join('  ')
      .trimEnd();
  return `${[line(head), width.map((w) => '-'.repeat(w)).join('  '), ...data.map(line)].join('\n')}\n`;
}

function ask(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  return new Promise((resolve) =>
    rl.question(question, (a) => {
      rl.close();
      resolve(/^y(es)?$/i.test(a.trim()));
    }),
  );
}

function groupHelp(group: string, commands: Command[]): string {
  return [
    'Group',
    `    arm-emulator ${group}${STAND_IN[group.split(' ')[0]] ? ` : stand-in for \`az ${group}\` (${STAND_IN[group.split(' ')[0]]}), which cannot be installed offline` : ''}`,
    '',
    'Commands',
    ...commands.map((c) => `    ${c.name.slice(group.length + 1).padEnd(28)}: ${c.summary}`),
    '',
  ].join('\n');
}

const STAND_IN: Record<string, string> = {
  aksarc: 'the aksarc extension',
  connectedk8s: 'the connectedk8s extension',
  'k8s-extension': 'the k8s-extension extension',
  customlocation: 'the customlocation extension',
};

function overview(): string {
  return [
    'arm-emulator: an Azure Resource Manager emulator for hybrid Kubernetes',
    '',
    '    arm-emulator [--port N] [--data-dir DIR] [...]   start the emulator (README: Options)',
    '    arm-emulator env [--profile P] [--url URL]       print the shell exports; eval "$(arm-emulator env)"',
    '',
    'Stand-ins for az extensions that cannot be installed offline (same arguments; they call the emulator over HTTPS',
    'as the signed-in service principal of AZURE_CLIENT_ID / AZURE_CLIENT_SECRET, which env exports):',
    ...Object.keys(STAND_IN).map(
      (g) => `    arm-emulator ${g.padEnd(14)} ${[...new Set(HYBRID_COMMANDS.filter((c) => c.name.startsWith(`${g} `)).map((c) => c.name.slice(g.length + 1).split(' ')[0]))].join(', ')}`,
    ),
    '',
    'Each command takes -h for its arguments.',
    '',
  ].join('\n');
}
