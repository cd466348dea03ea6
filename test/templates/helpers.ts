// Test support for the template engine: an evaluation context like a resource-group deployment's,
// and an in-memory TemplateHost that records what it is asked, with configurable latency and failures.

import { ArmError } from '../../src/arm/errors.js';
import type { EvalContext } from '../../src/templates/context.js';
import { azureCloudEnvironment } from '../../src/templates/environment.js';
import { evaluateString } from '../../src/templates/evaluator.js';
import type { HostError, PutResult, TemplateHost } from '../../src/templates/host.js';
import type { DeploymentRequest } from '../../src/templates/prepare.js';

export const TENANT = 'aaaaaaaa-0000-0000-0000-000000000001';
export const SUB = 'bbbbbbbb-0000-0000-0000-000000000001';
export const RG = 'rgtmpl';
export const RG_ID = `/subscriptions/${SUB}/resourceGroups/${RG}`;

export function baseContext(patch: Partial<EvalContext> = {}): EvalContext {
  return {
    scope: { tenantId: TENANT, subscriptionId: SUB, resourceGroup: { name: RG, location: 'eastus' } },
    deployment: { name: 'dep1' },
    environment: azureCloudEnvironment(),
    parameters: new Map(),
    functions: new Map(),
    site: 'other',
    now: new Date(Date.UTC(2020, 3, 7, 14, 53, 14)),
    ...patch,
  };
}

export function ev(expr: string, patch: Partial<EvalContext> = {}): unknown {
  return evaluateString(expr, baseContext(patch));
}

export function request(template: unknown, parameters: Record<string, unknown> = {}, extra: Partial<DeploymentRequest['properties']> = {}): DeploymentRequest {
  const params = Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, { value: v }]));
  return {
    name: 'dep1',
    scope: { tenantId: TENANT, subscriptionId: SUB, resourceGroup: { name: RG, location: 'eastus' } },
    properties: { template, parameters: params, mode: 'Incremental', ...extra },
    now: new Date(Date.UTC(2020, 3, 7, 14, 53, 14)),
  };
}

export interface Stored {
  id: string;
  apiVersion: string;
  body: any;
}

const KNOWN: Record<string, string[]> = {
  'microsoft.storage/storageaccounts': ['2019-06-01', '2021-09-01', '2022-09-01', '2023-01-01'],
  'microsoft.managedidentity/userassignedidentities': ['2018-11-30', '2023-01-31'],
  'microsoft.network/virtualnetworks': ['2018-11-01', '2022-07-01', '2023-04-01'],
  'microsoft.network/virtualnetworks/subnets': ['2018-11-01', '2022-07-01', '2023-04-01'],
  'microsoft.network/publicipaddresses': ['2018-11-01', '2022-07-01'],
  'microsoft.network/loadbalancers': ['2018-11-01', '2022-07-01'],
  'microsoft.containerservice/managedclusters': ['2020-11-01', '2022-11-01', '2023-08-01', '2024-02-01'],
  'microsoft.operationalinsights/workspaces': ['2020-08-01', '2022-10-01'],
  'microsoft.authorization/roleassignments': ['2015-07-01', '2022-04-01'],
  'microsoft.test/things': ['2020-01-01'],
  'microsoft.test/things/children': ['2020-01-01'],
};

export class FakeHost implements TemplateHost {
  readonly resources = new Map<string, Stored>();
  readonly log: string[] = [];
  readonly putOrder: string[] = [];
  active = 0;
  maxActive = 0;
  /** Latency of each long-running PUT (ms). */
  delay = 5;
  /** Ids (lower-case, suffix match) whose write fails asynchronously / is refused synchronously. */
  failAsync = new Set<string>();
  refuse = new Set<string>();
  templates = new Map<string, unknown>();
  groups = new Map<string, { location: string }>([
    [`${SUB}/${RG}`.toLowerCase(), { location: 'eastus' }],
    [`${SUB}/other-rg`.toLowerCase(), { location: 'westus' }],
  ]);
  private ops = new Map<string, Promise<{ status: 'Succeeded' | 'Failed' | 'Canceled'; error?: HostError }>>();
  private n = 0;

  private matches(set: Set<string>, id: string): boolean {
    for (const s of set) if (id.toLowerCase().endsWith(s)) return true;
    return false;
  }

  async put(id: string, apiVersion: string, body: any): Promise<PutResult> {
    this.log.push(`PUT ${id}`);
    this.putOrder.push(id);
    if (this.matches(this.refuse, id)) {
      throw new ArmError(400, 'InvalidParameter', `The value of parameter 'sku' is invalid for '${id.split('/').pop()}'.`, { target: 'sku' });
    }
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    const opId = `op-${++this.n}`;
    const type = id
      .split('/providers/')
      .pop()!
      .split('/')
      .filter((_, i) => i % 2 === 0 || i === 0);
    const stored = { id, name: id.split('/').pop(), type: typeOf(id), ...body, properties: { ...(body.properties ?? {}), provisioningState: 'Succeeded' } };
    if (typeOf(id).toLowerCase() === 'microsoft.containerservice/managedclusters') {
      stored.properties.fqdn = `${body.properties?.dnsPrefix ?? 'aks'}-abc123.hcp.${body.location}.azmk8s.io`;
    }
    if (typeOf(id).toLowerCase() === 'microsoft.managedidentity/userassignedidentities') {
      stored.properties.principalId = '11111111-0000-0000-0000-000000000001';
      stored.properties.clientId = '22222222-0000-0000-0000-000000000002';
    }
    void type;
    this.ops.set(
      opId,
      new Promise((resolve) =>
        setTimeout(() => {
          this.active--;
          if (this.matches(this.failAsync, id)) {
            resolve({ status: 'Failed', error: { code: 'InternalOperationError', message: `Creating '${id.split('/').pop()}' failed.` } });
            return;
          }
          this.resources.set(id.toLowerCase(), { id, apiVersion, body: stored });
          this.log.push(`DONE ${id}`);
          resolve({ status: 'Succeeded' });
        }, this.delay),
      ),
    );
    return { status: 201, body: stored, operationId: opId };
  }
  async waitFor(operationId: string) {
    return this.ops.get(operationId)!;
  }
  async get(id: string) {
    return this.resources.get(id.toLowerCase())?.body;
  }
  async action(id: string, action: string) {
    this.log.push(`POST ${id}/${action}`);
    if (action.toLowerCase() === 'listkeys') return { keys: [{ keyName: 'key1', permissions: 'Full', value: 'secret-key-1' }] };
    return { value: action };
  }
  async delete(id: string) {
    this.log.push(`DELETE ${id}`);
    this.resources.delete(id.toLowerCase());
    return { status: 200 };
  }
  async list(scopeId: string) {
    const prefix = scopeId.toLowerCase() + '/providers/';
    return [...this.resources.values()]
      .filter((r) => r.id.toLowerCase().startsWith(prefix) && r.id.slice(prefix.length).split('/').length === 3)
      .map((r) => ({ id: r.id, type: typeOf(r.id), name: r.id.split('/').pop() }));
  }
  knownType(namespace: string, type: string) {
    const v = KNOWN[`${namespace}/${type}`.toLowerCase()];
    return v ? { apiVersions: v, locations: ['eastus', 'westus', 'local'] } : undefined;
  }
  knownNamespace(namespace: string) {
    return Object.keys(KNOWN).some((k) => k.startsWith(namespace.toLowerCase() + '/'));
  }
  async fetchTemplate(url: string) {
    const t = this.templates.get(url);
    if (!t) throw new Error('404 Not Found');
    return structuredClone(t);
  }
  async resourceGroup(subscriptionId: string, name: string) {
    return this.groups.get(`${subscriptionId}/${name}`.toLowerCase());
  }
  seed(id: string, body: any, apiVersion = '2020-01-01') {
    this.resources.set(id.toLowerCase(), { id, apiVersion, body: { id, name: id.split('/').pop(), type: typeOf(id), ...body } });
  }
}

export function typeOf(id: string): string {
  const i = id.toLowerCase().lastIndexOf('/providers/');
  const segs = id.slice(i + 11).split('/');
  return [segs[0], ...segs.slice(1).filter((_, k) => k % 2 === 0)].join('/');
}
