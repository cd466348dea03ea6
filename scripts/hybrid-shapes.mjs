#!/usr/bin/env node
// Writes schemas/providers/hybrid-shapes.json (read by src/providers/hybridShapes.ts on first use): for each
// hand-built hybrid resource type and each
// api-version the emulator serves, the tree of property names that version's model has. The
// providers prune what they return to it (an older version never shows a newer version's property).
//
// The trees come from Azure/bicep-types-az (public data: the types generated from the REST specs,
// generated/<rp>/<namespace>/<api-version>/types.json). Run with a local clone or fetched mirror:
//   node scripts/hybrid-shapes.mjs <path to the bicep-types-az git directory or work tree>
// It reads HEAD through `git show`, so a bare mirror works too.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const repo = process.argv[2];
if (!repo) {
  console.error('usage: node scripts/hybrid-shapes.mjs <bicep-types-az git dir>');
  process.exit(2);
}

/** type -> { folder of its types.json per api-version (rp dir under generated/), api-versions }. */
const WANT = {
  'Microsoft.Kubernetes/connectedClusters': ['hybridkubernetes_0', ['2021-03-01', '2021-10-01', '2024-01-01', '2024-07-01-preview', '2026-05-01']],
  'Microsoft.KubernetesConfiguration/extensions': [
    { '2024-11-01': 'kubernetesconfiguration_0', '2025-03-01': 'kubernetesconfiguration_0', default: 'kubernetesconfiguration_7' },
    ['2021-09-01', '2021-11-01-preview', '2022-01-01-preview', '2022-03-01', '2022-04-02-preview', '2022-07-01', '2022-11-01', '2023-05-01', '2024-11-01', '2025-03-01'],
  ],
  'Microsoft.KubernetesConfiguration/fluxConfigurations': [
    { '2024-11-01': 'kubernetesconfiguration_2', '2025-04-01': 'kubernetesconfiguration_2', default: 'kubernetesconfiguration_7' },
    ['2021-11-01-preview', '2022-01-01-preview', '2022-03-01', '2022-07-01', '2022-11-01', '2023-05-01', '2024-04-01-preview', '2024-11-01', '2025-04-01'],
  ],
  'Microsoft.ExtendedLocation/customLocations': ['extendedlocation', ['2021-03-15-preview', '2021-08-15', '2021-08-31-preview', '2024-09-15-preview']],
  'Microsoft.ResourceConnector/appliances': ['resourceconnector', ['2021-10-31-preview', '2022-04-15-preview', '2022-10-27']],
  'Microsoft.HybridContainerService/provisionedClusterInstances': ['hybridaks_0', ['2023-11-15-preview', '2024-01-01']],
  'Microsoft.HybridContainerService/provisionedClusterInstances/agentPools': ['hybridaks_0', ['2023-11-15-preview', '2024-01-01']],
  'Microsoft.HybridContainerService/provisionedClusterInstances/hybridIdentityMetadata': ['hybridaks_0', ['2023-11-15-preview', '2024-01-01']],
  'Microsoft.HybridContainerService/virtualNetworks': ['hybridaks_0', ['2023-11-15-preview', '2024-01-01']],
  'Microsoft.HybridContainerService/kubernetesVersions': ['hybridaks_0', ['2023-11-15-preview', '2024-01-01']],
  'Microsoft.HybridContainerService/skus': ['hybridaks_0', ['2023-11-15-preview', '2024-01-01']],
  'Microsoft.HybridContainerService/provisionedClusterInstances/upgradeProfiles': ['hybridaks_0', ['2023-11-15-preview', '2024-01-01']],
  'Microsoft.AzureStackHCI/logicalNetworks': ['azurestackhci_1', ['2023-09-01-preview', '2024-01-01', '2024-05-01-preview', '2025-02-01-preview']],
  'Microsoft.AzureStackHCI/networkInterfaces': ['azurestackhci_1', ['2023-09-01-preview', '2024-01-01', '2024-05-01-preview', '2025-02-01-preview']],
  'Microsoft.AzureStackHCI/galleryImages': ['azurestackhci_1', ['2023-09-01-preview', '2024-01-01', '2024-05-01-preview', '2025-02-01-preview']],
  'Microsoft.AzureStackHCI/storageContainers': ['azurestackhci_1', ['2023-09-01-preview', '2024-01-01', '2024-05-01-preview', '2025-02-01-preview']],
  'Microsoft.AzureStackHCI/virtualMachineInstances': ['azurestackhci_1', ['2023-09-01-preview', '2024-01-01', '2024-05-01-preview', '2025-02-01-preview']],
  'Microsoft.HybridCompute/machines': ['hybridcompute', ['2022-12-27', '2023-10-03-preview', '2024-07-10', '2025-01-13']],
};

const cache = new Map();
function typesFile(rp, ns, v) {
  const p = `generated/${rp}/${ns.toLowerCase()}/${v}/types.json`;
  if (!cache.has(p)) cache.set(p, JSON.parse(execFileSync('git', ['show', `HEAD:${p}`], { cwd: repo, maxBuffer: 64 << 20 }).toString()));
  return cache.get(p);
}

/** The property tree of an ObjectType: {name: subtree}; '[]' for array items, '*' for map values; 0 for a leaf. */
function tree(types, ref, seen) {
  const i = Number(ref.$ref.split('/').pop());
  const t = types[i];
  if (t.$type === 'ArrayType') {
    const sub = tree(types, t.itemType, seen);
    return sub === 0 ? 0 : { '[]': sub };
  }
  if (t.$type === 'DiscriminatedObjectType') {
    const out = {};
    for (const [k, v] of Object.entries(t.baseProperties ?? {})) out[k] = tree(types, v.type, seen);
    for (const e of Object.values(t.elements ?? {})) Object.assign(out, tree(types, e, seen) || {});
    return out;
  }
  if (t.$type !== 'ObjectType') return 0;
  if (seen.has(i)) return 0; // a recursive model (ErrorDetail.details): its own fields suffice
  const out = {};
  const next = new Set(seen).add(i);
  for (const [k, v] of Object.entries(t.properties ?? {})) out[k] = tree(types, v.type, next);
  if (t.additionalProperties) {
    const sub = tree(types, t.additionalProperties, next);
    out['*'] = sub;
  }
  return out;
}

const shapes = {};
for (const [type, [rps, versions]] of Object.entries(WANT)) {
  const ns = type.split('/')[0];
  const key = type.toLowerCase();
  shapes[key] = {};
  for (const v of versions) {
    const rp = typeof rps === 'string' ? rps : (rps[v] ?? rps.default);
    const types = typesFile(rp, ns, v);
    const rt = types.find((t) => t.$type === 'ResourceType' && t.name.toLowerCase() === `${key}@${v}`);
    if (!rt) throw new Error(`${type}@${v} is not in ${rp}`);
    const body = tree(types, rt.body, new Set());
    delete body.apiVersion; // bicep's, not the wire's
    shapes[key][v] = body;
  }
}

const head = execFileSync('git', ['log', '-1', '--format=%H %cs'], { cwd: repo }).toString().trim();
const [commit, date] = head.split(' ');
// one JSON document: no script source for V8 to keep, and nothing read before a hybrid resource is shown
const out = `${JSON.stringify({ source: `Azure/bicep-types-az ${commit} ${date}`, shapes })}\n`;
const file = path.resolve('schemas/providers/hybrid-shapes.json');
mkdirSync(path.dirname(file), { recursive: true });
writeFileSync(file, out);
console.log(`wrote ${file} (${out.length} bytes, ${Object.keys(shapes).length} types)`);
