// The administrator's Arc path over REST: ids, bodies and small helpers shared by the Arc tests.
import assert from 'node:assert/strict';
import { SUB, waitForOperation, type TestEmulator } from '../support/emulator.js';

export const RG = 'arc';
export const rg = (name = RG) => `/subscriptions/${SUB}/resourceGroups/${name}`;
export const applianceId = (name = 'bridge1', group = RG) => `${rg(group)}/providers/Microsoft.ResourceConnector/appliances/${name}`;
export const extensionId = (host: string, name: string) => `${host}/providers/Microsoft.KubernetesConfiguration/extensions/${name}`;
export const customLocationId = (name = 'cl1', group = RG) => `${rg(group)}/providers/Microsoft.ExtendedLocation/customLocations/${name}`;
export const lnetId = (name = 'lnet1', group = RG) => `${rg(group)}/providers/Microsoft.AzureStackHCI/logicalNetworks/${name}`;

export const V = { appliance: '2022-10-27', extension: '2023-05-01', customLocation: '2021-08-15', lnet: '2024-01-01', rg: '2021-04-01' };

export const applianceBody = (provider = 'HCI') => ({ location: 'eastus', properties: { distro: 'AKSEdge', infrastructureConfig: { provider } }, identity: { type: 'SystemAssigned' } });
export const extensionBody = (extensionType: string, extra: Record<string, unknown> = {}) => ({ properties: { extensionType, ...extra } });
export const customLocationBody = (host: string, exts: string[]) => ({
  location: 'eastus',
  properties: { hostResourceId: host, clusterExtensionIds: exts, namespace: 'arc-ns', hostType: 'Kubernetes', displayName: 'HCI site one' },
});
const firstHost = (prefix: string) => {
  const [a, b, c, d] = prefix.split('/')[0].split('.').map(Number);
  return `${a}.${b}.${c}.${d + 1}`;
};
export const lnetBody = (cl: string, prefix = '172.16.0.0/24', vlan = 10, pool = { start: '172.16.0.50', end: '172.16.0.59' }) => ({
  location: 'eastus',
  extendedLocation: { type: 'CustomLocation', name: cl },
  properties: {
    dhcpOptions: { dnsServers: ['172.16.0.1'] },
    subnets: [
      {
        name: 'default',
        properties: {
          addressPrefix: prefix,
          ipAllocationMethod: 'Static',
          vlan,
          ipPools: [pool],
          routeTable: { properties: { routes: [{ name: 'default', properties: { addressPrefix: '0.0.0.0/0', nextHopIpAddress: firstHost(prefix) } }] } },
        },
      },
    ],
    vmSwitchName: 'ComputeSwitch',
  },
});

export async function put(emu: TestEmulator, id: string, v: string, body: unknown, expect?: number) {
  const r = await emu
    .http()
    .put(`${id}?api-version=${v}`)
    .send(body as object);
  if (expect !== undefined) assert.equal(r.status, expect, `PUT ${id}: ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}

/** PUT (or PATCH/DELETE) and wait for its operation; returns the final GET body (undefined when gone). */
export async function settle(emu: TestEmulator, r: { status: number; headers: Record<string, string>; body: any }, id: string, v: string) {
  const op = r.headers['azure-asyncoperation'];
  if (op) {
    const st = await waitForOperation(emu, op);
    assert.equal(st.status, 'Succeeded', `operation on ${id}: ${JSON.stringify(st)}`);
  }
  const g = await emu.http().get(`${id}?api-version=${v}`);
  return g.status === 200 ? g.body : undefined;
}

export async function del(emu: TestEmulator, id: string, v: string, query = '') {
  const r = await emu.http().delete(`${id}?api-version=${v}${query}`);
  if (r.status === 202) {
    const st = await waitForOperation(emu, r.headers['azure-asyncoperation']);
    assert.equal(st.status, 'Succeeded', `delete ${id}: ${JSON.stringify(st)}`);
  } else assert.ok(r.status === 200 || r.status === 204, `delete ${id}: ${r.status} ${JSON.stringify(r.body)}`);
  assert.equal((await emu.http().get(`${id}?api-version=${v}`)).status, 404);
}

export async function site(emu: TestEmulator, name = 'hci-site-1') {
  const r = await emu.http().get(`/_emulator/fabric?site=${name}`);
  assert.equal(r.status, 200);
  return r.body.sites[0];
}

/** Bridge → two extensions (AKS hybrid, HCI VM operator) → custom location, all Succeeded. */
export async function buildPlatform(emu: TestEmulator, opts: { lnet?: boolean } = {}) {
  await put(emu, rg(), V.rg, { location: 'eastus' });
  const app = applianceId();
  await settle(emu, await put(emu, app, V.appliance, applianceBody(), 201), app, V.appliance);
  const aks = extensionId(app, 'hybridaks');
  const hci = extensionId(app, 'vmss-hci');
  await settle(emu, await put(emu, aks, V.extension, extensionBody('Microsoft.HybridAKSOperator', { configurationProtectedSettings: { token: 's3cret' } }), 201), aks, V.extension);
  await settle(emu, await put(emu, hci, V.extension, extensionBody('Microsoft.AZStackHCI.Operator'), 201), hci, V.extension);
  const cl = customLocationId();
  await settle(emu, await put(emu, cl, V.customLocation, customLocationBody(app, [aks, hci]), 201), cl, V.customLocation);
  if (opts.lnet) await settle(emu, await put(emu, lnetId(), V.lnet, lnetBody(cl), 201), lnetId(), V.lnet);
  return { app, aks, hci, cl, lnet: lnetId() };
}
