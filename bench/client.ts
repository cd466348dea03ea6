// The benches' ARM client over HTTPS keep-alive: a service-principal token from the emulator's
// token endpoint, then JSON calls with it. Counts the requests it sends (the Arc bench reports them).
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { WELL_KNOWN } from '../src/config/config.js';

export interface BenchResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: any;
}

export interface BenchClient {
  token: string;
  call(method: string, path: string, body?: unknown): Promise<BenchResponse>;
  /** Requests sent so far. */
  requests(): number;
  close(): void;
}

export async function armClient(url: string, ca: string | Buffer, maxSockets = 16): Promise<BenchClient> {
  const agent = new https.Agent({ keepAlive: true, maxSockets, ca });
  let sent = 0;
  const send = (method: string, p: string, data: string | undefined, headers: Record<string, string>): Promise<BenchResponse> =>
    new Promise((resolve, reject) => {
      sent++;
      const req = https.request(`${url}${p}`, { method, agent, headers }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined }));
      });
      req.on('error', reject);
      if (data) req.write(data);
      req.end();
    });
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: WELL_KNOWN.clientId,
    client_secret: WELL_KNOWN.clientSecret,
    scope: 'https://management.azure.com/.default',
  }).toString();
  const tok = await send('POST', `/${WELL_KNOWN.tenantId}/oauth2/v2.0/token`, form, { 'content-type': 'application/x-www-form-urlencoded' });
  const token = tok.body.access_token as string;
  return {
    token,
    call: (method, p, body) => send(method, p, body === undefined ? undefined : JSON.stringify(body), { 'content-type': 'application/json', authorization: `Bearer ${token}` }),
    requests: () => sent,
    close: () => agent.destroy(),
  };
}

/** The administrator's Arc platform in a resource group: bridge, the two operator extensions, custom location, a logical network. */
export function arcPlatformSteps(rg: string, network: { name: string; addressPrefix: string; vlan: number; pool: [string, string] }) {
  const app = `${rg}/providers/Microsoft.ResourceConnector/appliances/bridge`;
  const ext = (n: string) => `${app}/providers/Microsoft.KubernetesConfiguration/extensions/${n}`;
  const cl = `${rg}/providers/Microsoft.ExtendedLocation/customLocations/site`;
  const ln = `${rg}/providers/Microsoft.AzureStackHCI/logicalNetworks/${network.name}`;
  const subnet = { addressPrefix: network.addressPrefix, ipAllocationMethod: 'Static', vlan: network.vlan, ipPools: [{ start: network.pool[0], end: network.pool[1] }] };
  const steps: [string, string, unknown][] = [
    [app, '2022-10-27', { location: 'eastus', properties: { distro: 'AKSEdge', infrastructureConfig: { provider: 'HCI' } } }],
    [ext('aks'), '2023-05-01', { properties: { extensionType: 'Microsoft.HybridAKSOperator' } }],
    [ext('vm'), '2023-05-01', { properties: { extensionType: 'Microsoft.AZStackHCI.Operator' } }],
    [cl, '2021-08-15', { location: 'eastus', properties: { hostResourceId: app, namespace: 'site', clusterExtensionIds: [ext('aks'), ext('vm')] } }],
    [ln, '2024-01-01', { location: 'eastus', extendedLocation: { type: 'CustomLocation', name: cl }, properties: { subnets: [{ name: 's', properties: subnet }] } }],
  ];
  return { customLocation: cl, logicalNetwork: ln, steps };
}
