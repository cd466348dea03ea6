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

export function findSubscription(services: Services, id: string) {
  return services.config.subscriptions.find((s) => s.subscriptionId.toLowerCase() === id.toLowerCase());
}
