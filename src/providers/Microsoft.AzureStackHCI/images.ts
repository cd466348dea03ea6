// Microsoft.AzureStackHCI/galleryImages and storageContainers, on a custom location: a storage
// container is a path on the HCI cluster's storage where VM files and images go; a gallery image is an
// OS image copied there (from a path on the cluster's storage or a storage container), from which VM
// instances are created. Both are the HCI VM operator's work on the site: a timed step, failing while
// the site is disconnected, not fabric VMs. An image or container that VM instances use cannot be
// deleted.

import { Errors } from '../../arm/errors.js';
import type { Services } from '../../framework/types.js';
import type { ArmResource, RequestContext, ResourceTypeDefinition, StoredResource, WriteOutcome } from '../../framework/types.js';
import { atApiVersion } from '../versionShapes.js';
import { hciKey, hciTrackedType, hciTarget, inProgress, NS, referenced, sameId, settleHci, STEP } from './common.js';

const VM_INSTANCES = hciKey('virtualMachineInstances');
/** Simulated durations at time-scale 1 (ms): copying an OS image into the cluster's storage takes minutes. */
const IMAGE_MS = 120_000;
const CONTAINER_MS = 10_000;
/** What an image's OS disk occupies when its version does not say (a typical cloud image, MB). */
const DEFAULT_IMAGE_MB = 30_720;
/** A storage container's size (the cluster volume it is on), MB. */
const CONTAINER_MB = 4_194_304;

type Props = Record<string, any>;

function usedBy(services: Services, id: string, pick: (p: Props) => unknown[]): string[] {
  return services.resources
    .listByType(VM_INSTANCES)
    .filter((v) => pick(v.resource.properties ?? {}).some((x) => sameId(x, id)))
    .map((v) => v.resource.id);
}

const step = (site: string, ms: number) => [{ id: 'operator', kind: STEP, params: { site }, durationMs: ms }];

function wire(type: string) {
  return (s: StoredResource, apiVersion: string): ArmResource => {
    const r = structuredClone(s.resource);
    if (s.deleting) r.properties = { ...r.properties, provisioningState: 'Deleting' };
    return atApiVersion(`${NS}/${type}`, apiVersion, r);
  };
}

// ---- gallery images --------------------------------------------------------------------------------------

function planImage(ctx: RequestContext, candidate: ArmResource): WriteOutcome {
  const t = hciTarget(ctx, candidate, 'A gallery image');
  const ex = ctx.existing;
  const p: Props = { ...(candidate.properties ?? {}) };
  const osType = String(p.osType ?? '');
  const os = ['windows', 'linux'].find((x) => x === osType.toLowerCase());
  if (!os) throw Errors.invalidParameter(`properties.osType is required: Windows or Linux${osType ? ` (got '${osType}')` : ''}.`, 'properties.osType');
  const hasPath = typeof p.imagePath === 'string' && p.imagePath !== '';
  if (!hasPath && !p.containerId)
    throw Errors.invalidParameter(
      "properties.imagePath is required: the image file on the cluster's storage (for example C:\\ClusterStorage\\UserStorage_1\\ubuntu.vhdx) or a URL it is downloaded from.",
      'properties.imagePath',
    );
  if (hasPath && !/\.(vhdx?|iso)$/i.test(String(p.imagePath).split('?')[0]))
    throw Errors.invalidParameter(`properties.imagePath '${p.imagePath}' is not a VHD, VHDX or ISO file.`, 'properties.imagePath');
  if (p.containerId) referenced(ctx.services, p.containerId, 'storageContainers', 'storage container', 'properties.containerId', t.customLocation);
  const gen = String(p.hyperVGeneration ?? 'V2').toUpperCase();
  if (gen !== 'V1' && gen !== 'V2') throw Errors.invalidParameter(`properties.hyperVGeneration '${p.hyperVGeneration}' is not one of V1, V2.`, 'properties.hyperVGeneration');
  if (ex && String(ex.resource.properties?.osType).toLowerCase() !== os) throw Errors.propertyChangeNotAllowed('osType', String(ex.resource.properties?.osType), 'properties.osType');
  const sizeMB = Number(p.version?.properties?.storageProfile?.osDiskImage?.sizeInMB) || DEFAULT_IMAGE_MB;
  const resource: ArmResource = {
    ...candidate,
    properties: {
      ...p,
      osType: os === 'windows' ? 'Windows' : 'Linux',
      hyperVGeneration: gen,
      cloudInitDataSource: p.cloudInitDataSource ?? (os === 'linux' ? 'NoCloud' : undefined),
      provisioningState: 'Accepted',
      status: { ...inProgress(), downloadStatus: { downloadSizeInMB: 0 }, progressPercentage: 0 },
    },
  };
  if (resource.properties!.cloudInitDataSource === undefined) delete resource.properties!.cloudInitDataSource;
  return { resource, internal: { site: t.site, sizeMB }, operation: { kind: ex ? 'update' : 'create', tasks: step(t.site, IMAGE_MS) } };
}

export const galleryImages: ResourceTypeDefinition = {
  ...hciTrackedType('galleryImages', 'gallery image'),
  onPut: planImage,
  onDelete(ctx) {
    const users = usedBy(ctx.services, ctx.existing.resource.id, (p) => [p.storageProfile?.imageReference?.id]);
    if (users.length) throw Errors.conflictWith('GalleryImageInUse', `Gallery image '${ctx.existing.resource.name}' is used by ${users.join(', ')}; delete those VM instances first.`);
    return { operation: { kind: 'delete', tasks: step(String(ctx.existing.internal.site), 10_000) } };
  },
  toWire: wire('galleryImages'),
  onOperationSucceeded(op, s) {
    const sizeInMB = Number(s?.internal.sizeMB ?? DEFAULT_IMAGE_MB);
    const done = settleHci(op, s, true, undefined, { downloadStatus: { downloadSizeInMB: sizeInMB }, progressPercentage: 100 });
    // the copied image's OS disk, as the operator reports it under the image's version
    const p = done.resource?.resource.properties;
    if (p) {
      const v = p.version && typeof p.version === 'object' ? p.version : {};
      p.version = { ...v, properties: { ...(v.properties ?? {}), storageProfile: { ...(v.properties?.storageProfile ?? {}), osDiskImage: { sizeInMB } } } };
    }
    return done;
  },
  onOperationFailed: (op, s, e) => settleHci(op, s, false, e),
};

// ---- storage containers ---------------------------------------------------------------------------------

function planContainer(ctx: RequestContext, candidate: ArmResource): WriteOutcome {
  const t = hciTarget(ctx, candidate, 'A storage container');
  const ex = ctx.existing;
  const p: Props = { ...(candidate.properties ?? {}) };
  const path = p.path;
  if (typeof path !== 'string' || !/^[A-Za-z]:\\|^\\\\|^\//.test(path))
    throw Errors.invalidParameter("properties.path is required: an absolute path on the cluster's storage, for example C:\\ClusterStorage\\UserStorage_1\\Volume1.", 'properties.path');
  if (ex && String(ex.resource.properties?.path) !== path) throw Errors.propertyChangeNotAllowed('path', String(ex.resource.properties?.path), 'properties.path');
  const clash = ctx.services.resources
    .listByType(hciKey('storageContainers'))
    .find((c) => !sameId(c.resource.id, ctx.path.id) && sameId(c.resource.extendedLocation?.name, t.customLocation) && sameId(c.resource.properties?.path, path));
  if (clash) throw Errors.conflictWith('StorageContainerPathInUse', `The path '${path}' is already the storage container '${clash.resource.id}'.`);
  return {
    resource: { ...candidate, properties: { path, provisioningState: 'Accepted', status: inProgress() } },
    internal: { site: t.site },
    operation: { kind: ex ? 'update' : 'create', tasks: step(t.site, CONTAINER_MS) },
  };
}

export const storageContainers: ResourceTypeDefinition = {
  ...hciTrackedType('storageContainers', 'storage container'),
  onPut: planContainer,
  onDelete(ctx) {
    const { services } = ctx;
    const id = ctx.existing.resource.id;
    const users = [
      ...usedBy(services, id, (p) => [p.storageProfile?.vmConfigStoragePathId]),
      ...services.resources
        .listByType(hciKey('galleryImages'))
        .filter((g) => sameId(g.resource.properties?.containerId, id))
        .map((g) => g.resource.id),
    ];
    if (users.length) throw Errors.conflictWith('StorageContainerInUse', `Storage container '${ctx.existing.resource.name}' holds files of ${users.join(', ')}; delete them first.`);
    return { operation: { kind: 'delete', tasks: step(String(ctx.existing.internal.site), CONTAINER_MS) } };
  },
  toWire: wire('storageContainers'),
  onOperationSucceeded: (op, s, services) => {
    // What the images in it occupy, out of the volume's size.
    const used = s
      ? services.resources
          .listByType(hciKey('galleryImages'))
          .filter((g) => sameId(g.resource.properties?.containerId, s.resource.id))
          .reduce((n, g) => n + Number(g.internal.sizeMB ?? 0), 0)
      : 0;
    return settleHci(op, s, true, undefined, { containerSizeMB: CONTAINER_MB, availableSizeMB: CONTAINER_MB - used });
  },
  onOperationFailed: (op, s, e) => settleHci(op, s, false, e),
};
