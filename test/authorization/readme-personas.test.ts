// The README's persona commands, run as written against a fresh emulator process (`npm start`'s
// entry point), with only the port, the data directory and the time scale substituted. The script
// runs under `set -eu`: each `| grep` line fails it unless the refusal it expects is printed.
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AZ_RBAC_FIX, azPathEnv, ensureAz } from '../support/az.js';
import { tmpDir } from '../support/emulator.js';

function personasScript(): string {
  const readme = readFileSync('README.md', 'utf8');
  const at = readme.indexOf('### The personas, from a fresh `npm start`');
  assert.ok(at > 0, 'README has the personas section');
  const m = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  assert.ok(m, 'the section has a sh block');
  return m![1];
}

describe('README: the RBAC personas from a fresh npm start (real az CLI)', function () {
  this.timeout(300_000);

  it('administrator and operator commands do what the README says', async () => {
    ensureAz();
    const dir = tmpDir('readme-rbac-');
    const dataDir = path.join(dir, '.arm-emulator');
    const child = spawn(process.execPath, ['dist/src/main.js', '--port', '0', '--data-dir', dataDir, '--time-scale', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d) => {
          out += d;
          const m = /listening on (https:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.once('exit', (c) => reject(new Error(`emulator exited ${c}: ${out}`)));
      });
      let script = personasScript();
      assert.match(script, /^ARM=https:\/\/localhost:8443$/m);
      script = script.replace(/^ARM=https:\/\/localhost:8443$/m, `ARM=${url}`).replaceAll('$PWD/.arm-emulator', dataDir);
      // az in the script is az 2.45 forked from the tests' zygote (test/support/az.ts), started as Python starts for
      // the script's az: with the PYTHONPATH the script exports
      const base = { ...process.env, AZURE_CORE_NO_COLOR: 'true' };
      const zygote = await azPathEnv({ ...base, PYTHONPATH: AZ_RBAC_FIX });
      const env = { ...base, PATH: zygote.PATH, ARM_EMULATOR_AZ_ZYGOTE: zygote.ARM_EMULATOR_AZ_ZYGOTE };
      const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile('bash', ['-c', `set -eu\n${script}`], { cwd: process.cwd(), timeout: 280_000, maxBuffer: 16 * 1024 * 1024, env }, (err, stdout, stderr) =>
          resolve({ code: err ? (typeof (err as any).code === 'number' ? (err as any).code : 1) : 0, stdout, stderr }),
        );
      });
      assert.equal(r.code, 0, `script failed:\n${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /Contributor\s+\/subscriptions\/\S+\/resourceGroups\/team-a/);
      assert.match(r.stdout, /Azure Stack HCI VM Contributor\s+\/subscriptions\/\S+\/resourceGroups\/site/);
      assert.match(r.stdout, /^Succeeded$/m);
      assert.equal((r.stdout.match(/\(AuthorizationFailed\)/g) ?? []).length, 3);
      assert.match(r.stdout, /managedClusters\/write'/);
      assert.deepEqual(
        r.stdout
          .split('\n')
          .filter((l) => l === 'site' || l === 'team-a')
          .sort(),
        ['site', 'team-a'],
      );
    } finally {
      child.kill();
    }
  });
});
