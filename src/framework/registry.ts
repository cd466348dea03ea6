// Resource type definitions by namespace and type path, looked up case-insensitively. Hand-built providers are
// added at start; every other type of the public catalogue comes from a TypeSource (the generic provider),
// asked only when no hand-built definition matches, so a hand-built type always wins.

import type { ResourceProvider, ResourceTypeDefinition, TypeRegistry, TypeSource } from './types.js';

export type { TypeSource } from './types.js';

export const typeKeyOf = (namespace: string, type: string): string => `${namespace}/${type}`.toLowerCase();

export class Registry implements TypeRegistry {
  private readonly types = new Map<string, ResourceTypeDefinition>();
  private readonly providers = new Map<string, ResourceProvider>();
  private source?: TypeSource;

  addProvider(p: ResourceProvider): void {
    const key = p.namespace.toLowerCase();
    const existing = this.providers.get(key);
    if (existing) {
      // Several modules may contribute types to one namespace (e.g. the engine's operation types).
      existing.types.push(...p.types);
    } else {
      this.providers.set(key, { ...p, types: [...p.types] });
    }
    for (const t of p.types) {
      if (t.namespace.toLowerCase() !== key) throw new Error(`type ${t.type} declares namespace ${t.namespace}, not ${p.namespace}`);
      this.types.set(typeKeyOf(t.namespace, t.type), t);
    }
  }

  /** Where types beyond the hand-built ones come from. */
  setSource(source: TypeSource): void {
    this.source = source;
  }

  catalogue(): TypeSource | undefined {
    return this.source;
  }

  provider(namespace: string): ResourceProvider | undefined {
    return this.providers.get(namespace.toLowerCase()) ?? this.source?.provider(namespace);
  }

  handBuiltProvider(namespace: string): ResourceProvider | undefined {
    return this.providers.get(namespace.toLowerCase());
  }

  /** Every provider: the hand-built ones, then the catalogue's other namespaces. */
  providerList(): ResourceProvider[] {
    const out = [...this.providers.values()];
    for (const ns of this.source?.namespaces() ?? []) {
      if (this.providers.has(ns.toLowerCase())) continue;
      const p = this.source!.provider(ns);
      if (p) out.push(p);
    }
    return out;
  }

  type(namespace: string, type: string): ResourceTypeDefinition | undefined {
    return this.types.get(typeKeyOf(namespace, type)) ?? this.source?.type(namespace, type);
  }

  typeByKey(key: string): ResourceTypeDefinition | undefined {
    const hit = this.types.get(key);
    if (hit || !this.source) return hit;
    const i = key.indexOf('/');
    return i < 0 ? undefined : this.source.type(key.slice(0, i), key.slice(i + 1));
  }

  isHandBuilt(namespace: string, type: string): boolean {
    return this.types.has(typeKeyOf(namespace, type));
  }
}
