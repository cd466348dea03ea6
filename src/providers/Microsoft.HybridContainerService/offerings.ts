// What a custom location offers AKS hybrid: kubernetesVersions/default and skus/default (extension resources on it).

import { Errors } from '../../arm/errors.js';
import { typeKeyOf } from '../../framework/registry.js';
import type { ResourceTypeDefinition, StoredResource } from '../../framework/types.js';
import { capabilityDocument } from '../../kubernetes/capabilities.js';
import { atApiVersion } from '../versionShapes.js';
import { API_VERSIONS, NS, op, STEP } from './common.js';
import { settleSimple } from './virtualNetworks.js';

const CUSTOM_LOCATIONS = typeKeyOf('Microsoft.ExtendedLocation', 'customLocations');

// ---- what a custom location offers ----------------------------------------------------------------------

function requireCustomLocation(ctx: { parent?: StoredResource; path: { scopeId: string } }, what: string): StoredResource {
  const cl = ctx.parent;
  if (!cl || cl.typeKey !== CUSTOM_LOCATIONS)
    throw Errors.invalid('InvalidParentResource', `${what}/default is an extension resource of a custom location (Microsoft.ExtendedLocation/customLocations); '${ctx.path.scopeId}' is not one.`);
  return cl;
}

function offerings(kind: 'kubernetesVersions' | 'skus'): ResourceTypeDefinition {
  return {
    namespace: NS,
    type: kind,
    scope: 'extension',
    tracked: false,
    apiVersions: API_VERSIONS,
    patch: false,
    providerOperations: [op(`${kind}/read`, `Get ${kind}`), op(`${kind}/write`, `Put ${kind}`), op(`${kind}/delete`, `Delete ${kind}`)],
    onPut(ctx, candidate) {
      if (ctx.path.names.at(-1)?.toLowerCase() !== 'default') throw Errors.invalid('InvalidResourceName', `${kind} is always named 'default'.`, 'name');
      const cl = requireCustomLocation(ctx, kind);
      const ext = { type: 'CustomLocation', name: cl.resource.id };
      const checked = ctx.services.targets.checkExtendedLocation(`${NS}/${kind}`, ext);
      const t = ctx.services.targets.resolve({ extendedLocation: ext }, checked);
      const doc = capabilityDocument(t.definition);
      const values =
        kind === 'kubernetesVersions'
          ? [...new Set(doc.kubernetesVersions.map((k) => k.version.split('.').slice(0, 2).join('.')))].map((minor) => ({
              version: minor,
              isPreview: false,
              capabilities: { supportPlan: ['KubernetesOfficial'] },
              patchVersions: Object.fromEntries(
                doc.kubernetesVersions
                  .filter((k) => k.version.startsWith(`${minor}.`))
                  .map((k) => [
                    k.version,
                    {
                      readiness: [
                        { osType: 'Linux', osSku: 'CBLMariner', ready: true },
                        { osType: 'Windows', osSku: 'Windows2019', ready: true },
                        { osType: 'Windows', osSku: 'Windows2022', ready: true },
                      ],
                      upgrades: k.upgrades,
                    },
                  ]),
              ),
            }))
          : doc.vmSizes.map((s) => ({
              resourceType: 'VirtualMachines',
              name: s.name,
              tier: 'Standard',
              size: s.name.replace(/^Standard_/, ''),
              capabilities: [
                { name: 'vCpu', value: String(s.cores) },
                { name: 'MemoryGB', value: String(s.memoryGB) },
                { name: 'Provider', value: 'HCI' },
              ],
            }));
      return {
        resource: { ...candidate, extendedLocation: ext, properties: { values, provisioningState: ctx.existing ? 'Updating' : 'Creating' } },
        operation: { kind: ctx.existing ? 'update' : 'create', tasks: [{ id: 'settle', kind: STEP, params: {}, durationMs: 500 }] },
      };
    },
    onDelete() {
      return { operation: { kind: 'delete', tasks: [{ id: 'settle', kind: STEP, params: {}, durationMs: 500 }] } };
    },
    toWire: (s, apiVersion) => atApiVersion(`${NS}/${kind}`, apiVersion, { ...structuredClone(s.resource), type: `${NS}/${kind}` }),
    onOperationSucceeded: (o, s) => settleSimple(o, s, 'Succeeded'),
    onOperationFailed: (o, s) => settleSimple(o, s, 'Failed'),
  };
}

export const kubernetesVersions = offerings('kubernetesVersions');
export const skus = offerings('skus');
