// systemData as ARM stamps it: who created and last changed a resource, and when.

import type { Principal, SystemData } from './types.js';

export function systemDataFor(principal: Principal, hint: string | undefined, existing?: SystemData): SystemData {
  const now = new Date().toISOString();
  let by = principal.clientId;
  let byType = 'Application';
  if (hint) {
    // ARM forwards the caller in x-ms-arm-resource-system-data; a malformed hint is ignored.
    try {
      const h = JSON.parse(hint);
      by = h.lastModifiedBy ?? h.createdBy ?? by;
      byType = h.lastModifiedByType ?? h.createdByType ?? byType;
    } catch {
      /* ignore */
    }
  }
  return {
    createdBy: existing?.createdBy ?? by,
    createdByType: existing?.createdByType ?? byType,
    createdAt: existing?.createdAt ?? now,
    lastModifiedBy: by,
    lastModifiedByType: byType,
    lastModifiedAt: now,
  };
}
