// Runs Python scripts (test/support/python, and the tests' inline `-c` ones) with Debian's /usr/bin/python3
// (python3-azure, which comes with azure-cli; python3-kubernetes) against a test emulator.
//
// Each script is a fresh process of /usr/bin/python3, started cheaply: a zygote (az-zygote/zygote.py --python, one
// per test process and environment, started on first use) has imported once the SDKs the scripts import (their
// imports were most of a script's 0.5-2.5 s of CPU) and forks one child per script, which takes the script's argv,
// environment, working directory and stdio and runs it as Python runs a script. The client is the az client
// (az-zygote/az.c) started as `python3` (a symbolic link); without a zygote, or when it refuses (an interpreter option, an
// environment it cannot serve), that client becomes /usr/bin/python3 itself. ARM_EMULATOR_TEST_PYTHON=exec runs
// /usr/bin/python3 for every script.
import { execFile, type ExecFileOptions } from 'node:child_process';
import path from 'node:path';
import { pythonClient, pythonZygote } from './az.js';
import { CA_PATH, CLIENT_ID, SECRET, SUB, TENANT, type TestEmulator } from './emulator.js';

const PYTHON = '/usr/bin/python3';

export type PythonOptions = ExecFileOptions & { env: NodeJS.ProcessEnv; /** written to the script's stdin, then closed */ input?: string };

/** execFile('/usr/bin/python3', args, options, done), as a fresh process forked from the scripts' zygote. */
export function execPython(args: string[], options: PythonOptions, done: (err: Error | null, stdout: string, stderr: string) => void): void {
  const { input, ...rest } = options;
  void pythonZygote(options.env).then((socket) => {
    const client = socket ? pythonClient() : undefined;
    const opts: ExecFileOptions = client ? { ...rest, env: { ...rest.env, ARM_EMULATOR_PY_ZYGOTE: socket } } : rest;
    const child = execFile(client ?? PYTHON, args, { ...opts, encoding: 'utf8' }, (err, stdout, stderr) => done(err, String(stdout), String(stderr)));
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** execPython as a promise: stdout and stderr, or the error (with them) when the script fails. */
export function execPythonOk(args: string[], options: PythonOptions): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => execPython(args, options, (err, stdout, stderr) => (err ? reject(Object.assign(err, { stdout, stderr })) : resolve({ stdout, stderr }))));
}

/** Runs a script of test/support/python against a test emulator and returns the JSON it prints. */
export function runPython(emu: TestEmulator, script: string, env: Record<string, string> = {}, timeoutMs = 120_000): Promise<any> {
  const file = path.resolve('test/support/python', script);
  return new Promise((resolve, reject) => {
    execPython(
      [file],
      {
        timeout: timeoutMs,
        maxBuffer: 8 * 1024 * 1024,
        env: { ...process.env, EMU_URL: emu.url, SUB, TENANT, CLIENT_ID, SECRET, REQUESTS_CA_BUNDLE: CA_PATH, SSL_CERT_FILE: CA_PATH, ...env },
      },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`python3 ${script} failed: ${stderr || err.message}`));
        try {
          resolve(JSON.parse(stdout));
        } catch {
          reject(new Error(`python3 ${script} printed no JSON: ${stdout}\n${stderr}`));
        }
      },
    );
  });
}
