// The dashboard's routes under /_emulator: the page and its assets (public/, served as they are), the read
// model (state.ts) and the live feed (events.ts). Its controls use the admin API's own routes, so a
// change from the page passes the same guard (a trusted principal's token when auth is on) as one from a script.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Request, type Response, type Router } from 'express';
import { Errors } from '../arm/errors.js';
import { redactSecrets, wrap } from '../admin/routes.js';
import type { Services } from '../framework/types.js';
import { findSubscription } from '../framework/registration.js';
import { LiveFeed } from './events.js';
import { dashboardState, resourceRows } from './state.js';

/** src/dashboard/public, from dist/src/dashboard or from src/dashboard. */
export const PUBLIC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src/dashboard/public');

/** The page may load only its own files and talk only to its own origin; no other site may frame it (its buttons inject faults). */
const PAGE_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

function query(req: Request, name: string): string | undefined {
  const v = req.query[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Mounts the page and its reads on the admin router; returns the live feed (closed at shutdown). */
export function mountDashboard(router: Router, services: Services): LiveFeed {
  let timeScale = services.config.timeScale;
  let bumps = 0;
  // Everything the page shows changes one of these counters (the time scale is not stored: watched here).
  const version = () => {
    if (services.config.timeScale !== timeScale) {
      timeScale = services.config.timeScale;
      bumps++;
    }
    return services.store.version() + (services.fabric?.changeCount() ?? 0) + bumps;
  };
  const feed = new LiveFeed(version);
  services.onClose.push(() => feed.close());

  const page = (req: Request, res: Response) => {
    // Relative links need the trailing slash: /_emulator → /_emulator/.
    const p = req.originalUrl.split('?')[0];
    if (!p.endsWith('/')) return res.redirect(301, `${p}/`);
    res.set(PAGE_HEADERS).sendFile(path.join(PUBLIC_DIR, 'index.html'));
  };
  router.get('/', page);
  router.get('/dashboard', page);

  router.get(
    '/dashboard/state',
    wrap((req) => dashboardState(services, { allRegions: query(req, 'allRegions') === 'true', resourceGroups: query(req, 'resourceGroups') === 'true', version: version() })),
  );
  router.get(
    '/dashboard/resources',
    wrap((req) => {
      const scope = query(req, 'scope');
      if (!scope || !/^\/subscriptions\/[^/]+(\/resourceGroups\/[^/]+)?\/?$/i.test(scope)) {
        throw Errors.invalidRequestContent("pass ?scope= a subscription id ('/subscriptions/{id}') or a resource group id ('/subscriptions/{id}/resourceGroups/{name}')");
      }
      const id = scope.replace(/\/$/, '');
      const [, , sub, , group] = id.split('/');
      if (!findSubscription(services, sub)) throw Errors.subscriptionNotFound(sub);
      if (group !== undefined && !services.resources.get(id)) throw Errors.resourceGroupNotFound(group);
      return resourceRows(services, id);
    }),
  );
  router.get(
    '/dashboard/resource',
    wrap(async (req) => {
      const id = query(req, 'id');
      if (!id || !id.startsWith('/subscriptions/')) throw Errors.invalidRequestContent("pass the resource's ARM id as ?id=/subscriptions/...");
      // As ARM's GET shows it (the provider's view at its default api-version), with anything secret-looking masked.
      const out = await services.resourceManager.get(id);
      return redactSecrets(out.body);
    }),
  );
  router.get('/dashboard/events', (req, res) => feed.attach(req, res));

  router.use('/dashboard', express.static(PUBLIC_DIR, { index: false, dotfiles: 'ignore', setHeaders: (res) => res.set(PAGE_HEADERS) }));
  return feed;
}
