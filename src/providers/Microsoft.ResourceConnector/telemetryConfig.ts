// telemetryconfig: the subscription-level telemetry settings of the Arc resource bridge (2022-10-27 on).

import { Errors } from '../../arm/errors.js';
import type { ResourceTypeDefinition } from '../../framework/types.js';
import { NS, API_VERSIONS, SINCE_2022_10_27 } from './appliances.js';

function telemetry(apiVersion: string) {
  if (apiVersion < SINCE_2022_10_27) throw Errors.actionNotFound('telemetryconfig', NS, apiVersion);
  return { status: 200, body: { telemetryInstrumentationKey: '00000000-0000-0000-0000-0000000e0001' } };
}

export const telemetryConfig: ResourceTypeDefinition = {
  namespace: NS,
  type: 'telemetryconfig',
  scope: 'subscription',
  tracked: false,
  apiVersions: API_VERSIONS,
  handlers: {
    list: (ctx) => telemetry(ctx.apiVersion),
    get: (ctx) => telemetry(ctx.apiVersion),
  },
};
