// Namespaces: every namespace gets its `default` service account and the `kube-root-ca.crt` config map;
// a terminating namespace has everything in it deleted, is finalized (spec.finalizers emptied), then goes.

import type { BatchChange } from '../api.js';
import { namespaceObjects } from '../bootstrap.js';
import { BUILTINS } from '../kinds/index.js';
import { storageOf, type ResourceDef } from '../kinds/registry.js';
import type { Controller } from './runtime.js';

const NAMESPACES = BUILTINS.get('', 'v1', 'namespaces')!;

/** The definition of a stored group/resource (any version), for deletes. */
function defOfStorage(kinds: { all(): ResourceDef[] }, gr: string): ResourceDef | undefined {
  return kinds.all().find((d) => storageOf(d) === gr && d.namespaced && !d.virtual);
}

export const namespaceController: Controller = {
  name: 'namespace',
  watches: ['core/namespaces', 'core/serviceaccounts', 'core/configmaps'],
  async run(ctx) {
    const changes: BatchChange[] = [];
    const kinds = ctx.api.kinds(ctx.cluster);
    let waiting = false;
    for (const ns of ctx.list('core/namespaces')) {
      const name = ns.metadata.name!;
      if (!ns.metadata.deletionTimestamp) {
        for (const b of namespaceObjects(name, ctx.view)) {
          if (ctx.get(b.gr, name, b.object.metadata.name!)) continue;
          const def = defOfStorage(kinds, b.gr)!;
          changes.push({ verb: 'create', def, namespace: name, object: structuredClone(b.object), tolerate: [409] });
        }
        continue;
      }
      // Terminating: delete what is left, then finalize.
      let left = 0;
      for (const gr of ctx.store.resources(ctx.cluster)) {
        const def = defOfStorage(kinds, gr);
        if (!def) continue;
        for (const o of ctx.list(gr, name)) {
          left++;
          if (!o.metadata.deletionTimestamp) changes.push({ verb: 'delete', def, namespace: name, name: o.metadata.name!, propagationPolicy: 'Background', tolerate: [404, 409] });
        }
      }
      if (left > 0) {
        waiting = true;
        continue;
      }
      if ((ns.spec?.finalizers ?? []).length) {
        const next = structuredClone(ns);
        next.spec = { ...next.spec, finalizers: [] };
        changes.push({ verb: 'update', def: NAMESPACES, namespace: '', object: next, whole: true });
      } else {
        changes.push({ verb: 'delete', def: NAMESPACES, namespace: '', name, tolerate: [404] });
      }
    }
    if (changes.length) await ctx.commit(changes);
    if (waiting) ctx.after(2_000);
  },
};
