// What the operation engine's tests share: an engine on a store with nothing else around it, the subject of
// their operations, and a promise the test settles when it says.
import type { OperationSubject } from '../../src/arm/asyncOperations.js';
import { createLogger } from '../../src/config/log.js';
import type { Services } from '../../src/framework/types.js';
import { Registry } from '../../src/framework/registry.js';
import { ResourceRepository } from '../../src/framework/repository.js';
import { OperationEngine } from '../../src/lro/engine.js';
import type { Store } from '../../src/store/store.js';

/** An engine at time scale 0 on the store, with no providers and no sweeping until told. */
export function engineOn(store: Store): OperationEngine {
  const services = { log: createLogger('warn'), config: { timeScale: 0, operationRetentionHours: 0 } } as unknown as Services;
  return new OperationEngine(store, new Registry(), new ResourceRepository(store), 0, () => services);
}

export const SUBJECT: OperationSubject = {
  resourceId: '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Sample/things/t1',
  typeKey: 'microsoft.sample/things',
  namespace: 'Microsoft.Sample',
  location: 'eastus',
  subscriptionId: '00000000-0000-0000-0000-000000000001',
  method: 'PUT',
  apiVersion: '2024-01-01',
};

/** A deferred: resolved when the test says. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
