// The generic provider: every type of the public catalogue that no hand-built provider declares, served as a
// stored, validated resource (definition.ts). The registry asks here only after its hand-built types, so a
// hand-built provider always wins, in whole namespaces and type by type. Definitions are made on first use
// and kept; nothing of the catalogue is read before the first type the hand-built providers do not know.

import { Catalogue, type VersionSchema } from '../../catalogue/catalogue.js';
import { typeKeyOf, type TypeSource } from '../../framework/registry.js';
import type { Services } from '../../framework/types.js';
import type { ResourceProvider, ResourceTypeDefinition } from '../../framework/types.js';
import { operationTypes } from '../../lro/routes.js';
import { genericDefinition } from './definition.js';

export class GenericTypes implements TypeSource {
  private readonly defs = new Map<string, ResourceTypeDefinition>();
  private readonly providers = new Map<string, ResourceProvider>();

  constructor(
    private readonly services: Services,
    readonly catalogue: Catalogue = new Catalogue(),
  ) {}

  type(namespace: string, type: string): ResourceTypeDefinition | undefined {
    const key = typeKeyOf(namespace, type);
    const hit = this.defs.get(key);
    if (hit) return hit;
    if (!this.services.registry.handBuiltProvider(namespace)) {
      // a namespace of its own: its operation types (the /operations list) come with the provider
      return this.provider(namespace)?.types.find((t) => typeKeyOf(t.namespace, t.type) === key);
    }
    return this.definition(namespace, type);
  }

  private definition(namespace: string, type: string): ResourceTypeDefinition | undefined {
    const key = typeKeyOf(namespace, type);
    let def = this.defs.get(key);
    if (def) return def;
    const ct = this.catalogue.type(namespace, type);
    if (!ct) return undefined;
    def = genericDefinition(ct, this.catalogue, this.services);
    this.defs.set(key, def);
    return def;
  }

  provider(namespace: string): ResourceProvider | undefined {
    const key = namespace.toLowerCase();
    let p = this.providers.get(key);
    if (p) return p;
    const ns = this.catalogue.namespace(namespace);
    if (!ns) return undefined;
    const types = ns.types.map((t) => this.definition(t.namespace, t.type)!);
    p = { namespace: ns.name, types, registeredByDefault: true };
    const ops = operationTypes(p).filter((o) => !types.some((t) => t.type.toLowerCase() === o.type.toLowerCase()));
    p.types = [...types, ...ops];
    for (const o of ops) this.defs.set(typeKeyOf(o.namespace, o.type), o);
    this.providers.set(key, p);
    return p;
  }

  prepare(namespace: string): Promise<void> | undefined {
    return this.catalogue.prepare(namespace);
  }

  namespaces(): string[] {
    return this.catalogue.namespaces();
  }

  apiVersions(namespace: string, type: string): string[] | undefined {
    return this.catalogue.type(namespace, type)?.apiVersions;
  }

  schema(namespace: string, type: string, apiVersion: string): VersionSchema | undefined {
    return this.catalogue.schema(namespace, type, apiVersion);
  }

  typesBeside(provider: ResourceProvider): ResourceTypeDefinition[] {
    const ns = this.catalogue.namespace(provider.namespace);
    if (!ns) return [];
    const declared = new Set(provider.types.map((t) => t.type.toLowerCase()));
    return ns.types.filter((t) => !declared.has(t.type.toLowerCase())).map((t) => this.definition(t.namespace, t.type)!);
  }
}
