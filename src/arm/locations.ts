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
];

export class LocationCatalog {
  private readonly byKey = new Map<string, LocationInfo>();

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
    return [...new Set(this.byKey.values())];
  }

  names(): string[] {
    return this.list().map((l) => l.name);
  }
}
