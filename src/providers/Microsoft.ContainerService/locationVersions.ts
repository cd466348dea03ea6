// Subscription-level reads of what a location offers: locations/{l}/kubernetesVersions (newer API
// versions, `az aks get-versions` after 2.45) and locations/{l}/orchestrators (what az 2.45 calls).
// Both come from the target's capability document, so a Hub stamp lists its own (older) versions.

import { Errors } from '../../arm/errors.js';
import type { ResourceTypeDefinition } from '../../framework/types.js';
import { parseVersion } from '../../kubernetes/capabilities.js';
import { NS } from './shape.js';
import { AKS_API_VERSIONS, versionsOf } from './versions.js';
import { locationOf } from './readLookups.js';

export const kubernetesVersions: ResourceTypeDefinition = {
  namespace: NS,
  type: 'locations/kubernetesVersions',
  scope: 'subscription',
  tracked: false,
  apiVersions: versionsOf('locations/kubernetesVersions'),
  handlers: {
    list(ctx) {
      const { doc } = locationOf(ctx);
      const byMinor = new Map<string, { version: string; isDefault?: boolean; isPreview: boolean; capabilities: unknown; patchVersions: Record<string, { upgrades: string[] }> }>();
      for (const k of doc.kubernetesVersions) {
        const [maj, min] = parseVersion(k.version)!;
        const minor = `${maj}.${min}`;
        let e = byMinor.get(minor);
        if (!e) {
          e = { version: minor, isPreview: false, capabilities: { supportPlan: ['KubernetesOfficial'] }, patchVersions: {} };
          byMinor.set(minor, e);
        }
        if (k.isDefault) e.isDefault = true;
        e.patchVersions[k.version] = { upgrades: k.upgrades };
      }
      return { status: 200, body: { values: [...byMinor.values()] } };
    },
  },
};

export const orchestrators: ResourceTypeDefinition = {
  namespace: NS,
  type: 'locations/orchestrators',
  scope: 'subscription',
  tracked: false,
  apiVersions: AKS_API_VERSIONS,
  handlers: {
    list(ctx) {
      const { location, doc } = locationOf(ctx);
      const rt = ctx.query['resource-type'];
      if (rt !== undefined && rt.toLowerCase() !== 'managedclusters') {
        throw Errors.invalidParameter(`The resource type '${rt}' is invalid; use managedClusters.`, 'resource-type');
      }
      return {
        status: 200,
        body: {
          id: `/subscriptions/${ctx.path.subscriptionId}/providers/${NS}/locations/${location}/orchestrators`,
          name: 'default',
          type: `${NS}/locations/orchestrators`,
          properties: {
            orchestrators: doc.kubernetesVersions.map((k) => {
              const o: Record<string, unknown> = { orchestratorType: 'Kubernetes', orchestratorVersion: k.version, isPreview: false };
              if (k.isDefault) o.default = true;
              if (k.upgrades.length) o.upgrades = k.upgrades.map((u) => ({ orchestratorType: 'Kubernetes', orchestratorVersion: u, isPreview: false }));
              return o;
            }),
          },
        },
      };
    },
  },
};
