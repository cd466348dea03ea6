// Shared set-up for the Kubernetes API tests: an emulator with the fabric, the three cluster kinds (AKS on
// an Azure region, AKS on the Hub stamp, AKS hybrid through its connected cluster), their kubeconfigs, and
// runners for the three clients (kubectl, @kubernetes/client-node, Debian's python3-kubernetes).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import https from 'node:https';
import { parse as parseYaml } from 'yaml';
import { CA_PATH, rgPath, tmpDir, waitForOperation, type TestEmulator } from '../support/emulator.js';
import { clusterBody, clusterPath, createGroup, startAksEmulator } from '../containerservice/helpers.js';
import { HV, ccId, connectedCluster, pciBody, pciId, platform } from '../hybrid/helpers.js';
import { put, settle } from '../arc/helpers.js';

export { startAksEmulator };

export type ClusterKind = 'region' | 'hub' | 'hybrid';

export interface TestCluster {
  kind: ClusterKind;
  /** ARM id of the cluster (the provisioned cluster instance for AKS hybrid). */
  id: string;
  /** kubeconfig YAML (admin). */
  kubeconfig: string;
  /** The kubeconfig written to a file, in a folder of its own (also HOME for kubectl's cache). */
  file: string;
  home: string;
  server: string;
  token: string;
}

function writeKubeconfig(yaml: string): { file: string; home: string } {
  const home = tmpDir('kube-home-');
  mkdirSync(path.join(home, '.kube'), { recursive: true });
  const file = path.join(home, 'kubeconfig');
  writeFileSync(file, yaml, { mode: 0o600 });
  return { file, home };
}

export function fromKubeconfig(kind: ClusterKind, id: string, yaml: string): TestCluster {
  const doc = parseYaml(yaml);
  const server = doc.clusters[0].cluster.server as string;
  const token = doc.users[0].user.token as string;
  return { kind, id, kubeconfig: yaml, ...writeKubeconfig(yaml), server, token };
}

/** An AKS cluster on an Azure region ('eastus') or the Hub stamp ('local'). */
export async function aksCluster(emu: TestEmulator, kind: 'region' | 'hub', name: string, count = 3): Promise<TestCluster> {
  const rg = `kube-${name}`;
  const location = kind === 'hub' ? 'local' : 'eastus';
  await createGroup(emu, rg, location);
  const id = clusterPath(rg, name);
  const api = kind === 'hub' ? '2020-11-01' : '2024-02-01';
  const r = await emu
    .http()
    .put(`${id}?api-version=${api}`)
    .send(clusterBody(location, { count, lb: kind === 'hub' ? 'basic' : 'standard' }));
  assert.ok(r.status === 201 || r.status === 200, JSON.stringify(r.body));
  const st = await waitForOperation(emu, r.headers['azure-asyncoperation']);
  assert.equal(st.status, 'Succeeded', JSON.stringify(st));
  return fromKubeconfig(kind, id, await adminKubeconfig(emu, id, api));
}

export async function adminKubeconfig(emu: TestEmulator, id: string, api = '2024-02-01'): Promise<string> {
  const r = await emu.http().post(`${id}/listClusterAdminCredential?api-version=${api}`).send({});
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return Buffer.from(r.body.kubeconfigs[0].value, 'base64').toString('utf8');
}

/** An AKS hybrid cluster: the Arc platform, a connected cluster, its provisioned cluster instance. */
export async function hybridCluster(emu: TestEmulator, name = 'hybrid1', workers = 2): Promise<TestCluster> {
  const p = await platform(emu);
  const cc = await connectedCluster(emu, name);
  const id = pciId(cc);
  const body = pciBody(p.cl, p.lnet, { pools: [{ name: 'linux1', count: workers, vmSize: 'Standard_A4_v2', osType: 'Linux' }], version: '1.30.4' });
  await settle(emu, await put(emu, id, HV.hcs, body, 201), id, HV.hcs);
  const r = await emu.http().post(`${id}/listAdminKubeconfig?api-version=${HV.hcs}`).send({});
  assert.equal(r.status, 202, JSON.stringify(r.body));
  await waitForOperation(emu, r.headers['azure-asyncoperation']);
  const loc = new URL(r.headers.location);
  const res = await emu.http().get(loc.pathname + loc.search);
  return fromKubeconfig('hybrid', id, Buffer.from(res.body.properties.kubeconfigs[0].value, 'base64').toString('utf8'));
}

export { ccId, rgPath };

// ---- kubectl ------------------------------------------------------------------------------------------------

const KUBECTL = '/usr/bin/kubectl';

export function requireKubectl(): void {
  if (!existsSync(KUBECTL)) throw new Error('kubectl is not installed at /usr/bin/kubectl (the tests drive the real kubectl; .ci/run makes sure it is there)');
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function kubectl(c: TestCluster, args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(KUBECTL, args, { timeout: opts.timeoutMs ?? 90_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, KUBECONFIG: c.file, HOME: c.home } }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof (err as any).code === 'number' ? (err as any).code : 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
    if (opts.input !== undefined) {
      child.stdin!.end(opts.input);
    }
  });
}

/** kubectl that must succeed; returns stdout. */
export async function kubectlOk(c: TestCluster, args: string[], input?: string): Promise<string> {
  const r = await kubectl(c, args, { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

// ---- raw HTTPS ------------------------------------------------------------------------------------------------

export interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

// Read once per process: it was a `cat` child process (a fork of the whole test process) per request.
let caText: string | undefined;
const ca = () => (caText ??= readFileSync(CA_PATH, 'utf8'));

export function raw(c: TestCluster, method: string, p: string, body?: unknown, headers: Record<string, string> = {}, token: string | null = c.token): Promise<Raw> {
  const u = new URL(c.server + p);
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = https.request(
      u,
      {
        method,
        ca: ca(),
        headers: {
          Accept: 'application/json',
          ...(data !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {}),
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (ch) => chunks.push(ch));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: any;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    if (data !== undefined) req.write(data);
    req.end();
  });
}

/** Opens a watch and collects its events until `until` says stop (or the timeout). */
export function watchEvents(c: TestCluster, p: string, until: (events: any[]) => boolean, timeoutMs = 30_000, headers: Record<string, string> = {}): Promise<any[]> {
  const u = new URL(c.server + p);
  return new Promise((resolve, reject) => {
    const events: any[] = [];
    let buf = '';
    let done = false;
    const req = https.request(u, { method: 'GET', ca: ca(), headers: { Accept: 'application/json', Authorization: `Bearer ${c.token}`, ...headers } }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`watch ${p}: ${res.statusCode}`));
        return;
      }
      res.on('data', (ch) => {
        buf += ch.toString('utf8');
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (!line.trim()) continue;
          events.push(JSON.parse(line));
          if (!done && until(events)) {
            done = true;
            clearTimeout(timer);
            req.destroy();
            resolve(events);
          }
        }
      });
      res.on('end', () => {
        if (!done) {
          done = true;
          clearTimeout(timer);
          resolve(events);
        }
      });
    });
    const timer = setTimeout(() => {
      if (!done) {
        done = true;
        req.destroy();
        reject(new Error(`watch ${p}: timed out with ${events.length} events: ${JSON.stringify(events.map((e) => [e.type, e.object?.metadata?.name]))}`));
      }
    }, timeoutMs);
    req.on('error', (e) => {
      if (!done) reject(e);
    });
    req.end();
  });
}

/** Polls a condition through the API (used where no watch fits); fails after the timeout. */
export async function eventually<T>(what: string, f: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v) return v as T;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`${what}: not reached in ${timeoutMs} ms (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const DEPLOYMENT = (name = 'web', replicas = 3, image = 'nginx:1.27') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: {app: ${name}}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: web
        image: ${image}
        ports: [{containerPort: 80}]
        resources:
          requests: {cpu: 100m, memory: 64Mi}
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  type: LoadBalancer
  selector: {app: ${name}}
  ports:
  - port: 80
    targetPort: 80
`;
