// Resource type definitions by namespace and type path, looked up case-insensitively.

import type { ResourceProvider, ResourceTypeDefinition, TypeRegistry } from './types.js';

export const typeKeyOf = (namespace: string, type: string): string => `${namespace}/${type}`.toLowerCase();

export class Registry implements TypeRegistry {
  private readonly types = new Map<string, ResourceTypeDefinition>();
  private readonly providers = new Map<string, ResourceProvider>();

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

  provider(namespace: string): ResourceProvider | undefined {
    return this.providers.get(namespace.toLowerCase());
  }

  providerList(): ResourceProvider[] {
    return [...this.providers.values()];
  }

  type(namespace: string, type: string): ResourceTypeDefinition | undefined {
    return this.types.get(typeKeyOf(namespace, type));
  }

  typeByKey(key: string): ResourceTypeDefinition | undefined {
    return this.types.get(key);
  }
}
