// environment(): the cloud's endpoints, as ARM returns them. AzureCloud by default; an Azure Stack Hub
// variant whose endpoints point at the stamp (ADFS sign-in).

export function azureCloudEnvironment(): Record<string, unknown> {
  return {
    name: 'AzureCloud',
    gallery: 'https://gallery.azure.com/',
    graph: 'https://graph.windows.net/',
    portal: 'https://portal.azure.com',
    graphAudience: 'https://graph.windows.net/',
    activeDirectoryDataLake: 'https://datalake.azure.net/',
    batch: 'https://batch.core.windows.net/',
    media: 'https://rest.media.azure.net',
    sqlManagement: 'https://management.core.windows.net:8443/',
    vmImageAliasDoc: 'https://raw.githubusercontent.com/Azure/azure-rest-api-specs/master/arm-compute/quickstart-templates/aliases.json',
    resourceManager: 'https://management.azure.com/',
    authentication: {
      loginEndpoint: 'https://login.microsoftonline.com/',
      audiences: ['https://management.core.windows.net/', 'https://management.azure.com/'],
      tenant: 'common',
      identityProvider: 'AAD',
    },
    suffixes: {
      acrLoginServer: '.azurecr.io',
      azureDatalakeAnalyticsCatalogAndJob: 'azuredatalakeanalytics.net',
      azureDatalakeStoreFileSystem: 'azuredatalakestore.net',
      azureFrontDoorEndpointSuffix: 'azurefd.net',
      keyvaultDns: '.vault.azure.net',
      sqlServerHostname: '.database.windows.net',
      storage: 'core.windows.net',
    },
  };
}

/** Azure Stack Hub: endpoints under the stamp's domain, ADFS identity. */
export function azureStackEnvironment(resourceManager: string, domain = 'local.azurestack.external'): Record<string, unknown> {
  const rm = resourceManager.endsWith('/') ? resourceManager : resourceManager + '/';
  return {
    name: 'AzureStack',
    gallery: `https://providers.${domain}:30016/`,
    graph: `https://graph.${domain}/`,
    portal: `https://portal.${domain}/`,
    graphAudience: `https://graph.${domain}/`,
    resourceManager: rm,
    authentication: {
      loginEndpoint: `${rm}adfs`,
      audiences: [rm],
      tenant: 'adfs',
      identityProvider: 'ADFS',
    },
    suffixes: {
      keyvaultDns: `.vault.${domain}`,
      storage: domain,
      acrLoginServer: `.azsacr.${domain}`,
    },
  };
}
