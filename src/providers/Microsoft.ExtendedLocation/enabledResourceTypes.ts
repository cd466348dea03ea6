// customLocations/enabledResourceTypes: the resource types a custom location can deploy, from its cluster extensions.

import { Errors } from '../../arm/errors.js';
import { customLocationExtensions } from '../../kubernetes/targets.js';
import type { ResourceTypeDefinition } from '../../framework/types.js';
import { findExtensionType } from '../../kubernetes/extensionTypes.js';
import { NS, API_VERSIONS } from './customLocations.js';

export const enabledResourceTypes: ResourceTypeDefinition = {
  namespace: NS,
  type: 'customLocations/enabledResourceTypes',
  scope: 'resourceGroup',
  tracked: false,
  apiVersions: API_VERSIONS,
  handlers: {
    list(ctx) {
      const clId = ctx.path.id.slice(0, ctx.path.id.toLowerCase().lastIndexOf('/enabledresourcetypes'));
      const cl = ctx.services.resources.get(clId);
      if (!cl) throw Errors.resourceNotFound(`${NS}/customLocations/${ctx.path.names[0]}`, ctx.path.resourceGroup);
      const value = customLocationExtensions(ctx.services, cl)
        .filter((e) => e.installed)
        .map((e) => {
          const t = findExtensionType(e.extensionType);
          const name = e.id.split('/').pop()!;
          return {
            id: `${cl.resource.id}/enabledResourceTypes/${name}`,
            name,
            type: `${NS}/customLocations/enabledResourceTypes`,
            properties: { clusterExtensionId: e.id, extensionType: e.extensionType, typesMetadata: (t?.enables ?? []).map((x) => ({ ...x })) },
            // enabled with the custom location: its creation and last change
            ...(cl.resource.systemData ? { systemData: structuredClone(cl.resource.systemData) } : {}),
          };
        });
      return { status: 200, body: { value } };
    },
  },
};
