// The Istio add-on revisions AKS offers after its release of 2026-07-17 (asm-1-28 to asm-1-30), each upgradable
// to the next one, on the Kubernetes minors of the Azure regions' catalogue (src/kubernetes/capabilities.ts).
export const MESH_REVISIONS = [
  { revision: 'asm-1-28', upgrades: ['asm-1-29'], kubernetes: ['1.34', '1.35', '1.36'] },
  { revision: 'asm-1-29', upgrades: ['asm-1-30'], kubernetes: ['1.34', '1.35', '1.36'] },
  { revision: 'asm-1-30', upgrades: [] as string[], kubernetes: ['1.34', '1.35', '1.36'] },
];

export function revisionWire(r: (typeof MESH_REVISIONS)[number]) {
  return { revision: r.revision, upgrades: r.upgrades, compatibleWith: [{ name: 'kubernetes', versions: r.kubernetes }] };
}
