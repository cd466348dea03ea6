// Read-only values a few generic types always have, in the format the service documents, derived from the
// request alone (names, location): the host names templates output (a web app's defaultHostName, a SQL server's
// fullyQualifiedDomainName, a registry's loginServer...). Nothing here stands for behaviour: no state, no real
// key, no address a real network would hand out; a type not listed gets no read-only values at all.

import { guidOf } from '../declared/declare.js';
import type { ArmResource } from '../../framework/types.js';

type Fill = (r: ArmResource) => Record<string, unknown>;

const lower = (r: ArmResource) => r.name.toLowerCase();

const COMPUTED: Record<string, Fill> = {
  // Azure DNS public zones are served by four name servers of the azure-dns domains
  'microsoft.network/dnszones': () => ({
    nameServers: ['ns1-01.azure-dns.com.', 'ns2-01.azure-dns.net.', 'ns3-01.azure-dns.org.', 'ns4-01.azure-dns.info.'],
    maxNumberOfRecordSets: 10000,
    numberOfRecordSets: 2,
  }),
  'microsoft.web/sites': (r) => ({
    defaultHostName: `${lower(r)}.azurewebsites.net`,
    hostNames: [`${lower(r)}.azurewebsites.net`],
    enabledHostNames: [`${lower(r)}.azurewebsites.net`, `${lower(r)}.scm.azurewebsites.net`],
    state: 'Running',
  }),
  'microsoft.web/sites/slots': (r) => {
    const [site, slot] = r.id
      .split('/')
      .filter(Boolean)
      .slice(-3)
      .filter((_, i) => i !== 1);
    const host = `${site.toLowerCase()}-${slot.toLowerCase()}.azurewebsites.net`;
    return { defaultHostName: host, hostNames: [host], state: 'Running' };
  },
  'microsoft.sql/servers': (r) => ({ fullyQualifiedDomainName: `${lower(r)}.database.windows.net`, state: 'Ready' }),
  'microsoft.dbforpostgresql/flexibleservers': (r) => ({ fullyQualifiedDomainName: `${lower(r)}.postgres.database.azure.com`, state: 'Ready' }),
  'microsoft.dbformysql/flexibleservers': (r) => ({ fullyQualifiedDomainName: `${lower(r)}.mysql.database.azure.com`, state: 'Ready' }),
  'microsoft.containerregistry/registries': (r) => ({ loginServer: `${lower(r)}.azurecr.io` }),
  'microsoft.documentdb/databaseaccounts': (r) => ({ documentEndpoint: `https://${lower(r)}.documents.azure.com:443/` }),
  'microsoft.cache/redis': (r) => ({ hostName: `${lower(r)}.redis.cache.windows.net`, port: 6379, sslPort: 6380 }),
  'microsoft.eventhub/namespaces': (r) => ({ serviceBusEndpoint: `https://${lower(r)}.servicebus.windows.net:443/` }),
  'microsoft.servicebus/namespaces': (r) => ({ serviceBusEndpoint: `https://${lower(r)}.servicebus.windows.net:443/` }),
  'microsoft.signalrservice/signalr': (r) => ({ hostName: `${lower(r)}.service.signalr.net` }),
  'microsoft.appconfiguration/configurationstores': (r) => ({ endpoint: `https://${lower(r)}.azconfig.io` }),
  'microsoft.cognitiveservices/accounts': (r) => ({ endpoint: `https://${lower(r)}.cognitiveservices.azure.com/` }),
  'microsoft.search/searchservices': () => ({ status: 'running' }),
  // Application Insights: the ids and the connection string of its region's ingestion endpoint
  'microsoft.insights/components': (r) => {
    const key = guidOf(r.id, 'instrumentationKey');
    return {
      InstrumentationKey: key,
      AppId: guidOf(r.id, 'appId'),
      ApplicationId: r.name,
      ConnectionString: `InstrumentationKey=${key};IngestionEndpoint=https://${r.location}-0.in.applicationinsights.azure.com/;LiveEndpoint=https://${r.location}.livediagnostics.monitor.azure.com/`,
    };
  },
  // a container group asked for a DNS name label gets its FQDN (no address: no network stands behind it)
  'microsoft.containerinstance/containergroups': (r) => {
    const ip = r.properties?.ipAddress;
    if (!ip || typeof ip !== 'object' || typeof ip.dnsNameLabel !== 'string') return {};
    return { ipAddress: { ...ip, fqdn: `${ip.dnsNameLabel.toLowerCase()}.${r.location}.azurecontainer.io` } };
  },
};

/** The documented read-only values of a type, merged into its properties (what a client sent there was dropped). */
export function withComputed(typeKey: string, r: ArmResource): ArmResource {
  const fill = COMPUTED[typeKey];
  if (!fill || !r.properties || typeof r.properties !== 'object') return r;
  return { ...r, properties: { ...r.properties, ...fill(r) } };
}
