// The ARM locations the emulator knows. The fabric's targets can add to it (a Hub stamp is its own
// ARM location); an unknown location is refused with ARM's code for it.

export interface LocationInfo {
  /** ARM name, lowercase without spaces: 'eastus', 'local'. */
  name: string;
  displayName: string;
  regionalDisplayName?: string;
  /** 'AzureRegion' or 'AzureStackHub'. */
  kind: string;
  latitude?: string;
  longitude?: string;
}

/**
 * The namespaces an Azure Stack Hub stamp's ARM serves (az's 2020-09-01-hybrid profile, plus AKS and monitoring):
 * only their types take a stamp's location ('local'); the others live in Azure regions only (a connected cluster
 * running on a stamp is an Azure resource in an Azure region).
 */
export const STAMP_NAMESPACES: ReadonlySet<string> = new Set(
  [
    'Microsoft.Compute',
    'Microsoft.Network',
    'Microsoft.Storage',
    'Microsoft.KeyVault',
    'Microsoft.ManagedIdentity',
    'Microsoft.Authorization',
    'Microsoft.Resources',
    'Microsoft.Web',
    'Microsoft.EventHub',
    'Microsoft.ServiceBus',
    'Microsoft.Devices',
    'Microsoft.DataBoxEdge',
    'Microsoft.ContainerRegistry',
    'Microsoft.ContainerService',
    'Microsoft.Insights',
  ].map((n) => n.toLowerCase()),
);

export const servedOnStamp = (namespace: string): boolean => STAMP_NAMESPACES.has(namespace.toLowerCase());

export const AZURE_REGIONS: [string, string, string, string][] = [
  ['eastus', 'East US', '37.3719', '-79.8164'],
  ['eastus2', 'East US 2', '36.6681', '-78.3889'],
  ['westus', 'West US', '37.783', '-122.417'],
  ['westus2', 'West US 2', '47.233', '-119.852'],
  ['westus3', 'West US 3', '33.448376', '-112.074036'],
  ['centralus', 'Central US', '41.5908', '-93.6208'],
  ['northcentralus', 'North Central US', '41.8819', '-87.6278'],
  ['southcentralus', 'South Central US', '29.4167', '-98.5'],
  ['canadacentral', 'Canada Central', '43.653', '-79.383'],
  ['brazilsouth', 'Brazil South', '-23.55', '-46.633'],
  ['northeurope', 'North Europe', '53.3478', '-6.2597'],
  ['westeurope', 'West Europe', '52.3667', '4.9'],
  ['uksouth', 'UK South', '50.941', '-0.799'],
  ['francecentral', 'France Central', '46.3772', '2.373'],
  ['germanywestcentral', 'Germany West Central', '50.110924', '8.682127'],
  ['swedencentral', 'Sweden Central', '60.67488', '17.14127'],
  ['switzerlandnorth', 'Switzerland North', '47.451542', '8.564572'],
  ['eastasia', 'East Asia', '22.267', '114.188'],
  ['southeastasia', 'Southeast Asia', '1.283', '103.833'],
  ['japaneast', 'Japan East', '35.68', '139.77'],
  ['australiaeast', 'Australia East', '-33.86', '151.2094'],
  ['centralindia', 'Central India', '18.5822', '73.9197'],
  ['koreacentral', 'Korea Central', '37.5665', '126.978'],
  // the other public regions (az account list-locations): the specs' examples use them (australiasoutheast...)
  ['westcentralus', 'West Central US', '40.89', '-110.234'],
  ['canadaeast', 'Canada East', '46.817', '-71.217'],
  ['brazilsoutheast', 'Brazil Southeast', '-22.90278', '-43.2075'],
  ['mexicocentral', 'Mexico Central', '20.588818', '-100.389888'],
  ['ukwest', 'UK West', '53.427', '-3.084'],
  ['francesouth', 'France South', '43.8345', '2.1972'],
  ['germanynorth', 'Germany North', '53.073635', '8.806422'],
  ['norwayeast', 'Norway East', '59.913868', '10.752245'],
  ['norwaywest', 'Norway West', '58.969975', '5.733107'],
  ['switzerlandwest', 'Switzerland West', '46.204391', '6.143158'],
  ['swedensouth', 'Sweden South', '55.6059', '13.0007'],
  ['polandcentral', 'Poland Central', '52.23334', '21.01666'],
  ['italynorth', 'Italy North', '45.46888', '9.18109'],
  ['spaincentral', 'Spain Central', '40.4259', '-3.4209'],
  ['israelcentral', 'Israel Central', '31.2655698', '33.4506633'],
  ['qatarcentral', 'Qatar Central', '25.551462', '51.439327'],
  ['uaenorth', 'UAE North', '25.266666', '55.316666'],
  ['uaecentral', 'UAE Central', '24.466667', '54.366669'],
  ['southafricanorth', 'South Africa North', '-25.73134', '28.21837'],
  ['southafricawest', 'South Africa West', '-34.075691', '18.843266'],
  ['japanwest', 'Japan West', '34.6939', '135.5022'],
  ['koreasouth', 'Korea South', '35.1796', '129.0756'],
  ['southindia', 'South India', '12.9822', '80.1636'],
  ['westindia', 'West India', '19.088', '72.868'],
  ['jioindiawest', 'Jio India West', '22.470701', '70.05773'],
  ['jioindiacentral', 'Jio India Central', '21.146633', '79.08886'],
  ['australiasoutheast', 'Australia Southeast', '-37.8136', '144.9631'],
  ['australiacentral', 'Australia Central', '-35.3075', '149.1244'],
  ['australiacentral2', 'Australia Central 2', '-35.3075', '149.1244'],
  ['newzealandnorth', 'New Zealand North', '-36.84853', '174.76349'],
];

export class LocationCatalog {
  private readonly byKey = new Map<string, LocationInfo>();
  /** list()'s answer until the next add: every catalogue type's definition asks for it (thousands for a provider list). */
  private listed?: LocationInfo[];

  constructor(locations: LocationInfo[] = []) {
    for (const l of locations) this.add(l);
  }

  static withAzureRegions(): LocationCatalog {
    return new LocationCatalog(
      AZURE_REGIONS.map(([name, displayName, latitude, longitude]) => ({
        name,
        displayName,
        regionalDisplayName: `(${displayName.includes('US') ? 'US' : 'Global'}) ${displayName}`,
        kind: 'AzureRegion',
        latitude,
        longitude,
      })),
    );
  }

  add(l: LocationInfo): void {
    this.byKey.set(LocationCatalog.key(l.name), l);
    this.byKey.set(LocationCatalog.key(l.displayName), l);
    this.listed = undefined;
  }

  /** "West US", "westus" and "WestUS" are the same location. */
  static key(name: string): string {
    return name.replace(/\s+/g, '').toLowerCase();
  }

  /** The canonical name, or undefined when unknown. */
  normalize(name: string): string | undefined {
    return this.byKey.get(LocationCatalog.key(name))?.name;
  }

  get(name: string): LocationInfo | undefined {
    return this.byKey.get(LocationCatalog.key(name));
  }

  list(): LocationInfo[] {
    this.listed ??= [...new Set(this.byKey.values())];
    return this.listed.slice();
  }

  names(): string[] {
    return this.list().map((l) => l.name);
  }
}
