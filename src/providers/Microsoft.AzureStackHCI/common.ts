// What the Microsoft.AzureStackHCI resources share: they live on a custom location whose host is an
// Arc resource bridge on an HCI site (the site their work lands on), they cannot move to another one,
// their provisioningState is the service's enum (Accepted while a write is in progress, no
// Creating/Updating) and their status carries errorCode, errorMessage and provisioningStatus.

import { Errors } from '../../arm/errors.js';
import { typeKeyOf } from '../../framework/registry.js';
import type { Services } from '../../framework/types.js';
import type { ArmResource, Completion, RequestContext, StoredResource } from '../../framework/types.js';
import type { OperationRecord } from '../../arm/asyncOperations.js';
import type { ResourceTypeDefinition } from '../../framework/types.js';
import { crudOperations, trackedType } from '../typeParts.js';

export const NS = 'Microsoft.AzureStackHCI';
export const HCI_API_VERSIONS = ['2024-01-01', '2023-09-01-preview'];
/** A step of the HCI VM operator that is not fabric work (downloading an image, setting up a container). */
export const STEP = 'azurestackhci.step';
export const hciKey = (type: string) => typeKeyOf(NS, type);

/** What every tracked HCI type declares alike: resource-group scope, any location, tags PATCH, listed by subscription, its catalogue entries. */
export function hciTrackedType(type: string, noun: string) {
  return { ...trackedType(NS, type, HCI_API_VERSIONS), patch: 'tags', providerOperations: crudOperations(NS, type, noun) } satisfies Partial<ResourceTypeDefinition>;
}

export interface HciTarget {
  site: string;
  where: string;
  customLocation: string;
}

const lower = (v: unknown) => String(v ?? '').toLowerCase();
export const sameId = (a: unknown, b: unknown) => lower(a) === lower(b);

/** The HCI site behind the resource's custom location; refuses a resource without one, or one that moves. */
export function hciTarget(ctx: RequestContext, candidate: ArmResource, what: string): HciTarget {
  const ext = candidate.extendedLocation;
  if (!ext)
    throw Errors.invalid('InvalidExtendedLocation', `${what} is created on a custom location: give extendedLocation {"type": "CustomLocation", "name": "<custom location id>"}.`, 'extendedLocation');
  const ex = ctx.existing;
  if (ex && !sameId(ex.resource.extendedLocation?.name, ext.name)) throw Errors.propertyChangeNotAllowed('extendedLocation', String(ex.resource.extendedLocation?.name), 'extendedLocation.name');
  // resolved once for the PUT (the custom location the core already checked)
  const t = ctx.target ? ctx.target() : ctx.services.targets.resolve({ extendedLocation: ext });
  if (t.kind !== 'AzureStackHCI' || !t.site)
    throw Errors.invalid('InvalidExtendedLocation', `${what} lives on Azure Stack HCI sites; the custom location resolves to ${t.where}.`, 'extendedLocation.name');
  return { site: t.site, where: t.where, customLocation: String(ext.name) };
}

/** A resource another one names by id: it exists, is of the type, has succeeded, and is on the same custom location. */
export function referenced(services: Services, id: unknown, type: string, what: string, target: string, customLocation: string): StoredResource {
  if (typeof id !== 'string' || id === '') throw Errors.invalidParameter(`${target} is required: the id of a ${what} (${NS}/${type}).`, target);
  const r = services.resources.get(id);
  if (!r || r.typeKey !== hciKey(type)) throw Errors.invalidParameter(`The ${what} '${id}' was not found; create it (${NS}/${type}) first.`, target);
  const state = r.resource.properties?.provisioningState;
  if (state !== 'Succeeded') throw Errors.invalidParameter(`The ${what} '${id}' is ${state}; use it once its provisioningState is Succeeded.`, target);
  if (!sameId(r.resource.extendedLocation?.name, customLocation)) {
    throw Errors.invalidParameter(`The ${what} '${id}' is on custom location '${r.resource.extendedLocation?.name}', not on '${customLocation}': use one of the same custom location.`, target);
  }
  return r;
}

export const inProgress = () => ({ errorCode: '', errorMessage: '', provisioningStatus: { status: 'InProgress' } });

/** The end of an operation, as the service shows it: Succeeded (or gone), Failed / Canceled with the error in status. */
export function settleHci(op: OperationRecord, stored: StoredResource | undefined, ok: boolean, error?: { code: string; message: string }, extra: Record<string, unknown> = {}): Completion {
  if (!stored) return { resource: undefined };
  if (op.kind === 'delete' && ok) return { resource: undefined };
  const s = structuredClone(stored);
  const p = s.resource.properties ?? {};
  const state = ok ? 'Succeeded' : op.cancelRequested ? 'Canceled' : 'Failed';
  p.provisioningState = state;
  p.status = {
    ...(p.status ?? {}),
    ...extra,
    errorCode: ok ? '' : (error?.code ?? ''),
    errorMessage: ok ? '' : (error?.message ?? ''),
    provisioningStatus: { operationId: op.id, status: ok ? 'Succeeded' : 'Failed' },
  };
  s.resource.properties = p;
  return { resource: s };
}
