// The garbage collector: an object whose owners (by uid) are all gone is deleted (background cascading);
// an owner being deleted in the foreground (finalizer foregroundDeletion) waits for its dependents to go,
// and one deleted with propagationPolicy Orphan (finalizer orphan) first has its dependents released.

import type { BatchChange } from '../api.js';
import { storageOf, type ResourceDef } from '../kinds/registry.js';
import { clone, type KubeObject } from '../model.js';
import type { Controller } from './runtime.js';

function defOfStorage(defs: ResourceDef[], gr: string): ResourceDef | undefined {
  // A resource served under another group's storage (events.k8s.io's events are core events) is not its own.
  return defs.find((d) => storageOf(d) === gr && !d.virtual && (d.storageGroup === undefined || d.storageGroup === d.group));
}

export const garbageCollector: Controller = {
  name: 'garbagecollector',
  watches: ['*'],
  async run(ctx) {
    const defs = ctx.api.kinds(ctx.cluster).all();
    const byUid = new Map<string, { o: KubeObject; gr: string }>();
    const all: { o: KubeObject; gr: string }[] = [];
    for (const gr of ctx.store.resources(ctx.cluster)) {
      for (const o of ctx.list(gr)) {
        const e = { o, gr };
        all.push(e);
        if (o.metadata.uid) byUid.set(o.metadata.uid, e);
      }
    }
    const changes: BatchChange[] = [];
    const dependents = new Map<string, { o: KubeObject; gr: string }[]>();
    for (const e of all) {
      const refs = e.o.metadata.ownerReferences ?? [];
      if (!refs.length) continue;
      for (const r of refs) {
        let l = dependents.get(r.uid);
        if (!l) dependents.set(r.uid, (l = []));
        l.push(e);
      }
      if (e.o.metadata.deletionTimestamp) continue;
      // uids are unique in a cluster: an owner is alive when an object with its uid (and kind) exists.
      const alive = refs.some((r) => byUid.get(r.uid)?.o.kind === r.kind);
      if (alive) continue;
      const def = defOfStorage(defs, e.gr);
      if (def) changes.push({ verb: 'delete', def, namespace: e.o.metadata.namespace ?? '', name: e.o.metadata.name!, propagationPolicy: 'Background', tolerate: [404, 409] });
    }
    // Owners being deleted in the foreground or with orphaning.
    for (const e of all) {
      const fin = e.o.metadata.finalizers ?? [];
      if (!e.o.metadata.deletionTimestamp || (!fin.includes('foregroundDeletion') && !fin.includes('orphan'))) continue;
      const deps = (dependents.get(e.o.metadata.uid!) ?? []).filter((d) => byUid.has(d.o.metadata.uid!));
      const def = defOfStorage(defs, e.gr);
      if (!def) continue;
      if (fin.includes('orphan')) {
        for (const d of deps) {
          const dd = defOfStorage(defs, d.gr);
          if (!dd) continue;
          const next = clone(d.o);
          next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter((r) => r.uid !== e.o.metadata.uid);
          if (!next.metadata.ownerReferences.length) delete next.metadata.ownerReferences;
          changes.push({ verb: 'update', def: dd, namespace: d.o.metadata.namespace ?? '', object: next, whole: true, tolerate: [404, 409] });
        }
        const next = clone(e.o);
        next.metadata.finalizers = fin.filter((f) => f !== 'orphan');
        changes.push({ verb: 'update', def, namespace: e.o.metadata.namespace ?? '', object: next, whole: true, tolerate: [404, 409] });
        continue;
      }
      const blocking = deps.filter((d) => (d.o.metadata.ownerReferences ?? []).some((r) => r.uid === e.o.metadata.uid && r.blockOwnerDeletion));
      for (const d of deps) {
        if (d.o.metadata.deletionTimestamp) continue;
        const dd = defOfStorage(defs, d.gr);
        if (dd) changes.push({ verb: 'delete', def: dd, namespace: d.o.metadata.namespace ?? '', name: d.o.metadata.name!, propagationPolicy: 'Foreground', tolerate: [404, 409] });
      }
      if (blocking.length === 0) {
        const next = clone(e.o);
        next.metadata.finalizers = fin.filter((f) => f !== 'foregroundDeletion');
        changes.push({ verb: 'update', def, namespace: e.o.metadata.namespace ?? '', object: next, whole: true, tolerate: [404, 409] });
      }
    }
    if (changes.length) await ctx.commit(changes);
  },
};
