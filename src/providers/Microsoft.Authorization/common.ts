// What the Microsoft.Authorization types share: the namespace, the api-versions, the authorizer, the scope of a
// request and stable GUIDs.

import { createHash } from 'node:crypto';
import type { RequestContext } from '../../framework/types.js';
import type { Services } from '../../framework/types.js';
import { Authorizer } from '../../authorization/authorizer.js';
import { authorizerOf } from '../../authorization/enforce.js';

export const NS = 'Microsoft.Authorization';

/** Newest first. az 2.45 sends 2020-04-01-preview / 2018-01-01-preview (latest) and 2015-07-01 (hybrid). */
export const AUTHORIZATION_API_VERSIONS = [
  '2022-04-01',
  '2022-05-01-preview',
  '2022-01-01-preview',
  '2021-04-01-preview',
  '2020-10-01-preview',
  '2020-08-01-preview',
  '2020-10-01',
  '2020-04-01-preview',
  '2020-03-01-preview',
  '2018-09-01-preview',
  '2018-07-01',
  '2018-01-01-preview',
  '2017-10-01-preview',
  '2017-05-01',
  '2016-09-01',
  '2015-07-01',
  '2015-06-01',
];

export const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const authz = (ctx: { services: Services }): Authorizer => authorizerOf(ctx.services)!;

/** The scope a request under /providers/Microsoft.Authorization addresses ('/' at the root). */
export const scopeOf = (ctx: RequestContext): string => ctx.path.scopeId || '/';

/** A stable GUID from a seed (the names of the assignments made at start-up and by elevateAccess). */
export function derivedGuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-9${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
