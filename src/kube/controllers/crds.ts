// CustomResourceDefinitions: a new definition has its names accepted and is established (its resources
// are then served); one being deleted has every custom resource of it deleted first, then goes.

import type { BatchChange } from '../api.js';
import { BUILTINS } from '../kinds/index.js';
import { crdResources } from '../kinds/crd.js';
import { clone, nowTime } from '../model.js';
import type { Controller } from './runtime.js';

const CRDS = BUILTINS.get('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
const CLEANUP = 'customresourcecleanup.apiextensions.k8s.io';

const cond = (type: string, status: string, reason: string, message: string, prev: any[], time: string) => {
  const old = prev.find((c) => c.type === type);
  return { type, status, lastTransitionTime: old && old.status === status ? old.lastTransitionTime : time, reason, message };
};

export const crdController: Controller = {
  name: 'crd',
  watches: ['apiextensions.k8s.io/customresourcedefinitions'],
  async run(ctx) {
    const changes: BatchChange[] = [];
    const time = nowTime(ctx.now);
    const crds = ctx.list('apiextensions.k8s.io/customresourcedefinitions');
    for (const crd of crds) {
      const prev: any[] = crd.status?.conditions ?? [];
      if (crd.metadata.deletionTimestamp) {
        const names = crd.spec?.names ?? {};
        const gr = `${crd.spec?.group}/${names.plural}`;
        const left = ctx.list(gr);
        if (left.length) {
          // Delete every custom resource of the definition (its resources are still served until it goes).
          const defs = crdResources({ ...crd, metadata: { ...crd.metadata, deletionTimestamp: undefined } });
          const def = defs[0];
          if (def) for (const o of left) if (!o.metadata.deletionTimestamp) changes.push({ verb: 'delete', def, namespace: o.metadata.namespace ?? '', name: o.metadata.name!, tolerate: [404, 409] });
          if (!prev.some((c) => c.type === 'Terminating')) {
            changes.push({
              verb: 'update',
              def: CRDS,
              namespace: '',
              object: {
                ...clone(crd),
                status: { ...crd.status, conditions: [...prev, cond('Terminating', 'True', 'InstanceDeletionInProgress', 'CustomResource deletion is in progress', prev, time)] },
              },
              subresource: 'status',
              tolerate: [404, 409],
            });
          }
          ctx.after(1_000);
          continue;
        }
        if ((crd.metadata.finalizers ?? []).includes(CLEANUP)) {
          const next = clone(crd);
          next.metadata.finalizers = next.metadata.finalizers!.filter((f) => f !== CLEANUP);
          changes.push({ verb: 'update', def: CRDS, namespace: '', object: next, whole: true, tolerate: [404, 409] });
        }
        continue;
      }
      if (!(crd.metadata.finalizers ?? []).includes(CLEANUP)) {
        const next = clone(crd);
        next.metadata.finalizers = [...(next.metadata.finalizers ?? []), CLEANUP];
        changes.push({ verb: 'update', def: CRDS, namespace: '', object: next, whole: true, tolerate: [404, 409] });
        continue;
      }
      // Names conflict with another definition of the same group and plural (created first)?
      const clash = crds.find(
        (o) => o !== crd && o.spec?.group === crd.spec?.group && o.spec?.names?.plural === crd.spec?.names?.plural && String(o.metadata.creationTimestamp) < String(crd.metadata.creationTimestamp),
      );
      const storage = (crd.spec?.versions ?? []).find((v: any) => v.storage)?.name;
      const status = {
        ...(crd.status ?? {}),
        acceptedNames: clash
          ? (crd.status?.acceptedNames ?? {})
          : { ...crd.spec.names, singular: crd.spec.names.singular ?? String(crd.spec.names.kind).toLowerCase(), listKind: crd.spec.names.listKind ?? `${crd.spec.names.kind}List` },
        conditions: clash
          ? [
              cond('NamesAccepted', 'False', 'NameConflict', `"${crd.spec.names.plural}" is already in use`, prev, time),
              cond('Established', 'False', 'NotAccepted', 'not all names are accepted', prev, time),
            ]
          : [cond('NamesAccepted', 'True', 'NoConflicts', 'no conflicts found', prev, time), cond('Established', 'True', 'InitialNamesAccepted', 'the initial names have been accepted', prev, time)],
        storedVersions: [...new Set([...(crd.status?.storedVersions ?? []), ...(storage ? [storage] : [])])],
      };
      if (JSON.stringify(status) !== JSON.stringify(crd.status))
        changes.push({ verb: 'update', def: CRDS, namespace: '', object: { ...clone(crd), status }, subresource: 'status', tolerate: [404, 409] });
    }
    if (changes.length) await ctx.commit(changes);
  },
};
