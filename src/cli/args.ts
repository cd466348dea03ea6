// az-style arguments: `--name x`, `-n x`, `--name=x`, lists that take every word up to the next option
// (`--tags a=b c=d`, `--vnet-ids id1 id2`), switches (`--no-wait`) and az's three-state booleans
// (`--auto-upgrade-minor-version false`). What az would refuse is refused here with az's wording.

export class CliError extends Error {
  constructor(
    message: string,
    /** az exits 2 on a usage error and 1 on a failed request; so do the commands. */
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export type OptionKind = 'string' | 'int' | 'list' | 'switch' | 'bool';

export interface OptionSpec {
  /** The long name without dashes: 'resource-group'. */
  name: string;
  kind: OptionKind;
  /** Other spellings, with their dashes: ['-g']. */
  aliases?: string[];
  required?: boolean;
  help: string;
}

export type Parsed = Record<string, string | number | boolean | string[] | undefined>;

/** What every command takes, as az does. */
export const COMMON_OPTIONS: OptionSpec[] = [
  { name: 'output', kind: 'string', aliases: ['-o'], help: 'json (default), jsonc, tsv, none' },
  { name: 'query', kind: 'string', help: 'a JMESPath query, as az --query' },
  { name: 'subscription', kind: 'string', help: "subscription id (default: AZURE_SUBSCRIPTION_ID, else the emulator's)" },
  { name: 'only-show-errors', kind: 'switch', help: 'accepted for az compatibility' },
  { name: 'verbose', kind: 'switch', help: 'print each request' },
  { name: 'debug', kind: 'switch', help: 'print each request and response' },
  { name: 'help', kind: 'switch', aliases: ['-h'], help: 'this help' },
];

/** Parses argv against the options of one command (plus the common ones). */
export function parseOptions(command: string, argv: string[], specs: OptionSpec[]): Parsed {
  const all = [...specs, ...COMMON_OPTIONS];
  const byFlag = new Map<string, OptionSpec>();
  for (const s of all) {
    byFlag.set(`--${s.name}`, s);
    for (const a of s.aliases ?? []) byFlag.set(a, s);
  }
  const out: Parsed = {};
  const unknown: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let inline: string | undefined;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    if (eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const spec = byFlag.get(arg);
    if (!spec) {
      unknown.push(argv[i]);
      continue;
    }
    const values: string[] = [];
    if (inline !== undefined) values.push(inline);
    else if (spec.kind !== 'switch') {
      // a list takes every word up to the next option; anything else takes one
      while (i + 1 < argv.length && !isOption(argv[i + 1])) {
        values.push(argv[++i]);
        if (spec.kind !== 'list') break;
      }
    }
    if (spec.kind === 'switch') {
      if (inline !== undefined) throw new CliError(`${command}: error: argument ${arg}: ignored explicit argument '${inline}'`, 2);
      out[spec.name] = true;
      continue;
    }
    if (values.length === 0) throw new CliError(`${command}: error: argument ${arg}: expected ${spec.kind === 'list' ? 'at least one argument' : 'one argument'}`, 2);
    if (spec.kind === 'list') {
      // az also splits a single space-free value at commas for id lists; keep both spellings working
      const prev = (out[spec.name] as string[] | undefined) ?? [];
      out[spec.name] = [...prev, ...values];
    } else if (spec.kind === 'int') {
      const n = Number(values[0]);
      if (!Number.isInteger(n)) throw new CliError(`${command}: error: argument ${arg}: invalid int value: '${values[0]}'`, 2);
      out[spec.name] = n;
    } else if (spec.kind === 'bool') {
      const v = values[0].toLowerCase();
      if (!['true', 'false', 'yes', 'no', '1', '0', 'on', 'off', 'y', 'n', 't', 'f'].includes(v)) {
        throw new CliError(`${command}: error: argument ${arg}: invalid value: '${values[0]}' (use true or false)`, 2);
      }
      out[spec.name] = ['true', 'yes', '1', 'on', 'y', 't'].includes(v);
    } else out[spec.name] = values[0];
  }
  if (unknown.length) throw new CliError(`${command}: error: unrecognized arguments: ${unknown.join(' ')}`, 2);
  if (out.help) return out;
  const missing = specs.filter((s) => s.required && out[s.name] === undefined);
  if (missing.length) {
    throw new CliError(`${command}: error: the following arguments are required: ${missing.map((s) => [`--${s.name}`, ...(s.aliases ?? [])].join('/')).join(', ')}`, 2);
  }
  return out;
}

function isOption(word: string): boolean {
  return /^--?[a-zA-Z]/.test(word);
}

/** `key=value` words (az's --tags, --configuration-settings) as an object. */
export function keyValues(command: string, flag: string, words: string[] | undefined): Record<string, string> | undefined {
  if (!words) return undefined;
  const out: Record<string, string> = {};
  for (const w of words) {
    if (w === '') continue; // az: --tags "" clears the tags
    const at = w.indexOf('=');
    if (at <= 0) throw new CliError(`${command}: error: argument --${flag}: '${w}' is not key=value`, 2);
    out[w.slice(0, at)] = w.slice(at + 1);
  }
  return out;
}

/** Id lists may come space- or comma-separated (az accepts both for --vnet-ids, --cluster-extension-ids). */
export function idList(words: string[] | undefined): string[] | undefined {
  return words
    ?.flatMap((w) => w.split(','))
    .map((w) => w.trim())
    .filter(Boolean);
}

/** The help text of a command: its synopsis and options, az's way. */
export function usage(command: string, summary: string, specs: OptionSpec[], examples: string[] = []): string {
  const line = (s: OptionSpec) => {
    const flags = [`--${s.name}`, ...(s.aliases ?? [])].join(' ');
    const arg = s.kind === 'switch' ? '' : s.kind === 'list' ? ' <value> [<value> ...]' : s.kind === 'bool' ? ' {false, true}' : ' <value>';
    return `    ${`${flags}${arg}`.padEnd(46)}: ${s.help}`;
  };
  const req = specs.filter((s) => s.required);
  const opt = specs.filter((s) => !s.required);
  return [
    `Command`,
    `    ${command} : ${summary}`,
    ...(req.length ? ['', 'Arguments', ...req.map(line)] : []),
    ...(opt.length ? ['', req.length ? 'Optional arguments' : 'Arguments', ...opt.map(line)] : []),
    '',
    'Global Arguments',
    ...COMMON_OPTIONS.map(line),
    ...(examples.length ? ['', 'Examples', ...examples.map((e) => `    ${e}`)] : []),
    '',
  ].join('\n');
}
