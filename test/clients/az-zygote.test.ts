// The tests' az zygote (test/support/az-zygote): a command run through it must be the same az 2.45 command as
// /usr/bin/az run directly (same stdout, stderr and exit code, success and failure alike), each command must see
// only its own environment and config dir (no state reaches one command from another), several run at once, and a
// timeout kills the command it ends.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { AzSession, azClient, azPathEnv, azZygote, azZygotePid, ensureAz, execAz } from '../support/az.js';
import { startTestEmulator, SUB, type TestEmulator } from '../support/emulator.js';
import { waitUntil } from '../support/wait.js';

interface Out {
  code: number;
  stdout: string;
  stderr: string;
}

const result = (resolve: (o: Out) => void) => (err: any, stdout: string, stderr: string) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });

/** /usr/bin/az itself, with the session's environment. */
function realAz(s: AzSession, args: string[]): Promise<Out> {
  return new Promise((resolve) => execFile('/usr/bin/az', args, { env: s.env(), timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, result(resolve)));
}

/** The same command through the zygote (fails the test when there is none: this file is about it). */
async function zygoteAz(s: AzSession, args: string[], timeoutMs = 120_000): Promise<Out> {
  assert.ok(await azZygote(s.env()), 'the zygote started');
  return new Promise((resolve) => execAz(args, s.env(), timeoutMs, result(resolve)));
}

describe('az zygote: the same az 2.45 commands as /usr/bin/az, one fresh process each', function () {
  this.timeout(240_000);
  let emu: TestEmulator;
  let a: AzSession;
  before(async function () {
    if (process.env.ARM_EMULATOR_TEST_AZ === 'exec') this.skip();
    ensureAz();
    emu = await startTestEmulator();
    a = new AzSession(emu);
    await a.login();
  });
  after(async () => emu?.close());

  it('prints what /usr/bin/az prints, with its exit code, for successes and errors', async () => {
    await a.ok(['group', 'create', '-n', 'zyg-rg', '-l', 'westeurope', '--tags', 'via=zygote']);
    const cases = [
      ['group', 'show', '-n', 'zyg-rg', '-o', 'json'],
      ['account', 'show', '-o', 'json'],
      ['cloud', 'list', '-o', 'table'],
      ['group', 'show', '-n', 'no-such-rg'], // exit 3, ARM's error
      ['group', 'list', '--no-such-flag'], // exit 2, az's argument error
      ['rest', '--method', 'get', '--url', `/subscriptions/${SUB}/resourcegroups/zyg-rg`], // exit 1, missing api-version
    ];
    for (const args of cases) {
      const [real, zyg] = await Promise.all([realAz(a, args), zygoteAz(a, args)]);
      assert.deepEqual(zyg, real, `az ${args.join(' ')}`);
    }
    const shown = JSON.parse((await zygoteAz(a, ['group', 'show', '-n', 'zyg-rg', '-o', 'json'])).stdout);
    assert.deepEqual(shown.tags, { via: 'zygote' });
    const codes = await Promise.all(cases.slice(3).map((args) => zygoteAz(a, args)));
    assert.deepEqual(
      codes.map((c) => c.code),
      [3, 2, 1],
    );
  });

  it('gives each command its own config dir and environment, several at once', async () => {
    const b = new AzSession(emu); // never logged in: its own config dir
    const runs = await Promise.all([
      zygoteAz(a, ['account', 'show', '-o', 'json']),
      zygoteAz(b, ['account', 'show', '-o', 'json']),
      zygoteAz(a, ['cloud', 'show', '-o', 'json']),
      zygoteAz(b, ['cloud', 'show', '-o', 'json']),
      zygoteAz(a, ['group', 'list', '-o', 'tsv', '--query', '[].name']),
      zygoteAz(b, ['cloud', 'list', '-o', 'tsv', '--query', '[].name']),
      zygoteAz(a, ['cloud', 'list', '-o', 'tsv', '--query', '[].name']),
    ]);
    assert.equal(runs[0].code, 0, runs[0].stderr);
    assert.equal(JSON.parse(runs[0].stdout).id, SUB);
    assert.equal(runs[1].code, 1);
    assert.match(runs[1].stderr, /Please run 'az login'/);
    assert.equal(JSON.parse(runs[2].stdout).name, 'Emu');
    assert.equal(JSON.parse(runs[3].stdout).name, 'AzureCloud');
    assert.match(runs[4].stdout, /^zyg-rg$/m);
    // registered clouds live in the config dir's clouds.config (az reads its path at import: a zygote that had
    // imported azure.cli with a's environment would show a's cloud to b)
    assert.doesNotMatch(runs[5].stdout, /^Emu$/m);
    assert.match(runs[6].stdout, /^Emu$/m);
    // the environment of the command, not of the zygote or of an earlier command: output format from the env
    const table = await new Promise<Out>((resolve) => execAz(['group', 'list', '--query', '[].name'], { ...a.env(), AZURE_CORE_OUTPUT: 'tsv' }, 60_000, result(resolve)));
    assert.match(table.stdout, /^zyg-rg$/m);
    const json = await zygoteAz(a, ['group', 'list', '--query', '[].name']);
    assert.deepEqual(JSON.parse(json.stdout).includes('zyg-rg'), true);
  });

  it("is `az` on a script's PATH: same streams, exit codes and working directory", async () => {
    const env = await azPathEnv(a.env());
    const script = 'command -v az; cd /tmp; az group show -n zyg-rg --query name -o tsv; az group show -n nope >/dev/null 2>&1 || echo "code $?"; pwd';
    // async: the emulator answering az lives in this process
    const out = await new Promise<Out>((resolve) => execFile('bash', ['-c', script], { env, timeout: 120_000 }, result(resolve)));
    assert.equal(out.stdout, `${azClient()}\nzyg-rg\ncode 3\n/tmp\n`, out.stderr);
  });

  it('kills a command whose caller timed out', async () => {
    const env = a.env();
    const zpid = azZygotePid(env);
    assert.ok(zpid);
    // waits for a group that is never created (az polls every second for a minute), ended after 3 s
    const r = await zygoteAz(a, ['group', 'wait', '-n', 'never-made', '--created', '--interval', '1', '--timeout', '60'], 3_000);
    assert.notEqual(r.code, 0);
    const children = () => spawnSync('ps', ['-o', 'pid=', '--ppid', String(zpid)], { encoding: 'utf8' }).stdout.trim();
    await waitUntil(async () => (children() === '' ? true : undefined), { what: 'the timed-out command to be gone', timeoutMs: 20_000, everyMs: 100 });
  });
});
