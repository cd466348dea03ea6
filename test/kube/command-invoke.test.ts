// az aks command invoke runs against the cluster's Kubernetes API: what the command pod's kubectl prints is
// what the real kubectl prints against the same cluster (same columns, same tabwriter spacing, same
// messages and errors), a manifest attached with --file is applied and its pods run (seen through command
// invoke and through the real kubectl), changes made by either are seen by the other, and errors come back
// as kubectl words them with exit code 1.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { SUB, TENANT, tmpDir, waitForOperation, type TestEmulator } from '../support/emulator.js';
import { clusterBody, clusterPath, createGroup } from '../containerservice/helpers.js';
import { objectIdFor } from '../../src/identity/tokens.js';
import { AzSession, ensureAz, RbacAz } from '../support/az.js';
import { aksCluster, DEPLOYMENT, kubectl, kubectlOk, requireKubectl, startAksEmulator, type TestCluster } from './helpers.js';

const API = '2024-02-01';
const DEV = { clientId: 'dddddddd-0000-0000-0000-000000000002', clientSecret: 'dev-secret' };
/** The AKS server application az asks a cluster token for (the same for every cloud). */
const AKS_SERVER_APP = '6dae42f8-4368-4678-94ff-3960e28e3630';

/** A zip of files as az builds `context` (Python's zipfile, deflated). */
function zipOf(files: Record<string, string>): string {
  const dir = tmpDir('invoke-zip-');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  const script =
    'import base64,io,os,sys,zipfile\nb=io.BytesIO()\nz=zipfile.ZipFile(b,"w",zipfile.ZIP_DEFLATED)\nfor n in sys.argv[2:]: z.write(os.path.join(sys.argv[1],n),n)\nz.close()\nprint(base64.b64encode(b.getvalue()).decode())';
  return execFileSync('/usr/bin/python3', ['-I', '-c', script, dir, ...Object.keys(files)]) // Debian's, as az's own
    .toString()
    .trim();
}

describe("kube: az aks command invoke runs kubectl against the cluster's Kubernetes API", function () {
  this.timeout(300_000);
  let emu: TestEmulator;
  let c: TestCluster;

  /** POST runCommand, poll commandResults until it answers 200; the result's properties. */
  async function invoke(
    command: string,
    files?: Record<string, string>,
    o: { cluster?: string; token?: string; clusterToken?: string } = {},
  ): Promise<{ exitCode: number; logs: string; provisioningState: string; reason?: string }> {
    let req = emu.http().post(`${o.cluster ?? c.id}/runCommand?api-version=${API}`);
    if (o.token) req = req.set('Authorization', `Bearer ${o.token}`);
    const r = await req.send({ command, context: files ? zipOf(files) : '', ...(o.clusterToken ? { clusterToken: o.clusterToken } : {}) });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const loc = new URL(r.headers.location);
    for (;;) {
      const res = await emu.http().get(loc.pathname + loc.search);
      if (res.status === 200) return res.body.properties;
      assert.equal(res.status, 202, JSON.stringify(res.body));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** The command pod's output equals the real kubectl's (retried while an AGE cell ticks between the two). */
  async function same(args: string[]): Promise<string> {
    let last = '';
    for (let i = 0; i < 5; i++) {
      const mine = await invoke(`kubectl ${args.join(' ')}`);
      const real = await kubectl(c, args);
      assert.equal(mine.exitCode, real.code, `${args.join(' ')}: ${mine.logs} vs ${real.stderr}${real.stdout}`);
      if (mine.logs === real.stdout + real.stderr) return mine.logs;
      last = `command invoke:\n${mine.logs}\nkubectl:\n${real.stdout}${real.stderr}`;
    }
    assert.fail(`kubectl ${args.join(' ')} printed differently:\n${last}`);
  }

  before(async () => {
    requireKubectl();
    const cfg = path.join(tmpDir(), 'emulator.json');
    writeFileSync(cfg, JSON.stringify({ servicePrincipals: [DEV] }));
    emu = await startAksEmulator(['--time-scale', '0.01', '--config', cfg]);
    c = await aksCluster(emu, 'region', 'invoke1', 2);
  });
  after(async () => emu?.close());

  it('prints what kubectl prints: nodes (wide), namespaces, system pods, services; empty lists and missing objects', async () => {
    const nodes = await same(['get', 'nodes']);
    const vms = emu.services.fabric!.ownerVms(c.id).filter((v) => v.role === 'worker');
    assert.deepEqual(
      nodes
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(/\s+/)[0])
        .sort(),
      vms.map((v) => v.name).sort(),
    );
    await same(['get', 'nodes', '-o', 'wide']);
    await same(['get', 'nodes', '-o', 'name']);
    await same(['get', 'namespaces']);
    await same(['get', 'pods', '-n', 'kube-system', '-o', 'wide']);
    await same(['get', 'pods', '-A']);
    await same(['get', 'svc', '-A']);
    await same(['get', 'deployments', '-n', 'kube-system', '--show-labels']);
    assert.equal(await same(['get', 'pods']), 'No resources found in default namespace.\n');
    const missing = await same(['get', 'pod', 'nope']);
    assert.equal(missing, 'Error from server (NotFound): pods "nope" not found\n');
    const badType = await invoke('kubectl get frobs');
    assert.equal(badType.exitCode, 1);
    assert.equal(badType.logs, 'error: the server doesn\'t have a resource type "frobs"\n');
  });

  it('applies an attached manifest: pods run, seen by command invoke and by the real kubectl; scale, rollout status, describe, logs, delete', async () => {
    const applied = await invoke('kubectl apply -f deploy.yaml && kubectl rollout status deployment/web --timeout=120s', { 'deploy.yaml': DEPLOYMENT('web', 3) });
    assert.equal(applied.exitCode, 0, applied.logs);
    assert.match(applied.logs, /^deployment\.apps\/web created\nservice\/web created\n/);
    assert.match(applied.logs, /deployment "web" successfully rolled out\n$/);
    const pods = await same(['get', 'pods', '-l', 'app=web']);
    const rows = pods.trim().split('\n').slice(1);
    assert.equal(rows.length, 3, pods);
    for (const r of rows) assert.match(r, /^web-[a-z0-9]+-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s+\S+$/);
    await same(['get', 'deploy,rs,svc', '-o', 'wide']);
    await same(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].status.phase}']);
    await same(['get', 'pods', '-A', '--sort-by=.metadata.name']);
    const ip = await invoke(`kubectl get svc web -o jsonpath='{.status.loadBalancer.ingress[0].ip}{"\\n"}'`);
    assert.equal(ip.logs, `${JSON.parse(await kubectlOk(c, ['get', 'svc', 'web', '-o', 'json'])).status.loadBalancer.ingress[0].ip}\n`);
    const waited = await invoke('kubectl wait --for=condition=Available deployment/web --timeout=60s && kubectl label deployment web tier=frontend && kubectl get deploy -l tier=frontend -o name');
    assert.equal(waited.logs, 'deployment.apps/web condition met\ndeployment.apps/web labeled\ndeployment.apps/web\n');
    assert.equal(JSON.parse(await kubectlOk(c, ['get', 'deployment', 'web', '-o', 'json'])).metadata.labels.tier, 'frontend');
    // again: unchanged
    const again = await invoke('kubectl apply -f .', { 'deploy.yaml': DEPLOYMENT('web', 3) });
    assert.equal(again.logs, 'deployment.apps/web unchanged\nservice/web unchanged\n');
    // scaled through command invoke, seen by the real kubectl
    const scaled = await invoke('kubectl scale deployment/web --replicas=1; kubectl rollout status deploy/web');
    assert.equal(scaled.exitCode, 0, scaled.logs);
    assert.match(scaled.logs, /^deployment\.apps\/web scaled\n/);
    assert.equal(JSON.parse(await kubectlOk(c, ['get', 'deployment', 'web', '-o', 'json'])).spec.replicas, 1);
    const json = JSON.parse((await invoke('kubectl get deployment web -o json')).logs);
    assert.equal(json.kind, 'Deployment');
    assert.equal(json.status.readyReplicas, 1);
    assert.equal(json.metadata.managedFields, undefined);
    const yaml = (await invoke('kubectl get svc web -o yaml')).logs;
    assert.match(yaml, /^apiVersion: v1\nkind: Service\n/);
    // describe shows the pod's events: scheduled, pulled, created, started
    const pod = JSON.parse(await kubectlOk(c, ['get', 'pods', '-l', 'app=web', '-o', 'json'])).items[0].metadata.name;
    const described = await invoke(`kubectl describe pod ${pod}`);
    assert.equal(described.exitCode, 0, described.logs);
    assert.match(described.logs, new RegExp(`^Name:\\s+${pod}\\nNamespace:\\s+default\\n`));
    assert.match(described.logs, /^Status:\s+Running$/m);
    assert.match(described.logs, /^Controlled By:\s+ReplicaSet\/web-/m);
    for (const reason of ['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started']) assert.match(described.logs, new RegExp(`^  Normal\\s+${reason}\\s`, 'm'), described.logs);
    // describe lays out what kubectl's describers print, byte for byte
    await same(['describe', 'pod', pod]);
    await same(['describe', 'deployment', 'web']);
    await same(['describe', 'rs', '-l', 'app=web']);
    await same(['describe', 'service', 'web']);
    await same(['describe', 'node', JSON.parse(await kubectlOk(c, ['get', 'pod', pod, '-o', 'json'])).spec.nodeName]);
    await same(['describe', 'namespace', 'default']);
    const logs = await invoke(`kubectl logs ${pod}`);
    assert.equal(logs.exitCode, 0, logs.logs);
    assert.equal(logs.logs, await kubectlOk(c, ['logs', pod]));
    // deleted through command invoke: gone for the real kubectl
    const deleted = await invoke('kubectl delete -f deploy.yaml', { 'deploy.yaml': DEPLOYMENT('web', 3) });
    assert.equal(deleted.logs, 'deployment.apps "web" deleted\nservice "web" deleted\n');
    assert.equal((await kubectl(c, ['get', 'deployment', 'web'])).code, 1);
  });

  it('-o custom-columns and -o jsonpath with {range}...{end} print what kubectl prints, byte for byte', async () => {
    // (the shell command as a user types it, the same arguments to the real kubectl)
    const cases: [string, string[]][] = [
      [
        `kubectl get pods -n kube-system -o jsonpath='{range .items[*]}{.metadata.name}{"\\t"}{.status.phase}{"\\n"}{end}'`,
        ['get', 'pods', '-n', 'kube-system', '-o', 'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.status.phase}{"\\n"}{end}'],
      ],
      [
        `kubectl get nodes -o jsonpath='{range .items[*]}{.metadata.name}{": "}{range .status.conditions[*]}{.type}={.status}{" "}{end}{"\\n"}{end}'`,
        ['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}{": "}{range .status.conditions[*]}{.type}={.status}{" "}{end}{"\\n"}{end}'],
      ],
      [`kubectl get nodes -o jsonpath='{.items[0].status.allocatable}'`, ['get', 'nodes', '-o', 'jsonpath={.items[0].status.allocatable}']],
      [
        `kubectl get nodes -o jsonpath='{.items[0].metadata.labels}{"\\n"}{.items[*].status.nodeInfo.kubeletVersion}'`,
        ['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.labels}{"\\n"}{.items[*].status.nodeInfo.kubeletVersion}'],
      ],
      [
        'kubectl get pods -n kube-system -o custom-columns=NAME:.metadata.name,Node:.spec.nodeName,PORTS:.spec.containers[*].ports[*].containerPort,LABELS:.metadata.labels,CPU:{.spec.containers[*].resources.requests.cpu}',
        [
          'get',
          'pods',
          '-n',
          'kube-system',
          '-o',
          'custom-columns=NAME:.metadata.name,Node:.spec.nodeName,PORTS:.spec.containers[*].ports[*].containerPort,LABELS:.metadata.labels,CPU:{.spec.containers[*].resources.requests.cpu}',
        ],
      ],
      [
        'kubectl get deploy,svc -n kube-system -o custom-columns=KIND:.kind,NAME:metadata.name,REPLICAS:.spec.replicas',
        ['get', 'deploy,svc', '-n', 'kube-system', '-o', 'custom-columns=KIND:.kind,NAME:metadata.name,REPLICAS:.spec.replicas'],
      ],
      [
        `kubectl get nodes --no-headers -o 'custom-columns=NAME:.metadata.name,TAINTS:.spec.taints,READY:.status.conditions[?(@.type=="Ready")].status'`,
        ['get', 'nodes', '--no-headers', '-o', 'custom-columns=NAME:.metadata.name,TAINTS:.spec.taints,READY:.status.conditions[?(@.type=="Ready")].status'],
      ],
    ];
    for (const [cmd, args] of cases) {
      const mine = await invoke(cmd);
      const real = await kubectl(c, args);
      assert.equal(real.code, 0, `${args.join(' ')}: ${real.stderr}`);
      assert.equal(mine.exitCode, 0, `${cmd}: ${mine.logs}`);
      assert.equal(mine.logs, real.stdout, cmd);
    }
  });

  it('namespaces, here-documents, && and ;, errors as kubectl prints them, helm and other programs refused', async () => {
    const r = await invoke(`kubectl create namespace team-a && kubectl apply -n team-a -f - <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  a: "1"
EOF
kubectl get configmap settings -n team-a -o name`);
    assert.equal(r.exitCode, 0, r.logs);
    assert.equal(r.logs, 'namespace/team-a created\nconfigmap/settings created\nconfigmap/settings\n');
    assert.match(await kubectlOk(c, ['get', 'cm', '-n', 'team-a']), /^settings\s+1\s+\S+$/m);
    const exists = await invoke('kubectl create namespace team-a');
    assert.equal(exists.exitCode, 1);
    assert.equal(exists.logs, 'Error from server (AlreadyExists): namespaces "team-a" already exists\n');
    const stopped = await invoke('kubectl delete pod nope && kubectl get ns');
    assert.equal(stopped.exitCode, 1);
    assert.equal(stopped.logs, 'Error from server (NotFound): pods "nope" not found\n');
    const goesOn = await invoke('kubectl delete pod nope; kubectl get ns team-a -o name');
    assert.equal(goesOn.exitCode, 0);
    assert.equal(goesOn.logs, 'Error from server (NotFound): pods "nope" not found\nnamespace/team-a\n');
    const forbidden = await invoke('kubectl delete namespace default');
    assert.equal(forbidden.exitCode, 1);
    assert.match(forbidden.logs, /^Error from server \(Forbidden\): namespaces "default" is forbidden: this namespace may not be deleted\n$/);
    const invalid = await invoke('kubectl apply -f bad.yaml', { 'bad.yaml': DEPLOYMENT('bad', -1) });
    assert.equal(invalid.exitCode, 1);
    assert.match(invalid.logs, /^service\/bad created\nThe Deployment "bad" is invalid: spec\.replicas: Invalid value: -1: must be greater than or equal to 0\n$/);
    const helm = await invoke('helm install x y');
    assert.notEqual(helm.exitCode, 0);
    assert.match(helm.logs, /helm is not available in this emulator/);
    const other = await invoke('curl http://example.com');
    assert.equal(other.exitCode, 127);
    const version = await invoke('kubectl version');
    assert.match(version.logs, /^Client Version: v1\.\d+\.\d+\nKustomize Version: \S+\nServer Version: v1\.\d+\.\d+\n$/);
  });

  it('an Azure AD cluster: the command runs as the caller of clusterToken, whose Azure RBAC data roles decide; a bad token is refused', async () => {
    await createGroup(emu, 'invokeaad', 'eastus');
    const id = clusterPath('invokeaad', 'aad1');
    const body = clusterBody('eastus', { count: 1, lb: 'standard', extra: { aadProfile: { managed: true, enableAzureRBAC: true } } });
    delete body.properties.servicePrincipalProfile;
    body.identity = { type: 'SystemAssigned' };
    const created = await emu.http().put(`${id}?api-version=${API}`).send(body);
    assert.equal((await waitForOperation(emu, created.headers['azure-asyncoperation'])).status, 'Succeeded');
    const issue = (scope: string) => emu.tokens.issue({ grant_type: 'client_credentials', client_id: DEV.clientId, client_secret: DEV.clientSecret, scope }, TENANT, emu.url).access_token;
    const armToken = issue('https://management.azure.com/.default');
    const clusterToken = issue(`${AKS_SERVER_APP}/.default`);
    const assign = async (scope: string, role: string) => {
      const r = await emu
        .http()
        .put(`${scope}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`)
        .send({
          properties: {
            roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
            principalId: objectIdFor(DEV.clientId),
            principalType: 'ServicePrincipal',
          },
        });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    };
    await assign(id, 'b24988ac-6180-42a0-ab88-20f7382dd24c'); // Contributor: may POST runCommand (no data actions)
    const as = { cluster: id, token: armToken, clusterToken };
    const oid = objectIdFor(DEV.clientId);
    const denied = await invoke('kubectl get pods', undefined, as);
    assert.equal(denied.exitCode, 1);
    assert.equal(
      denied.logs,
      `Error from server (Forbidden): pods is forbidden: User "${oid}" cannot list resource "pods" in API group "" in the namespace "default": User does not have access to the resource in Azure. Update role assignment to allow access.\n`,
    );
    await assign(id, '7f6c6a51-bcf8-42ba-9220-52d62157d7db'); // Azure Kubernetes Service RBAC Reader
    const read = await invoke('kubectl get pods', undefined, as);
    assert.equal(read.exitCode, 0, read.logs);
    assert.equal(read.logs, 'No resources found in default namespace.\n');
    const write = await invoke('kubectl create namespace x', undefined, as);
    assert.equal(write.exitCode, 1);
    assert.match(write.logs, new RegExp(`^Error from server \\(Forbidden\\): namespaces is forbidden: User "${oid}" cannot create resource "namespaces"`));
    // Without a cluster token (local accounts enabled): the cluster admin.
    const admin = await invoke('kubectl create namespace x', undefined, { cluster: id });
    assert.equal(admin.logs, 'namespace/x created\n');
    const bad = await emu.http().post(`${id}/runCommand?api-version=${API}`).send({ command: 'kubectl get pods', clusterToken: 'not-a-token' });
    assert.equal(bad.status, 400, JSON.stringify(bad.body));
    assert.equal(bad.body.error.code, 'InvalidParameter');
    assert.equal(bad.body.error.target, 'clusterToken');
  });

  describe('with the real az CLI', () => {
    let az: AzSession;
    before(async () => {
      ensureAz();
      az = new AzSession(emu);
      await az.login();
    });

    it('az aks command invoke --file applies a deployment whose pods then run (command invoke and real kubectl agree)', async () => {
      const dir = tmpDir('invoke-files-');
      writeFileSync(path.join(dir, 'app.yaml'), DEPLOYMENT('app', 2));
      const rg = c.id.split('/')[4];
      const name = c.id.split('/').at(-1)!;
      const applied = await az.run([
        'aks',
        'command',
        'invoke',
        '-g',
        rg,
        '-n',
        name,
        '--command',
        'kubectl apply -f app.yaml && kubectl rollout status deployment/app',
        '--file',
        path.join(dir, 'app.yaml'),
      ]);
      assert.equal(applied.code, 0, applied.stderr);
      assert.match(applied.stdout, /with exitcode=0/);
      assert.match(applied.stdout, /deployment\.apps\/app created\nservice\/app created\n/);
      assert.match(applied.stdout, /deployment "app" successfully rolled out/);
      const viaAz = await az.ok(['aks', 'command', 'invoke', '-g', rg, '-n', name, '--command', 'kubectl get pods -l app=app -o name']);
      assert.equal(viaAz.exitCode, 0);
      const real = await kubectlOk(c, ['get', 'pods', '-l', 'app=app', '-o', 'name']);
      assert.equal(viaAz.logs, real);
      assert.equal(real.trim().split('\n').length, 2);
      for (const p of JSON.parse(await kubectlOk(c, ['get', 'pods', '-l', 'app=app', '-o', 'json'])).items) assert.equal(p.status.phase, 'Running');
      const failed = await az.run(['aks', 'command', 'invoke', '-g', rg, '-n', name, '--command', 'kubectl get deployment nope']);
      assert.equal(failed.code, 0, failed.stderr);
      assert.match(failed.stdout, /with exitcode=1/);
      assert.match(failed.stdout, /Error from server \(NotFound\): deployments\.apps "nope" not found/);
    });

    it("on an Azure AD cluster az sends the signed-in identity's cluster token: the command runs as that identity", async () => {
      const dev = new RbacAz(emu);
      await dev.loginAs(DEV.clientId, DEV.clientSecret);
      const who = await dev.ok(['aks', 'command', 'invoke', '-g', 'invokeaad', '-n', 'aad1', '--command', 'kubectl get pods -n x; kubectl delete namespace x']);
      assert.equal(who.exitCode, 1);
      assert.match(
        who.logs,
        new RegExp(
          `^No resources found in x namespace\\.\\nError from server \\(Forbidden\\): namespaces "x" is forbidden: User "${objectIdFor(DEV.clientId)}" cannot delete resource "namespaces" in API group "" .*: User does not have access to the resource in Azure\\. Update role assignment to allow access\\.\\n$`,
        ),
      );
    });
  });

  it('a command still to run when the emulator stops runs after it starts again; its result is kept', async () => {
    const dir = tmpDir('invoke-restart-');
    let first: TestEmulator | undefined = await startAksEmulator(['--data-dir', dir]);
    let second: TestEmulator | undefined;
    try {
      const r = await first
        .http()
        .put(`${clusterPath('invokerestart', 'r1').replace(/\/providers\/.*$/, '')}?api-version=2021-04-01`)
        .send({ location: 'eastus' });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const id = clusterPath('invokerestart', 'r1');
      const put = await first
        .http()
        .put(`${id}?api-version=${API}`)
        .send(clusterBody('eastus', { count: 1, lb: 'standard' }));
      assert.equal((await waitForOperation(first, put.headers['azure-asyncoperation'])).status, 'Succeeded');
      // The command pod takes its (simulated) 2 s to start: slowed down, the emulator stops before it runs.
      assert.equal((await first.http().put('/_emulator/operations/time-scale').send({ timeScale: 1000 })).status, 200);
      const post = await first.http().post(`${id}/runCommand?api-version=${API}`).send({ command: 'kubectl create namespace after-restart && kubectl get ns after-restart -o name' });
      assert.equal(post.status, 202, JSON.stringify(post.body));
      const loc = new URL(post.headers.location);
      assert.equal((await first.http().get(loc.pathname + loc.search)).status, 202, 'still running');
      await first.close();
      first = undefined;
      second = await startAksEmulator(['--data-dir', dir]);
      for (;;) {
        const res = await second.http().get(loc.pathname + loc.search);
        if (res.status === 200) {
          assert.equal(res.body.properties.provisioningState, 'Succeeded');
          assert.equal(res.body.properties.exitCode, 0, res.body.properties.logs);
          assert.equal(res.body.properties.logs, 'namespace/after-restart created\nnamespace/after-restart\n');
          break;
        }
        assert.equal(res.status, 202, JSON.stringify(res.body));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await first?.close();
      await second?.close();
    }
  });
});
