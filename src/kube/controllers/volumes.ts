// Persistent volumes: a claim of a storage class is provisioned a volume of its size and bound to it, at
// once (volumeBindingMode Immediate) or when a pod using it is scheduled (WaitForFirstConsumer); a claim
// is protected (kubernetes.io/pvc-protection) while a pod uses it; a released volume is deleted or kept
// as its reclaim policy says. The disks themselves are not modelled, only the API objects.

import type { BatchChange } from '../api.js';
import { BUILTINS } from '../kinds/index.js';
import { clone, nowTime, type KubeObject } from '../model.js';
import type { Controller } from './runtime.js';
import { isTerminating } from './util.js';

const PVCS = BUILTINS.get('', 'v1', 'persistentvolumeclaims')!;
const PVS = BUILTINS.get('', 'v1', 'persistentvolumes')!;
const PROTECT = 'kubernetes.io/pvc-protection';
const PV_PROTECT = 'kubernetes.io/pv-protection';

function claimsOf(pod: KubeObject): string[] {
  return (pod.spec?.volumes ?? []).map((v: any) => v?.persistentVolumeClaim?.claimName).filter(Boolean);
}

export const volumeController: Controller = {
  name: 'persistentvolume',
  watches: ['core/persistentvolumeclaims', 'core/persistentvolumes', 'core/pods'],
  async run(ctx) {
    const changes: BatchChange[] = [];
    const time = nowTime(ctx.now);
    const pods = ctx.list('core/pods');
    const used = new Map<string, KubeObject[]>();
    for (const p of pods) {
      if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
      for (const c of claimsOf(p)) {
        const k = `${p.metadata.namespace}/${c}`;
        const l = used.get(k) ?? [];
        l.push(p);
        used.set(k, l);
      }
    }
    const pvs = new Map(ctx.list('core/persistentvolumes').map((v) => [v.metadata.name!, v]));
    for (const pvc of ctx.list('core/persistentvolumeclaims')) {
      const ns = pvc.metadata.namespace!;
      const key = `${ns}/${pvc.metadata.name}`;
      const users = used.get(key) ?? [];
      if (isTerminating(pvc)) {
        if (!users.length && (pvc.metadata.finalizers ?? []).includes(PROTECT)) {
          const next = clone(pvc);
          next.metadata.finalizers = next.metadata.finalizers!.filter((f) => f !== PROTECT);
          changes.push({ verb: 'update', def: PVCS, namespace: ns, object: next, whole: true, tolerate: [404, 409] });
        }
        continue;
      }
      if (!(pvc.metadata.finalizers ?? []).includes(PROTECT)) {
        const next = clone(pvc);
        next.metadata.finalizers = [...(next.metadata.finalizers ?? []), PROTECT];
        changes.push({ verb: 'update', def: PVCS, namespace: ns, object: next, whole: true, tolerate: [404, 409] });
        continue;
      }
      if (pvc.status?.phase === 'Bound') continue;
      const scName = pvc.spec?.storageClassName;
      const sc = scName ? ctx.get('storage.k8s.io/storageclasses', '', scName) : undefined;
      if (!sc) {
        ctx.event(
          pvc,
          'Normal',
          'FailedBinding',
          scName ? `storageclass.storage.k8s.io "${scName}" not found` : 'no persistent volumes available for this claim and no storage class is set',
          'persistentvolume-controller',
        );
        continue;
      }
      const scheduled = users.find((p) => p.spec?.nodeName);
      if (sc.volumeBindingMode === 'WaitForFirstConsumer' && !scheduled) {
        ctx.event(pvc, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding', 'persistentvolume-controller');
        continue;
      }
      const name = `pvc-${pvc.metadata.uid}`;
      if (!pvs.has(name)) {
        const size = pvc.spec?.resources?.requests?.storage ?? '1Gi';
        const handle = ctx.view.kind === 'aks' ? `/subscriptions/${ctx.view.subscriptionId}/resourceGroups/${ctx.view.nodeResourceGroup ?? ''}/providers/Microsoft.Compute/disks/${name}` : `${name}`;
        const pv: KubeObject = {
          apiVersion: 'v1',
          kind: 'PersistentVolume',
          metadata: {
            name,
            annotations: {
              'pv.kubernetes.io/provisioned-by': sc.provisioner,
              'volume.kubernetes.io/provisioner-deletion-secret-name': '',
              'volume.kubernetes.io/provisioner-deletion-secret-namespace': '',
            },
            finalizers: [PV_PROTECT],
          },
          spec: {
            accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'],
            capacity: { storage: size },
            claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: ns, name: pvc.metadata.name, uid: pvc.metadata.uid, resourceVersion: pvc.metadata.resourceVersion },
            csi: {
              driver: sc.provisioner,
              volumeHandle: handle,
              fsType: 'ext4',
              volumeAttributes: { 'csi.storage.k8s.io/pv/name': name, 'csi.storage.k8s.io/pvc/name': pvc.metadata.name, 'csi.storage.k8s.io/pvc/namespace': ns, ...(sc.parameters ?? {}) },
            },
            persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
            storageClassName: scName,
            volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
          },
          status: { phase: 'Bound' },
        };
        if (scheduled && sc.volumeBindingMode === 'WaitForFirstConsumer') {
          pv.spec.nodeAffinity = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/region', operator: 'In', values: [ctx.view.location] }] }] } };
        }
        changes.push({ verb: 'create', def: PVS, namespace: '', object: pv, tolerate: [409] });
        ctx.event(pvc, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${name}`, `${sc.provisioner}_emulator`);
      }
      const next = clone(pvc);
      next.spec.volumeName = name;
      next.metadata.annotations = {
        ...(next.metadata.annotations ?? {}),
        'pv.kubernetes.io/bind-completed': 'yes',
        'pv.kubernetes.io/bound-by-controller': 'yes',
        'volume.beta.kubernetes.io/storage-provisioner': sc.provisioner,
        'volume.kubernetes.io/storage-provisioner': sc.provisioner,
      };
      if (scheduled) next.metadata.annotations['volume.kubernetes.io/selected-node'] = scheduled.spec.nodeName;
      next.status = { phase: 'Bound', accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'], capacity: { storage: pvc.spec?.resources?.requests?.storage ?? '1Gi' } };
      changes.push({ verb: 'update', def: PVCS, namespace: ns, object: next, whole: true, tolerate: [404, 409] });
    }
    // Volumes whose claim is gone: deleted or released, as their reclaim policy says.
    for (const pv of pvs.values()) {
      const ref = pv.spec?.claimRef;
      if (!ref || isTerminating(pv)) {
        if (isTerminating(pv) && (pv.metadata.finalizers ?? []).includes(PV_PROTECT) && pv.status?.phase !== 'Bound') {
          changes.push({
            verb: 'update',
            def: PVS,
            namespace: '',
            object: { ...clone(pv), metadata: { ...clone(pv.metadata), finalizers: (pv.metadata.finalizers ?? []).filter((f) => f !== PV_PROTECT) } },
            whole: true,
            tolerate: [404, 409],
          });
        }
        continue;
      }
      const claim = ctx.get('core/persistentvolumeclaims', ref.namespace, ref.name);
      if (claim && claim.metadata.uid === ref.uid) {
        if (pv.status?.phase !== 'Bound')
          changes.push({ verb: 'update', def: PVS, namespace: '', object: { ...clone(pv), status: { phase: 'Bound', lastPhaseTransitionTime: time } }, whole: true, tolerate: [404, 409] });
        continue;
      }
      if (pv.spec?.persistentVolumeReclaimPolicy === 'Delete') {
        if (pv.status?.phase === 'Released' && !(pv.metadata.finalizers ?? []).includes(PV_PROTECT)) {
          changes.push({ verb: 'delete', def: PVS, namespace: '', name: pv.metadata.name!, tolerate: [404] });
          continue;
        }
        const next = clone(pv);
        next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== PV_PROTECT);
        if (!next.metadata.finalizers.length) delete next.metadata.finalizers;
        next.status = { phase: 'Released', lastPhaseTransitionTime: time };
        changes.push({ verb: 'update', def: PVS, namespace: '', object: next, whole: true, tolerate: [404, 409] });
      } else if (pv.status?.phase !== 'Released') {
        changes.push({ verb: 'update', def: PVS, namespace: '', object: { ...clone(pv), status: { phase: 'Released', lastPhaseTransitionTime: time } }, whole: true, tolerate: [404, 409] });
      }
    }
    if (changes.length) await ctx.commit(changes);
  },
};
