// The cloud metadata document (`GET /metadata/endpoints`, what `az cloud register` and the SDKs ask first):
// every endpoint is the emulator's own base URL. A pure function of the base URL, so it can be answered
// before anything else is loaded (src/http/listen.ts) and by the identity routes after.
import { ARM_AUDIENCES } from './tokens.js';

export function metadataEndpoints(base: string, apiVersion: string): unknown {
  const doc = {
    galleryEndpoint: `${base}/`,
    graphEndpoint: `${base}/graph/`,
    microsoftGraphResourceId: `${base}/graph/`,
    portalEndpoint: `${base}/`,
    resourceManagerEndpoint: `${base}/`,
    authentication: { loginEndpoint: `${base}/adfs`, audiences: [ARM_AUDIENCES[2]], tenant: 'adfs', identityProvider: 'ADFS' },
  };
  // newer clients ask for the list of clouds
  if (apiVersion >= '2019-05-01') {
    return [
      {
        name: 'ArmEmulator',
        resourceManager: `${base}/`,
        authentication: doc.authentication,
        graph: doc.graphEndpoint,
        microsoftGraphResourceId: doc.microsoftGraphResourceId,
        gallery: doc.galleryEndpoint,
        portal: doc.portalEndpoint,
        suffixes: {},
      },
    ];
  }
  return doc;
}
