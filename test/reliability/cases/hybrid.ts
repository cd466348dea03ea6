// Bad bodies for the hybrid types, generated from a good body of each (the Arc bridge, cluster extensions,
// custom locations, logical networks, connected clusters, AKS hybrid cluster instances and their pools,
// hybrid virtual networks, the custom location's offerings, flux configurations, gallery images, network
// interfaces, Arc machines and their VM instances): every leaf given values of the wrong kind,
// every leaf dropped, and whole bodies of the wrong shape. Valid ones may be accepted: the checks are no 5xx,
// the envelope, and that every operation they start ends.
import { applianceBody, customLocationBody, extensionBody, lnetBody, rg } from '../../arc/helpers.js';
import { ccBody, pciBody, poolBody } from '../../hybrid/helpers.js';
import { badValues, bodyLeaves, dropDeep, setDeep, type Case } from '../corpus.js';

export interface HybridCtx {
  app: string; // the bridge
  cl: string; // the custom location
  lnet: string; // a static logical network for clusters
  cc: string; // a connected cluster with its cluster instance
  image: string; // a gallery image on the custom location
  nic: string; // a network interface on the logical network
  machine: string; // an Arc machine of kind HCI (the VM instance's parent)
}

const SHAPES = ['[]', '"text"', '42', 'null', '{}', '{"properties":[]}', '{"properties":"x"}', '{"location":{"x":1}}', '{"extendedLocation":"x"}', '{"identity":[1]}'];

export function hybridCases(c: HybridCtx): Case[] {
  let n = 0;
  const types: { what: string; path: () => string; v: string; body: any }[] = [
    { what: 'appliance', path: () => `${rg()}/providers/Microsoft.ResourceConnector/appliances/corpus${n++}`, v: '2022-10-27', body: applianceBody() },
    {
      what: 'extension',
      path: () => `${c.app}/providers/Microsoft.KubernetesConfiguration/extensions/corpus${n++}`,
      v: '2023-05-01',
      body: extensionBody('microsoft.flux', { releaseTrain: 'Stable', autoUpgradeMinorVersion: true, scope: { cluster: { releaseNamespace: 'flux' } }, configurationSettings: { a: 'b' } }),
    },
    {
      what: 'customLocation',
      path: () => `${rg()}/providers/Microsoft.ExtendedLocation/customLocations/corpus${n++}`,
      v: '2021-08-15',
      body: customLocationBody(c.app, [`${c.app}/providers/Microsoft.KubernetesConfiguration/extensions/hybridaks`]),
    },
    {
      what: 'logicalNetwork',
      path: () => `${rg()}/providers/Microsoft.AzureStackHCI/logicalNetworks/corpus${n++}`,
      v: '2024-01-01',
      body: lnetBody(c.cl, '172.30.0.0/24', 30, { start: '172.30.0.50', end: '172.30.0.59' }),
    },
    { what: 'connectedCluster', path: () => `${rg()}/providers/Microsoft.Kubernetes/connectedClusters/corpus${n++}`, v: '2024-01-01', body: ccBody() },
    { what: 'provisionedClusterInstance', path: () => `${c.cc}/providers/Microsoft.HybridContainerService/provisionedClusterInstances/default`, v: '2024-01-01', body: pciBody(c.cl, c.lnet) },
    { what: 'agentPool', path: () => `${c.cc}/providers/Microsoft.HybridContainerService/provisionedClusterInstances/default/agentPools/p${n++}`, v: '2024-01-01', body: poolBody() },
    {
      what: 'hybrid virtualNetwork',
      path: () => `${rg()}/providers/Microsoft.HybridContainerService/virtualNetworks/corpus${n++}`,
      v: '2024-01-01',
      body: {
        location: 'westus',
        extendedLocation: { type: 'CustomLocation', name: c.cl },
        properties: {
          infraVnetProfile: { hci: { mocGroup: 'g', mocLocation: 'l', mocVnetName: 'v' } },
          vipPool: [{ startIP: '192.168.40.10', endIP: '192.168.40.50' }],
          vmipPool: [{ startIP: '192.168.40.110', endIP: '192.168.40.130' }],
          dnsServers: ['192.168.40.1'],
          gateway: '192.168.40.1',
          ipAddressPrefix: '192.168.40.0/24',
          vlanID: 40,
        },
      },
    },
    {
      what: 'galleryImage',
      path: () => `${rg()}/providers/Microsoft.AzureStackHCI/galleryImages/corpus${n++}`,
      v: '2023-09-01-preview',
      body: {
        location: 'eastus',
        extendedLocation: { type: 'CustomLocation', name: c.cl },
        properties: { hyperVGeneration: 'V2', osType: 'Linux', imagePath: 'C:\\ClusterStorage\\UserStorage_01\\corpus.vhdx' },
      },
    },
    {
      what: 'networkInterface',
      path: () => `${rg()}/providers/Microsoft.AzureStackHCI/networkInterfaces/corpus${n++}`,
      v: '2023-09-01-preview',
      body: { location: 'eastus', extendedLocation: { type: 'CustomLocation', name: c.cl }, properties: { ipConfigurations: [{ name: 'ip', properties: { subnet: { id: c.lnet } } }] } },
    },
    {
      what: 'machine',
      path: () => `${rg()}/providers/Microsoft.HybridCompute/machines/corpus${n++}`,
      v: '2023-10-03-preview',
      body: { location: 'eastus', kind: 'HCI', identity: { type: 'SystemAssigned' } },
    },
    {
      what: 'virtualMachineInstance',
      path: () => `${c.machine}/providers/Microsoft.AzureStackHCI/virtualMachineInstances/default`,
      v: '2023-09-01-preview',
      body: {
        extendedLocation: { type: 'CustomLocation', name: c.cl },
        properties: {
          hardwareProfile: { vmSize: 'Default' },
          osProfile: { adminUsername: 'azureuser', adminPassword: 'P@ssw0rd-1', computerName: 'corpus', linuxConfiguration: { provisionVMConfigAgent: true } },
          storageProfile: { imageReference: { id: c.image } },
          networkProfile: { networkInterfaces: [{ id: c.nic }] },
        },
      },
    },
    {
      what: 'fluxConfiguration',
      path: () => `${c.cc}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/corpus${n++}`,
      v: '2023-05-01',
      body: {
        properties: {
          scope: 'cluster',
          namespace: 'cluster-config',
          sourceKind: 'GitRepository',
          gitRepository: { url: 'https://github.com/Azure/arc-k8s-demo', repositoryRef: { branch: 'main' } },
          kustomizations: { infra: { path: './infrastructure', prune: true } },
        },
      },
    },
    {
      what: 'kubernetesVersions',
      path: () => `${c.cl}/providers/Microsoft.HybridContainerService/kubernetesVersions/default`,
      v: '2024-01-01',
      body: { extendedLocation: { type: 'CustomLocation', name: c.cl } },
    },
    { what: 'skus', path: () => `${c.cl}/providers/Microsoft.HybridContainerService/skus/default`, v: '2024-01-01', body: { extendedLocation: { type: 'CustomLocation', name: c.cl } } },
  ];
  const out: Case[] = [];
  for (const t of types) {
    for (const leaf of bodyLeaves(t.body)) {
      for (const v of badValues(leaf.schema).slice(0, 4)) {
        out.push({
          what: `hybrid: ${t.what} ${leaf.path.join('.')} = ${JSON.stringify(v).slice(0, 30)}`,
          method: 'PUT',
          path: `${t.path()}?api-version=${t.v}`,
          body: JSON.stringify(setDeep(t.body, leaf.path, v)),
          kind: 'arm',
        });
      }
      out.push({ what: `hybrid: ${t.what} without ${leaf.path.join('.')}`, method: 'PUT', path: `${t.path()}?api-version=${t.v}`, body: JSON.stringify(dropDeep(t.body, leaf.path)), kind: 'arm' });
    }
    for (const s of SHAPES) out.push({ what: `hybrid: ${t.what} body ${s}`, method: 'PUT', path: `${t.path()}?api-version=${t.v}`, body: s, kind: 'arm', refuse: !s.startsWith('{') && s !== 'null' });
    out.push({ what: `hybrid: ${t.what} PATCH garbage`, method: 'PATCH', path: `${t.path()}?api-version=${t.v}`, body: '{"tags":[1],"properties":7}', kind: 'arm' });
    out.push({ what: `hybrid: ${t.what} unknown action`, method: 'POST', path: `${t.path()}/explode?api-version=${t.v}`, body: '{}', kind: 'arm', refuse: true });
    out.push({ what: `hybrid: ${t.what} old api-version`, method: 'PUT', path: `${t.path()}?api-version=2000-01-01`, body: JSON.stringify(t.body), kind: 'arm', refuse: true });
  }
  // actions with bad input
  const pci = `${c.cc}/providers/Microsoft.HybridContainerService/provisionedClusterInstances/default`;
  for (const [what, path, body] of [
    ['listAdminKubeconfig with a body', `${pci}/listAdminKubeconfig?api-version=2024-01-01`, '[1]'],
    ['listUserKubeconfig garbage body', `${pci}/listUserKubeconfig?api-version=2024-01-01`, '{'],
    ['cc listClusterUserCredential bad method', `${c.cc}/listClusterUserCredential?api-version=2024-01-01`, '{"authenticationMethod":"Telepathy","clientProxy":"yes"}'],
    ['appliance listClusterUserCredential garbage', `${c.app}/listClusterUserCredential?api-version=2022-10-27`, '"x"'],
    ['appliance upgradeGraphs of a bogus train', `${c.app}/upgradeGraphs/%zz?api-version=2022-10-27`, undefined],
    ['custom location findTargetResourceGroup garbage', `${c.cl}/findTargetResourceGroup?api-version=2021-08-31-preview`, '{"labels":7}'],
    ['extension operations of nothing', `${c.app}/providers/Microsoft.KubernetesConfiguration/extensions/hybridaks/operations/nope?api-version=2023-05-01`, undefined],
  ] as [string, string, string | undefined][]) {
    out.push({ what: `hybrid: ${what}`, method: body === undefined ? 'GET' : 'POST', path, body, kind: 'arm' });
  }
  return out;
}
