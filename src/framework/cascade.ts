// The resource-group delete cascade: a task of the group's delete operation that deletes every
// member through the core (each through its own type's hooks, long-running ones awaited), retrying
// as ARM does while members refuse, and failing the group delete if something cannot go.

import { ArmError, Errors } from '../arm/errors.js';
import { deleteTreeOps } from './related.js';
import type { Services } from './types.js';

export const CASCADE_TASK = 'resources.deleteResourceGroupContents';

export function registerCascade(services: Services): void {
  services.asyncOperations.registerTaskKind(CASCADE_TASK, {
    async run(task) {
      const rgId = String(task.params.resourceGroupId);
      let refused: ArmError | undefined;
      for (let round = 0; round < 5; round++) {
        const members = services.resources.listByParent(rgId);
        if (members.length === 0) return { deleted: true };
        const waits: Promise<unknown>[] = [];
        refused = undefined;
        for (const m of members) {
          const inflight = m.operationId ? services.asyncOperations.get(m.operationId) : undefined;
          if (inflight && inflight.status === 'InProgress') {
            waits.push(services.asyncOperations.waitFor(inflight.id));
            continue;
          }
          const first = services.registry.typeByKey(m.typeKey)?.cascadeFirst;
          const before = first?.length ? services.resources.listByParent(m.resource.id).filter((c) => first.includes(c.typeKey)) : [];
          if (before.length) {
            // Its extension resources that must go first, through their own deletes; the member goes next round.
            for (const c of before) {
              const busy = c.operationId ? services.asyncOperations.get(c.operationId) : undefined;
              if (busy && busy.status === 'InProgress') {
                waits.push(services.asyncOperations.waitFor(busy.id));
                continue;
              }
              try {
                const res = await services.resourceManager.delete(c.resource.id, { internal: true });
                if (res.operation) waits.push(services.resourceManager.waitFor(res.operation.id));
              } catch (e) {
                if (e instanceof ArmError) refused = e;
                else throw e;
              }
            }
            continue;
          }
          if (!services.registry.typeByKey(m.typeKey)) {
            // A record of a type no provider serves any more: nothing to ask, remove it.
            await services.resources.commit(deleteTreeOps(services.resources, m.resource.id));
            continue;
          }
          try {
            const res = await services.resourceManager.delete(m.resource.id, { internal: true });
            if (res.operation) waits.push(services.resourceManager.waitFor(res.operation.id));
          } catch (e) {
            if (e instanceof ArmError) refused = e;
            else throw e;
          }
        }
        await Promise.all(waits);
      }
      const left = services.resources.listByParent(rgId);
      if (left.length) {
        if (refused) throw refused;
        throw Errors.conflictWith(
          'ResourceGroupDeletionBlocked',
          `Deletion of resource group '${rgId.split('/').pop()}' failed as resources could not be deleted: ${left.map((l) => l.resource.id).join(', ')}.`,
        );
      }
      return { deleted: true };
    },
  });
}
