// The command pod of `az aks command invoke`: unpacks the attached files, runs the command line through the
// little shell, with kubectl against the cluster's API as the caller's identity; `helm` and other programs
// are not in this pod, and say so with a non-zero exit code as a shell would.

import type { UserInfo } from '../api.js';
import { kubectl, type KubectlHost } from './kubectl.js';
import { parseScript, runScript, ShellSyntaxError, type Output } from './shell.js';
import { readZip, ZipError, type Files } from './zip.js';

export interface CommandResult {
  exitCode: number;
  logs: string;
}

/** The attached files (base64 zip), or the reason they cannot be read. */
export function unpackContext(context: string | undefined, maxBytes?: number): Files {
  if (!context) return new Map();
  const buf = Buffer.from(context.replace(/\s+/g, ''), 'base64');
  return readZip(buf, maxBytes);
}

export async function runInPod(host: KubectlHost, cluster: string, user: UserInfo, command: string, files: Files): Promise<CommandResult> {
  let script;
  try {
    script = parseScript(command);
  } catch (e) {
    if (e instanceof ShellSyntaxError) return { exitCode: 2, logs: `${e.message}\n` };
    throw e;
  }
  return runScript(script, (argv, stdin) => program(host, cluster, user, files, argv, stdin));
}

async function program(host: KubectlHost, cluster: string, user: UserInfo, files: Files, argv: string[], stdin: string): Promise<Output> {
  const [name, ...args] = argv;
  const base = name.split('/').pop()!;
  switch (base) {
    case 'kubectl':
      return kubectl({ host, cluster, user, files }, args, stdin);
    case 'helm':
      return { code: 127, stdout: '', stderr: 'helm: helm is not available in this emulator: the command pod runs kubectl only (render the chart elsewhere and kubectl apply -f the manifests)\n' };
    case 'echo': {
      const noNewline = args[0] === '-n';
      return { code: 0, stdout: `${(noNewline ? args.slice(1) : args).join(' ')}${noNewline ? '' : '\n'}`, stderr: '' };
    }
    case 'cat': {
      if (!args.length || (args.length === 1 && args[0] === '-')) return { code: 0, stdout: stdin, stderr: '' };
      let stdout = '';
      let stderr = '';
      for (const a of args) {
        const f = files.get(a.replace(/^\.\//, ''));
        if (f) stdout += f.toString('utf8');
        else stderr += `cat: ${a}: No such file or directory\n`;
      }
      return { code: stderr ? 1 : 0, stdout, stderr };
    }
    case 'ls': {
      const names = [...files.keys()]
        .filter((k) => !k.includes('/'))
        .concat([...new Set([...files.keys()].filter((k) => k.includes('/')).map((k) => k.split('/')[0]))])
        .sort();
      return { code: 0, stdout: names.map((n) => `${n}\n`).join(''), stderr: '' };
    }
    case 'true':
      return { code: 0, stdout: '', stderr: '' };
    case 'false':
      return { code: 1, stdout: '', stderr: '' };
    case 'sleep': {
      const s = Number(args[0]);
      if (!Number.isFinite(s) || s < 0) return { code: 1, stdout: '', stderr: `sleep: invalid time interval '${args[0] ?? ''}'\n` };
      await host.sleep(s * 1000);
      return { code: 0, stdout: '', stderr: '' };
    }
    default:
      return { code: 127, stdout: '', stderr: `sh: 1: ${name}: not found\n` };
  }
}

export { ZipError };
