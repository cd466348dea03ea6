// locations/osOptions/default: the node OS options of a location's target.

import { Errors } from '../../arm/errors.js';
import type { ResourceTypeDefinition } from '../../framework/types.js';
import { NS } from './shape.js';
import { versionsOf } from './versions.js';
import { locationOf, ok } from './readLookups.js';

export const osOptions: ResourceTypeDefinition = {
  namespace: NS,
  type: 'locations/osOptions',
  scope: 'subscription',
  tracked: false,
  apiVersions: versionsOf('locations/osOptions'),
  handlers: {
    get(ctx) {
      const { location, doc } = locationOf(ctx);
      if (ctx.path.names[1].toLowerCase() !== 'default') throw Errors.resourceNotFound(`${NS}/locations/${location}/osOptions/${ctx.path.names[1]}`);
      const rt = ctx.query['resource-type'];
      if (rt !== undefined && rt.toLowerCase() !== 'managedclusters') throw Errors.invalidParameter(`The resource type '${rt}' is invalid; use managedClusters.`, 'resource-type');
      const hub = doc.target.kind !== 'AzureRegion';
      return ok({
        id: `/subscriptions/${ctx.path.subscriptionId}/providers/${NS}/locations/${location}/osOptions/default`,
        name: 'default',
        type: `${NS}/locations/osOptions`,
        properties: {
          // Real AKS names the OS SKU of each entry ('os-sku'), which the spec's OSOptionProperty leaves out.
          osOptionPropertyList: hub
            ? [{ 'os-type': 'Linux', 'os-sku': 'Ubuntu', 'enable-fips-image': false }]
            : [
                { 'os-type': 'Linux', 'os-sku': 'Ubuntu', 'enable-fips-image': true },
                { 'os-type': 'Linux', 'os-sku': 'AzureLinux', 'enable-fips-image': true },
                { 'os-type': 'Windows', 'os-sku': 'Windows2019', 'enable-fips-image': true },
                { 'os-type': 'Windows', 'os-sku': 'Windows2022', 'enable-fips-image': true },
              ],
        },
      });
    },
  },
};
