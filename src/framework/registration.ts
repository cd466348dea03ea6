// Provider registration per subscription: the state ARM checks before any write to a namespace.

import type { Services } from './types.js';

export const REGISTRATIONS = 'registrations';

export function registrationKey(subscriptionId: string, namespace: string): string {
  return `${subscriptionId}/${namespace}`.toLowerCase();
}

export function registrationState(services: Services, subscriptionId: string, namespace: string): string {
  const rec = services.store.get<{ state: string }>(REGISTRATIONS, registrationKey(subscriptionId, namespace));
  if (rec) return rec.state;
  return services.registry.provider(namespace)?.registeredByDefault === false ? 'NotRegistered' : 'Registered';
}

/** Subscriptions created through the admin API (the configured ones live in the config). */
export const SUBSCRIPTIONS = 'subscriptions';

export interface SubscriptionRecord {
  subscriptionId: string;
  tenantId: string;
  displayName: string;
}

/** The subscriptions ARM knows: the configured ones, then those created through the admin API (shared by every instance). */
export function allSubscriptions(services: Services): SubscriptionRecord[] {
  const out: SubscriptionRecord[] = [...services.config.subscriptions];
  if (services.store.size(SUBSCRIPTIONS) === 0) return out;
  const seen = new Set(out.map((s) => s.subscriptionId.toLowerCase()));
  for (const s of services.store.values<SubscriptionRecord>(SUBSCRIPTIONS)) if (!seen.has(s.subscriptionId.toLowerCase())) out.push(s);
  return out;
}

export function findSubscription(services: Services, id: string): SubscriptionRecord | undefined {
  const l = id.toLowerCase();
  return services.config.subscriptions.find((s) => s.subscriptionId.toLowerCase() === l) ?? services.store.get<SubscriptionRecord>(SUBSCRIPTIONS, l);
}
