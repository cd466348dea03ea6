// Runs a Python script of test/support/python with Debian's /usr/bin/python3 (python3-azure, which
// comes with azure-cli) against a test emulator, and returns the JSON it prints.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { CA_PATH, CLIENT_ID, SECRET, SUB, TENANT, type TestEmulator } from './emulator.js';

export function runPython(emu: TestEmulator, script: string, env: Record<string, string> = {}, timeoutMs = 120_000): Promise<any> {
  const file = path.resolve('test/support/python', script);
  return new Promise((resolve, reject) => {
    execFile(
      '/usr/bin/python3',
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
