// The client commands of arm-emulator (src/cli): `env` against a real emulator process (npm start's entry point)
// with the real az, and the stand-ins for the hybrid az extensions against an emulator over HTTPS.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseOptions, CliError, type OptionSpec } from '../../src/cli/args.js';
import { runCli } from '../../src/cli/index.js';
import { startTestEmulator, SUB, tmpDir, type TestEmulator } from '../support/emulator.js';
import { ensureAz } from '../support/az.js';
import { platform } from '../hybrid/helpers.js';

const run = promisify(execFile);
const MAIN = path.resolve('dist/src/main.js');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/** A shell environment without the test's own trust and az settings. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^(AZURE_|ARM_EMULATOR_|NODE_EXTRA_CA_CERTS$|REQUESTS_CA_BUNDLE$|CURL_CA_BUNDLE$|KUBECONFIG$|PYTHONPATH$)/.test(k)) delete env[k];
  return { ...env, AZURE_CORE_NO_COLOR: 'true', ...extra };
}

describe('arm-emulator client commands', function () {
  this.timeout(300_000);

  describe('az-style arguments', () => {
    const specs: OptionSpec[] = [
      { name: 'name', kind: 'string', aliases: ['-n'], required: true, help: '' },
      { name: 'vnet-ids', kind: 'list', help: '' },
      { name: 'count', kind: 'int', help: '' },
      { name: 'yes', kind: 'switch', aliases: ['-y'], help: '' },
      { name: 'auto-upgrade', kind: 'bool', help: '' },
    ];
    it('reads values, lists up to the next option, switches, three-state booleans and --x=y', () => {
      const o = parseOptions('t', ['-n', 'a', '--vnet-ids', 'x', 'y', '--count=3', '-y', '--auto-upgrade', 'false', '-o', 'tsv'], specs);
      assert.deepEqual(o, { name: 'a', 'vnet-ids': ['x', 'y'], count: 3, yes: true, 'auto-upgrade': false, output: 'tsv' });
    });
    it('refuses as az does: unknown arguments, a missing required one, a bad number (exit code 2)', () => {
      const code = (argv: string[]) => {
        try {
          parseOptions('aksarc create', argv, specs);
        } catch (e) {
          assert.ok(e instanceof CliError);
          return [e.exitCode, e.message];
        }
        return [0, ''];
      };
      assert.deepEqual(code(['-n', 'a', '--bogus', '1']), [2, 'aksarc create: error: unrecognized arguments: --bogus 1']);
      assert.deepEqual(code([]), [2, 'aksarc create: error: the following arguments are required: --name/-n']);
      assert.equal(code(['-n', 'a', '--count', 'x'])[0], 2);
    });
  });

  describe('env, against a real emulator process', () => {
    let dir: string;
    let child: ChildProcess;
    let url = '';
    before(async () => {
      ensureAz();
      dir = tmpDir('cli-env-');
      child = spawn(process.execPath, [MAIN, '--port', '0', '--data-dir', path.join(dir, 'data'), '--time-scale', '0'], { stdio: ['ignore', 'pipe', 'inherit'], env: cleanEnv() });
      url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d) => {
          out += d;
          const m = /listening on (https:\/\/\S+)/.exec(out);
          if (m && /eval "/.test(out)) resolve(m[1]);
        });
        child.once('exit', (c) => reject(new Error(`emulator exited ${c}: ${out}`)));
      });
    });
    after(() => child?.kill());

    const env = (args: string[] = []) => run(process.execPath, [MAIN, 'env', '--data-dir', path.join(dir, 'data'), ...args], { env: cleanEnv(), cwd: dir });

    it('npm start left endpoint.json (0600) naming its URL and certificate', () => {
      const file = path.join(dir, 'data', 'endpoint.json');
      const info = JSON.parse(readFileSync(file, 'utf8'));
      assert.equal(info.url, url);
      assert.equal(info.ca, path.join(dir, 'data', 'cert.pem'));
      assert.equal(info.pid, child.pid);
      assert.equal(statSync(file).mode & 0o777, 0o600);
    });

    it('prints exports that give az a signed-in, registered cloud of its own (Graph included), and the other clients what they read', async () => {
      const { stdout } = await env();
      assert.match(stdout, new RegExp(`^export ARM_EMULATOR_URL=${url.replace(/[/.]/g, '\\$&')}$`, 'm'));
      assert.match(stdout, /^export AZURE_TENANT_ID=adfs$/m);
      assert.match(stdout, /^export AZURE_CLOUD_ENVIRONMENT=https:\/\/localhost:\d+\/$/m);
      const script = `set -e\neval "$(cat)"\naz account show --query "[user.name, environmentName, id]" -o tsv\naz cloud show --query "endpoints.microsoftGraphResourceId" -o tsv\naz group list -o none\necho "$NODE_EXTRA_CA_CERTS $KUBECONFIG"\ncurl -s "$ARM_EMULATOR_URL/_emulator/health" | head -c 20`;
      const sh = spawn('bash', ['-c', script], { env: cleanEnv({ HOME: dir }) });
      sh.stdin.end(stdout);
      let out = '';
      let err = '';
      sh.stdout.on('data', (d) => (out += d));
      sh.stderr.on('data', (d) => (err += d));
      const code = await new Promise((r) => sh.on('close', r));
      assert.equal(code, 0, err);
      assert.match(out, /^cccccccc-0000-0000-0000-000000000001\nEmulator\nbbbbbbbb-0000-0000-0000-000000000001$/m);
      assert.match(out, new RegExp(`^${url}/graph/$`, 'm'));
      assert.match(out, /data\/cert\.pem \S+data\/kubeconfig/);
      assert.match(out, /\{"status":"Healthy"/);
      assert.ok(!existsSync(path.join(dir, '.azure')), "the user's own ~/.azure is untouched");
    });

    it('a second call reuses the signed-in folder instead of logging in again', async () => {
      const profile = path.join(dir, 'data', 'az', 'azureProfile.json');
      const before = statSync(profile).mtimeMs;
      await env();
      assert.equal(statSync(profile).mtimeMs, before);
    });

    it('an az that is not the azure.cli Python script (a wrapper here): one az process per set-up command, the same result', async () => {
      const bin = path.join(dir, 'wrapper-bin');
      const calls = path.join(dir, 'az-calls');
      mkdirSync(bin, { recursive: true });
      writeFileSync(path.join(bin, 'az'), `#!/bin/sh\necho "$1 $2" >> ${calls}\nexec /usr/bin/az "$@"\n`, { mode: 0o755 });
      rmSync(path.join(dir, 'data', 'az'), { recursive: true, force: true });
      const r = await run(process.execPath, [MAIN, 'env', '--data-dir', path.join(dir, 'data')], { env: cleanEnv({ PATH: `${bin}:${process.env.PATH}` }), cwd: dir });
      assert.deepEqual(readFileSync(calls, 'utf8').trim().split('\n'), ['cloud register', 'cloud set', 'login --service-principal']);
      const folder = /^export AZURE_CONFIG_DIR=(\S+)$/m.exec(r.stdout)![1];
      const show = await run('az', ['account', 'show', '--query', '[user.name, environmentName]', '-o', 'tsv'], { env: cleanEnv({ AZURE_CONFIG_DIR: folder }) });
      assert.equal(show.stdout, 'cccccccc-0000-0000-0000-000000000001\nEmulator\n');
    });

    it('--profile 2020-09-01-hybrid: a second folder, registered with the Hub profile', async () => {
      const { stdout } = await env(['--profile', '2020-09-01-hybrid']);
      const folder = /^export AZURE_CONFIG_DIR=(\S+)$/m.exec(stdout)![1];
      assert.match(folder, /az-2020-09-01-hybrid$/);
      const r = await run('az', ['cloud', 'show', '--query', 'profile', '-o', 'tsv'], { env: cleanEnv({ AZURE_CONFIG_DIR: folder }) });
      assert.equal(r.stdout.trim(), '2020-09-01-hybrid');
    });

    it('with nothing listening: says so on stderr and prints `false`, so that the eval fails', async () => {
      const port = await freePort();
      const r = await run(process.execPath, [MAIN, 'env', '--url', `https://localhost:${port}`], { env: cleanEnv(), cwd: dir }).catch((e) => e);
      assert.equal(r.code, 1);
      assert.equal(r.stdout.trim(), 'false');
      assert.match(r.stderr, new RegExp(`no emulator answers at https://localhost:${port}`));
    });

    it('a clean stop removes endpoint.json', async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      assert.ok(!existsSync(path.join(dir, 'data', 'endpoint.json')));
    });
  });

  describe('the stand-ins for the hybrid az extensions, over HTTPS', () => {
    let emu: TestEmulator;
    let p: Awaited<ReturnType<typeof platform>>;
    const saved: Record<string, string | undefined> = {};
    const cli = async (...argv: string[]) => {
      let out = '';
      let err = '';
      const code = await runCli(argv, { out: (s) => (out += s), err: (s) => (err += s) });
      return { code, out, err, json: () => JSON.parse(out) };
    };
    const ok = async (...argv: string[]) => {
      const r = await cli(...argv);
      assert.equal(r.code, 0, `arm-emulator ${argv.join(' ')}: ${r.err}`);
      return r;
    };
    before(async () => {
      emu = await startTestEmulator();
      p = await platform(emu);
      // what `eval "$(npm run -s env)"` leaves in the shell; the test's NODE_EXTRA_CA_CERTS trusts the test certificate
      for (const k of ['ARM_EMULATOR_URL', 'AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_SUBSCRIPTION_ID', 'ARM_EMULATOR_DATA_DIR', 'HOME', 'KUBECONFIG'])
        saved[k] = process.env[k];
      const home = tmpDir('cli-home-');
      Object.assign(process.env, {
        ARM_EMULATOR_URL: emu.url,
        AZURE_TENANT_ID: 'adfs',
        AZURE_CLIENT_ID: 'cccccccc-0000-0000-0000-000000000001',
        AZURE_CLIENT_SECRET: 'emulator-secret',
        AZURE_SUBSCRIPTION_ID: SUB,
        ARM_EMULATOR_DATA_DIR: path.join(home, 'none'),
        HOME: home,
        KUBECONFIG: path.join(home, 'kubeconfig'),
      });
    });
    after(async () => {
      for (const [k, v] of Object.entries(saved))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      await emu?.close();
    });

    it('aksarc create: the connected cluster, the offers of the custom location, then the cluster, as az aksarc sends them', async () => {
      const r = await ok(
        'aksarc',
        'create',
        '-g',
        'arc',
        '-n',
        'c1',
        '--custom-location',
        p.cl,
        '--vnet-ids',
        'aks-lnet',
        '--control-plane-count',
        '1',
        '--node-count',
        '2',
        '--generate-ssh-keys',
        '--enable-ahub',
        '--nodepool-labels',
        'tier=web',
      );
      const c = r.json();
      assert.equal(c.properties.provisioningState, 'Succeeded');
      assert.equal(c.extendedLocation.name, p.cl);
      assert.deepEqual(c.properties.cloudProviderProfile.infraNetworkProfile.vnetSubnetIds, [p.lnet]);
      assert.equal(c.properties.licenseProfile.azureHybridBenefit, 'True');
      assert.match(c.properties.linuxProfile.ssh.publicKeys[0].keyData, /^ssh-rsa AAAA/);
      assert.match(r.err, /SSH key files .* have been generated/);
      assert.ok(existsSync(path.join(process.env.HOME!, '.ssh', 'id_rsa')));
      // what it wrote on the custom location, as the extension does
      const versions = await emu.http().get(`${p.cl}/providers/Microsoft.HybridContainerService/kubernetesVersions/default?api-version=2024-01-01`);
      assert.equal(versions.status, 200);
      // the default version: the newest ready one the custom location offers
      const newest = (await ok('aksarc', 'get-versions', '-g', 'arc', '--custom-location', 'cl1', '--query', 'properties.values[].patchVersions.keys(@)[]', '-o', 'tsv')).out
        .trim()
        .split('\n')
        .sort()
        .pop();
      assert.equal(c.properties.kubernetesVersion, newest);
      const cc = (await emu.http().get(`/subscriptions/${SUB}/resourceGroups/arc/providers/Microsoft.Kubernetes/connectedClusters/c1?api-version=2024-01-01`)).body;
      assert.equal(cc.kind, 'ProvisionedCluster');
      const pools = (await ok('aksarc', 'nodepool', 'list', '-g', 'arc', '--cluster-name', 'c1')).json();
      assert.deepEqual(
        pools.map((x: any) => [x.name, x.properties.count, x.properties.osSKU, x.properties.nodeLabels]),
        [['nodepool1', 2, 'CBLMariner', { tier: 'web' }]],
      );
    });

    it('show / list with --query and -o tsv|table; nodepool add, scale, delete; get-credentials into KUBECONFIG', async () => {
      assert.equal((await ok('aksarc', 'show', '-g', 'arc', '-n', 'c1', '--query', 'properties.controlPlane.count', '-o', 'tsv')).out, '1\n');
      assert.match((await ok('aksarc', 'list', '-g', 'arc', '-o', 'table')).out, /^default\s+Microsoft\.HybridContainerService\/provisionedClusterInstances/m);
      await ok('aksarc', 'nodepool', 'add', '-g', 'arc', '--cluster-name', 'c1', '-n', 'win1', '--os-type', 'Windows', '-o', 'none');
      assert.equal((await ok('aksarc', 'nodepool', 'scale', '-g', 'arc', '--cluster-name', 'c1', '-n', 'nodepool1', '--node-count', '3', '--query', 'properties.count', '-o', 'tsv')).out, '3\n');
      assert.equal((await ok('aksarc', 'nodepool', 'show', '-g', 'arc', '--cluster-name', 'c1', '-n', 'win1', '--query', 'properties.osSKU', '-o', 'tsv')).out, 'Windows2022\n');
      const owners = (
        await emu
          .http()
          .get(
            `/_emulator/fabric/owners?id=${encodeURIComponent(`/subscriptions/${SUB}/resourceGroups/arc/providers/Microsoft.Kubernetes/connectedClusters/c1/providers/Microsoft.HybridContainerService/provisionedClusterInstances/default`)}`,
          )
      ).body;
      assert.equal(JSON.stringify(owners).match(/"role":"worker"/g)?.length, 4, JSON.stringify(owners));
      await ok('aksarc', 'nodepool', 'delete', '-g', 'arc', '--cluster-name', 'c1', '-n', 'win1', '--yes');
      assert.equal((await cli('aksarc', 'nodepool', 'show', '-g', 'arc', '--cluster-name', 'c1', '-n', 'win1')).code, 1);
      const creds = await ok('aksarc', 'get-credentials', '-g', 'arc', '-n', 'c1', '--admin');
      assert.match(creds.err, /Merged "c1" as current context in .*kubeconfig/);
      // the emulator's own Kubernetes API for the cluster, on loopback (never the simulated 172.20.0.x endpoint)
      assert.match(readFileSync(process.env.KUBECONFIG!, 'utf8'), /server: https:\/\/localhost:\d+\/k8s\/[0-9a-f]+\n/);
      assert.match((await ok('aksarc', 'get-credentials', '-g', 'arc', '-n', 'c1', '--admin', '--file', '-')).out, /^apiVersion: v1/m);
    });

    it('upgrade: to the newest version offered unless one is named', async () => {
      await ok('aksarc', 'delete', '-g', 'arc', '-n', 'c1', '--yes');
      await ok('aksarc', 'create', '-g', 'arc', '-n', 'c2', '--custom-location', 'cl1', '--vnet-ids', p.lnet, '--kubernetes-version', '1.30.9', '--generate-ssh-keys', '-o', 'none');
      const upgrades = (await ok('aksarc', 'get-upgrades', '-g', 'arc', '-n', 'c2', '--query', 'properties.controlPlaneProfile.upgrades[].kubernetesVersion', '-o', 'tsv')).out.trim().split('\n');
      assert.ok(upgrades.includes('1.31.5') && !upgrades.includes('1.30.9'), upgrades.join(' '));
      assert.equal((await ok('aksarc', 'upgrade', '-g', 'arc', '-n', 'c2', '--yes', '--query', 'properties.kubernetesVersion', '-o', 'tsv')).out, '1.31.5\n');
    });

    it("connectedk8s, k8s-extension and customlocation: the basics, and ARM's errors as az prints them", async () => {
      const cc = (await ok('connectedk8s', 'show', '-g', 'arc', '-n', 'c2')).json();
      assert.equal(cc.properties.connectivityStatus, 'Connected');
      const ext = (
        await ok(
          'k8s-extension',
          'create',
          '-g',
          'arc',
          '-c',
          'c2',
          '-t',
          'connectedClusters',
          '-n',
          'flux',
          '--extension-type',
          'microsoft.flux',
          '--scope',
          'cluster',
          '--configuration-settings',
          'multiTenancy.enforce=false',
        )
      ).json();
      assert.equal(ext.properties.provisioningState, 'Succeeded');
      assert.equal(ext.properties.scope.cluster.releaseNamespace, 'flux');
      assert.deepEqual((await ok('k8s-extension', 'list', '-g', 'arc', '-c', 'c2', '-t', 'connectedClusters', '--query', '[].name', '-o', 'tsv')).out, 'flux\n');
      const bad = await cli('k8s-extension', 'create', '-g', 'arc', '-c', 'c2', '-t', 'connectedClusters', '-n', 'x', '--extension-type', 'no.such.type');
      assert.equal(bad.code, 1);
      assert.match(bad.err, /^ERROR: \(ExtensionTypeRegistrationGetFailed\)/);
      assert.match((await cli('k8s-extension', 'list', '-g', 'arc', '-c', 'c2', '-t', 'clusters')).err, /invalid choice: 'clusters'/);
      assert.match((await ok('customlocation', 'list-enabled-resource-types', '-g', 'arc', '-n', 'cl1', '-o', 'tsv', '--query', '[].properties.extensionType')).out, /Microsoft\.HybridAKSOperator/);
      assert.deepEqual((await ok('customlocation', 'list', '-g', 'arc', '--query', '[].name', '-o', 'tsv')).out, 'cl1\n');
      const refused = await cli(
        'customlocation',
        'create',
        '-g',
        'arc',
        '-n',
        'cl2',
        '--namespace',
        'ns',
        '--host-resource-id',
        `/subscriptions/${SUB}/resourceGroups/arc/providers/Microsoft.ResourceConnector/appliances/none`,
        '--cluster-extension-ids',
        'x',
      );
      assert.equal(refused.code, 1);
      assert.match(refused.err, /appliances\/none/);
      const connected = (await ok('connectedk8s', 'connect', '-g', 'arc', '-n', 'k3s', '--distribution', 'k3s')).json();
      assert.equal(connected.properties.provisioningState, 'Succeeded');
      assert.equal(connected.properties.distribution, 'k3s');
      assert.ok(connected.properties.agentPublicKeyCertificate.length > 100);
      await ok('connectedk8s', 'delete', '-g', 'arc', '-n', 'k3s', '--yes');
      assert.equal((await emu.http().get(`/subscriptions/${SUB}/resourceGroups/arc/providers/Microsoft.Kubernetes/connectedClusters/k3s?api-version=2024-01-01`)).status, 404);
    });

    it('usage: help, unknown commands and arguments (exit 2), a delete without --yes and no terminal', async () => {
      assert.match((await ok('aksarc', 'create', '-h')).out, /--custom-location <value>/);
      assert.match((await ok('aksarc')).out, /stand-in for `az aksarc`/);
      assert.equal((await cli('aksarc', 'fly')).code, 2);
      const r = await cli('aksarc', 'show', '-g', 'arc', '-n', 'c2', '--bogus');
      assert.equal(r.code, 2);
      assert.match(r.err, /unrecognized arguments: --bogus/);
      assert.match((await cli('aksarc', 'delete', '-g', 'arc', '-n', 'c2')).err, /Use --yes/);
      assert.match((await cli('aksarc', 'show', '-g', 'arc', '-n', 'nope')).err, /ResourceNotFound/);
    });
  });
});
