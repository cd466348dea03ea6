// Starts a Node script as a child process and resolves with the URL it prints ('listening on ...').
import { spawn, type ChildProcess } from 'node:child_process';

export function startProcess(script: string, args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (https?:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.once('exit', (c) => reject(new Error(`${script} exited ${c}`)));
  });
}
