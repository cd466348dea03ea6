// appliances/upgradeGraphs: the versions an Arc resource bridge can be upgraded to (2022-10-27 on).

import { Errors } from '../../arm/errors.js';
import type { ResourceTypeDefinition } from '../../framework/types.js';
import { NS, API_VERSIONS, APPLIANCE_VERSION, SINCE_2022_10_27 } from './appliances.js';

export const upgradeGraphs: ResourceTypeDefinition = {
  namespace: NS,
  type: 'appliances/upgradeGraphs',
  scope: 'resourceGroup',
  tracked: false,
  apiVersions: API_VERSIONS,
  handlers: {
    get(ctx) {
      if (ctx.apiVersion < SINCE_2022_10_27) throw Errors.actionNotFound('appliances/upgradeGraphs', NS, ctx.apiVersion);
      const parent = ctx.services.resources.get(ctx.path.id.split('/upgradeGraphs/')[0]) ?? ctx.parent;
      if (!parent) throw Errors.resourceNotFound(`${NS}/appliances/${ctx.path.names[0]}`, ctx.path.resourceGroup);
      const train = ctx.path.names[1];
      const current = String(parent.resource.properties?.version ?? APPLIANCE_VERSION);
      const next = ['1.0.18', '1.1.0', '1.1.1'].filter((v) => v > current);
      return {
        status: 200,
        body: {
          id: ctx.path.id,
          name: train,
          properties: {
            applianceVersion: current,
            // the catalog entry each version comes from, as SupportedVersionMetadata has it
            supportedVersions: next.map((version) => ({
              version,
              metadata: {
                catalogVersion: {
                  name: 'arc-appliance-stable-catalogs-ext',
                  namespace: 'arc-appliance',
                  data: { audience: train, catalog: 'arc-appliance-stable-catalogs-ext', offer: 'arc-appliance', version },
                },
              },
            })),
          },
        },
      };
    },
  },
};
