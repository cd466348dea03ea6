// Shared set-up for the AKS tests: an emulator with the fabric, ARM paths, and a poller.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Fabric } from '../../src/fabric/fabric.js';
import { startTestEmulator, rgPath, waitForOperation, SUB, CA_PATH, type TestEmulator } from '../support/emulator.js';

export { SUB, rgPath, waitForOperation };

export const NS = 'Microsoft.ContainerService';
export const AZ_API = '2022-11-01';
export const HUB_API = '2020-11-01';

/** An emulator with the fabric up. */
export async function startAksEmulator(args: string[] = []): Promise<TestEmulator> {
  return startTestEmulator(args);
}

export function fabricOf(emu: TestEmulator): Fabric {
  return emu.services.fabric!;
}

export const clusterPath = (rg: string, name: string) => `${rgPath(rg)}/providers/${NS}/managedClusters/${name}`;

export async function createGroup(emu: TestEmulator, rg: string, location: string): Promise<void> {
  const r = await emu
    .http()
    .put(`${rgPath(rg)}?api-version=2021-04-01`)
    .send({ location });
  if (r.status !== 200 && r.status !== 201) throw new Error(`rg create failed ${r.status} ${JSON.stringify(r.body)}`);
}

/** A cluster body as az 2.45 sends it (service principal, basic load balancer unless told). */
export function clusterBody(location: string, opts: { count?: number; lb?: string; vmSize?: string; version?: string; extra?: Record<string, any>; pool?: Record<string, any> } = {}): any {
  return {
    location,
    properties: {
      kubernetesVersion: opts.version ?? '',
      dnsPrefix: 'c1-rg-bbbbbb',
      agentPoolProfiles: [
        {
          name: 'nodepool1',
          count: opts.count ?? 1,
          vmSize: opts.vmSize ?? 'Standard_DS2_v2',
          osDiskSizeGB: 0,
          osType: 'Linux',
          type: 'VirtualMachineScaleSets',
          mode: 'System',
          orchestratorVersion: '',
          ...(opts.pool ?? {}),
        },
      ],
      servicePrincipalProfile: { clientId: 'cccccccc-0000-0000-0000-000000000001', secret: 'emulator-secret' },
      addonProfiles: {},
      enableRBAC: true,
      networkProfile: { networkPlugin: 'kubenet', podCidr: '10.244.0.0/16', serviceCidr: '10.0.0.0/16', dnsServiceIP: '10.0.0.10', outboundType: 'loadBalancer', loadBalancerSku: opts.lb ?? 'basic' },
      ...(opts.extra ?? {}),
    },
  };
}

/** PUT (or any write) then wait for its Azure-AsyncOperation to end; returns [initial response, final status]. */
export async function writeAndWait(emu: TestEmulator, method: 'put' | 'post' | 'delete' | 'patch', path: string, body?: unknown): Promise<{ res: any; status?: any }> {
  let req = emu.http()[method](path);
  if (body !== undefined) req = req.send(body as object);
  const res = await req;
  const aao = res.headers['azure-asyncoperation'];
  if (!aao) return { res };
  const status = await waitForOperation(emu, aao);
  return { res, status };
}

/** The server a kubeconfig of this emulator names: the cluster's Kubernetes API on the emulator's own origin. */
export function kubeServer(emu: TestEmulator): RegExp {
  return new RegExp(`^${emu.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/k8s/[0-9a-f]{20}$`);
}

/** Checks a kubeconfig is AKS-shaped YAML for the server, trusting the emulator's certificate; returns its decoded pieces. */
export function checkKubeconfig(yaml: string, server: string | RegExp, kind: 'admin' | 'user' | 'monitoring'): { ca: X509Certificate; clientCert?: X509Certificate; token?: string; server: string } {
  assert.match(yaml, /^apiVersion: v1$/m);
  assert.match(yaml, /^kind: Config$/m);
  assert.match(yaml, /^current-context: \S+$/m);
  const srv = /^\s+server: (\S+)$/m.exec(yaml)?.[1] ?? '';
  if (typeof server === 'string') assert.equal(srv, server);
  else assert.match(srv, server);
  const caB64 = /certificate-authority-data: (\S+)/.exec(yaml)![1];
  const ca = new X509Certificate(Buffer.from(caB64, 'base64'));
  assert.equal(ca.fingerprint256, new X509Certificate(readFileSync(CA_PATH)).fingerprint256, "the CA is the emulator's own certificate");
  assert.doesNotMatch(yaml, /exec:/, 'no exec plugin');
  const token = /^\s+token: (\S+)$/m.exec(yaml)?.[1];
  assert.ok(token, 'a bearer token');
  if (kind === 'admin') {
    const cert = new X509Certificate(Buffer.from(/client-certificate-data: (\S+)/.exec(yaml)![1], 'base64'));
    assert.match(cert.subject, /CN=masterclient/);
    assert.match(Buffer.from(/client-key-data: (\S+)/.exec(yaml)![1], 'base64').toString(), /BEGIN PRIVATE KEY/);
    assert.match(yaml, /name: clusterAdmin_/);
    return { ca, clientCert: cert, token, server: srv };
  }
  assert.doesNotMatch(yaml, /client-key-data/);
  assert.match(token!, /^[0-9a-f]{64}$/);
  assert.match(yaml, kind === 'user' ? /name: clusterUser_/ : /name: clusterMonitoringUser_/);
  return { ca, token, server: srv };
}

export function vmSummary(fabric: Fabric, owner: string): { controlPlane: number; loadBalancer: number; workers: Record<string, number>; states: string[] } {
  const vms = fabric.ownerVms(owner);
  const workers: Record<string, number> = {};
  for (const v of vms) if (v.role === 'worker') workers[v.pool ?? ''] = (workers[v.pool ?? ''] ?? 0) + 1;
  return {
    controlPlane: vms.filter((v) => v.role === 'controlPlane').length,
    loadBalancer: vms.filter((v) => v.role === 'loadBalancer').length,
    workers,
    states: [...new Set(vms.map((v) => v.state))].sort(),
  };
}

/** Free cores of a site as the fabric reports it. */
export async function freeCores(fabric: Fabric, site: string): Promise<number> {
  const snap = await fabric.snapshot({ site });
  return snap.sites[0].capacity!.freeCores;
}
