// The admin API of a CI farm (under /_emulator): subscriptions per job, resets, snapshots. Changes need a
// configured principal's token like every admin change (see adminGuard in src/arm/http.ts).

import express, { type Router } from 'express';
import { Errors } from '../arm/errors.js';
import { wrap } from '../admin/routes.js';
import { allSubscriptions } from '../framework/registration.js';
import type { Services } from '../framework/types.js';
import { directoryOf } from '../graph/directory.js';
import { objectIdFor } from '../identity/tokens.js';
import { decodeSnapshot, encodeSnapshot, SnapshotError } from './snapshotFile.js';
import { createSubscription, exportState, importState, reset } from './state.js';

/** Largest snapshot accepted over HTTP. */
export const SNAPSHOT_MAX_BODY_BYTES = 512 * 1024 * 1024;

export function mountFarmAdmin(router: Router, services: Services): void {
  const json = express.json({ limit: '1mb' });
  const text = express.text({ type: () => true, limit: SNAPSHOT_MAX_BODY_BYTES });

  router.get(
    '/subscriptions',
    wrap(() => ({ value: allSubscriptions(services).map((s) => ({ subscriptionId: s.subscriptionId, tenantId: s.tenantId, displayName: s.displayName })) })),
  );
  router.post(
    '/subscriptions',
    json,
    wrap(async (req, res) => {
      const out = await createSubscription(services, (req.body ?? {}) as Record<string, unknown>, async (displayName) => {
        const dir = directoryOf(services);
        const app = await dir.createApplication(null, { displayName }); // the emulator itself (the admin API is already guarded)
        const pw = await dir.addPassword(null, app.id, { passwordCredential: { displayName: 'created with its subscription' } });
        await dir.createServicePrincipal(null, { appId: app.appId });
        return { appId: app.appId, objectId: objectIdFor(app.appId), secret: pw.secretText };
      });
      res.status(201);
      return out;
    }),
  );
  router.post(
    '/subscriptions/:id/reset',
    wrap(async (req) => ({ subscriptionId: String(req.params.id), ...(await reset(services, String(req.params.id))) })),
  );
  router.post(
    '/reset',
    wrap(async () => reset(services)),
  );
  router.get(
    '/snapshots',
    wrap((req, res) => {
      const sub = typeof req.query.subscriptionId === 'string' ? req.query.subscriptionId : undefined;
      if (sub && !allSubscriptions(services).some((s) => s.subscriptionId.toLowerCase() === sub.toLowerCase())) throw Errors.subscriptionNotFound(sub);
      const body = encodeSnapshot(exportState(services, sub));
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="arm-emulator-${sub ?? 'all'}.snapshot.json"`);
      res.end(body);
    }),
  );
  router.post(
    '/snapshots',
    text,
    wrap(async (req) => {
      const raw = typeof req.body === 'string' ? req.body : '';
      try {
        return await importState(services, decodeSnapshot(raw));
      } catch (e) {
        if (e instanceof SnapshotError) throw Errors.badRequest(e.message);
        throw e;
      }
    }),
  );
}
