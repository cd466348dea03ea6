// managedClusters/maintenanceConfigurations: planned maintenance windows (az aks maintenanceconfiguration
// add|update|list|show|delete). Stored as child resources of the cluster, validated as AKS validates
// them; nothing honours them yet (the emulator starts upgrades when asked). An Azure Stack Hub stamp
// refuses them up front: its AKS API predates them.

import { Errors } from '../../arm/errors.js';
import type { ArmResource, RequestContext, ResourceTypeDefinition, StoredResource } from '../../framework/types.js';
import { assertOperationOffered } from '../../kubernetes/clusterOperations.js';
import { targetOfStored } from './clusterCommon.js';
import { isObj, NS } from './shape.js';
import { atLeast, shapeFor, versionsOf } from './versions.js';

export const MAINTENANCE_TYPE = `${NS}/managedClusters/maintenanceConfigurations`;

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
/**
 * The two names AKS gives a meaning to: the auto-upgrade schedules, which take a maintenanceWindow. Any
 * other name (AKS accepts any, 'default' is only the usual one) is a timeInWeek / notAllowedTime window.
 */
const SCHEDULE_NAMES = ['aksManagedAutoUpgradeSchedule', 'aksManagedNodeOSUpgradeSchedule'];

function bad(message: string, target: string): never {
  throw Errors.invalidParameter(message, target);
}

function day(v: unknown, where: string): string {
  const d = DAYS.find((x) => typeof v === 'string' && x.toLowerCase() === v.toLowerCase());
  if (!d) bad(`The value '${String(v)}' of ${where} is not a weekday; use one of ${DAYS.join(', ')}.`, where);
  return d;
}

function dateTime(v: unknown, where: string): Date {
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isFinite(t)) bad(`The value '${String(v)}' of ${where} is not a date-time (RFC 3339, e.g. 2026-12-24T00:00:00Z).`, where);
  return new Date(t);
}

function timeInWeek(v: unknown): Record<string, any>[] {
  if (!Array.isArray(v)) bad('properties.timeInWeek must be an array.', 'properties.timeInWeek');
  return v.map((t, i) => {
    const where = `properties.timeInWeek[${i}]`;
    if (!isObj(t)) bad(`${where} must be an object.`, where);
    const out: Record<string, any> = { day: day(t.day, `${where}.day`) };
    if (t.hourSlots !== undefined && t.hourSlots !== null) {
      if (!Array.isArray(t.hourSlots)) bad(`${where}.hourSlots must be an array of hours.`, `${where}.hourSlots`);
      for (const h of t.hourSlots) {
        if (typeof h !== 'number' || !Number.isInteger(h) || h < 0 || h > 23)
          bad(`The hour slot '${String(h)}' of ${where}.hourSlots is invalid: it must be a whole number from 0 to 23.`, `${where}.hourSlots`);
      }
      out.hourSlots = [...new Set(t.hourSlots as number[])].sort((a, b) => a - b);
    }
    return out;
  });
}

function spans(v: unknown, where: string, kind: 'time' | 'date'): Record<string, string>[] {
  if (!Array.isArray(v)) bad(`${where} must be an array.`, where);
  return v.map((s, i) => {
    const w = `${where}[${i}]`;
    if (!isObj(s)) bad(`${w} must be an object with start and end.`, w);
    if (kind === 'date') {
      const re = /^\d{4}-\d{2}-\d{2}$/;
      if (typeof s.start !== 'string' || !re.test(s.start)) bad(`${w}.start must be a date (YYYY-MM-DD).`, `${w}.start`);
      if (typeof s.end !== 'string' || !re.test(s.end)) bad(`${w}.end must be a date (YYYY-MM-DD).`, `${w}.end`);
      if (s.end < s.start) bad(`${w}.end (${s.end}) is before its start (${s.start}).`, `${w}.end`);
      return { start: s.start, end: s.end };
    }
    const a = dateTime(s.start, `${w}.start`);
    const b = dateTime(s.end, `${w}.end`);
    if (b <= a) bad(`${w}.end (${s.end}) must be after its start (${s.start}).`, `${w}.end`);
    return { start: a.toISOString().replace('.000Z', 'Z'), end: b.toISOString().replace('.000Z', 'Z') };
  });
}

function intIn(v: unknown, lo: number, hi: number, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) bad(`The value '${String(v)}' of ${where} is invalid: it must be a whole number from ${lo} to ${hi}.`, where);
  return v;
}

function maintenanceWindow(v: unknown): Record<string, any> {
  const w = 'properties.maintenanceWindow';
  if (!isObj(v)) bad(`${w} must be an object.`, w);
  const sched = v.schedule;
  if (!isObj(sched)) bad(`${w}.schedule is required.`, `${w}.schedule`);
  const kinds = ['daily', 'weekly', 'absoluteMonthly', 'relativeMonthly'].filter((k) => sched[k] !== undefined && sched[k] !== null);
  if (kinds.length !== 1) bad(`${w}.schedule must set exactly one of daily, weekly, absoluteMonthly or relativeMonthly; it sets ${kinds.length ? kinds.join(', ') : 'none'}.`, `${w}.schedule`);
  const k = kinds[0];
  const s = sched[k];
  const sw = `${w}.schedule.${k}`;
  let schedule: Record<string, any>;
  if (k === 'daily') schedule = { daily: { intervalDays: intIn(s?.intervalDays, 1, 7, `${sw}.intervalDays`) } };
  else if (k === 'weekly') schedule = { weekly: { intervalWeeks: intIn(s?.intervalWeeks, 1, 4, `${sw}.intervalWeeks`), dayOfWeek: day(s?.dayOfWeek, `${sw}.dayOfWeek`) } };
  else if (k === 'absoluteMonthly')
    schedule = { absoluteMonthly: { intervalMonths: intIn(s?.intervalMonths, 1, 6, `${sw}.intervalMonths`), dayOfMonth: intIn(s?.dayOfMonth, 1, 31, `${sw}.dayOfMonth`) } };
  else {
    const weeks = ['First', 'Second', 'Third', 'Fourth', 'Last'];
    const wi = weeks.find((x) => typeof s?.weekIndex === 'string' && x.toLowerCase() === s.weekIndex.toLowerCase());
    if (!wi) bad(`${sw}.weekIndex must be one of ${weeks.join(', ')}.`, `${sw}.weekIndex`);
    schedule = { relativeMonthly: { intervalMonths: intIn(s?.intervalMonths, 1, 6, `${sw}.intervalMonths`), weekIndex: wi, dayOfWeek: day(s?.dayOfWeek, `${sw}.dayOfWeek`) } };
  }
  const out: Record<string, any> = { schedule, durationHours: intIn(v.durationHours ?? 24, 4, 24, `${w}.durationHours`) };
  if (typeof v.startTime !== 'string' || !/^([01]\d|2[0-3]):[0-5]\d$/.test(v.startTime)) bad(`${w}.startTime must be a time of day 'HH:mm'.`, `${w}.startTime`);
  out.startTime = v.startTime;
  if (v.utcOffset !== undefined && v.utcOffset !== null && v.utcOffset !== '') {
    if (typeof v.utcOffset !== 'string' || !/^[+-](0\d|1[0-4]):[0-5]\d$/.test(v.utcOffset)) bad(`${w}.utcOffset must be '+HH:mm' or '-HH:mm'.`, `${w}.utcOffset`);
    out.utcOffset = v.utcOffset;
  }
  if (v.startDate !== undefined && v.startDate !== null) {
    if (typeof v.startDate !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v.startDate)) bad(`${w}.startDate must be a date (YYYY-MM-DD).`, `${w}.startDate`);
    out.startDate = v.startDate;
  }
  if (v.notAllowedDates !== undefined && v.notAllowedDates !== null) out.notAllowedDates = spans(v.notAllowedDates, `${w}.notAllowedDates`, 'date');
  return out;
}

/** The configuration's properties, validated and normalized; throws a 400 naming the property. */
export function maintenanceProperties(name: string, raw: unknown, apiVersion: string): Record<string, any> {
  const p = isObj(raw) ? raw : {};
  const isSchedule = SCHEDULE_NAMES.some((n) => n.toLowerCase() === name.toLowerCase());
  const out: Record<string, any> = {};
  if (p.timeInWeek !== undefined && p.timeInWeek !== null) out.timeInWeek = timeInWeek(p.timeInWeek);
  if (p.notAllowedTime !== undefined && p.notAllowedTime !== null) out.notAllowedTime = spans(p.notAllowedTime, 'properties.notAllowedTime', 'time');
  const hasWindow = p.maintenanceWindow !== undefined && p.maintenanceWindow !== null;
  if (hasWindow && !atLeast(apiVersion, '2023-05-01')) bad(`properties.maintenanceWindow is not defined in api-version ${apiVersion}; use 2023-05-01 or later.`, 'properties.maintenanceWindow');
  if (isSchedule) {
    if (!hasWindow) bad(`The maintenance configuration '${name}' needs properties.maintenanceWindow.`, 'properties.maintenanceWindow');
    if (out.timeInWeek || out.notAllowedTime)
      bad(`The maintenance configuration '${name}' takes only properties.maintenanceWindow; timeInWeek and notAllowedTime belong to 'default'.`, 'properties.timeInWeek');
    out.maintenanceWindow = maintenanceWindow(p.maintenanceWindow);
  } else {
    if (hasWindow)
      bad(
        `properties.maintenanceWindow is for 'aksManagedAutoUpgradeSchedule' and 'aksManagedNodeOSUpgradeSchedule'; the configuration '${name}' takes timeInWeek and notAllowedTime.`,
        'properties.maintenanceWindow',
      );
    if (!out.timeInWeek?.length && !out.notAllowedTime?.length)
      bad(`The maintenance configuration '${name}' needs at least one of properties.timeInWeek and properties.notAllowedTime.`, 'properties.timeInWeek');
  }
  return out;
}

export function maintenanceWire(s: StoredResource, apiVersion: string): ArmResource {
  const r = s.resource;
  const out: ArmResource = { id: r.id, name: r.name, type: MAINTENANCE_TYPE, properties: structuredClone(r.properties ?? {}) };
  delete out.properties!.provisioningState;
  if (r.systemData) out.systemData = { ...r.systemData };
  return shapeFor('maintenanceConfiguration', out, apiVersion);
}

export const maintenanceConfigurations: ResourceTypeDefinition = {
  namespace: NS,
  type: 'managedClusters/maintenanceConfigurations',
  scope: 'resourceGroup',
  tracked: false,
  apiVersions: versionsOf('managedClusters/maintenanceConfigurations'),
  patch: false,
  providerOperations: [
    { name: 'managedClusters/maintenanceConfigurations/read', operation: 'Get maintenance configuration', description: 'Gets a maintenance configuration of a managed cluster.' },
    {
      name: 'managedClusters/maintenanceConfigurations/write',
      operation: 'Create or update maintenance configuration',
      description: 'Creates or updates a maintenance configuration of a managed cluster.',
    },
    { name: 'managedClusters/maintenanceConfigurations/delete', operation: 'Delete maintenance configuration', description: 'Deletes a maintenance configuration of a managed cluster.' },
  ],
  validate(ctx: RequestContext, candidate: ArmResource) {
    const cluster = ctx.parent!;
    assertOperationOffered(targetOfStored(ctx.services, cluster).doc, 'maintenanceConfigurations');
    if (cluster.deleting) throw Errors.conflict(`The managed cluster '${cluster.resource.name}' is being deleted.`);
    candidate.properties = maintenanceProperties(candidate.name, ctx.body?.properties, ctx.apiVersion);
  },
  onPut(_ctx, candidate) {
    const resource: ArmResource = { ...candidate, properties: { ...candidate.properties } };
    delete resource.location;
    delete resource.tags;
    // The spec declares 200 for a create before 2024 (201 only later): 200 fits every version.
    return { resource, createdStatus: 200 };
  },
  toWire: (s, apiVersion) => maintenanceWire(s, apiVersion),
};
