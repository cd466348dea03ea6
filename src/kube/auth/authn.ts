// Who is calling: the bearer token of a cluster's local accounts (admin, user, monitoring user), a token
// the emulator's token service issued for the cluster's Azure AD application (AAD-integrated clusters), or
// a service account token the cluster signed. Anything else is 401 Unauthorized, as kube-apiserver answers.

import { timingSafeEqual } from 'node:crypto';
import type { TokenService } from '../../identity/tokens.js';
import { KUBERNETES_AUDIENCES } from '../../identity/tokens.js';
import type { UserInfo } from '../api.js';
import { localTokens, type ClusterView } from '../clusters.js';
import { KubeError, KubeErrors } from '../status.js';
import { serviceAccountUser } from './tokens.js';

export const ADMIN_USER = (): UserInfo => ({ username: 'masterclient', groups: ['system:masters', 'system:authenticated'] });

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface AuthnOptions {
  tokens?: TokenService;
  /** --no-auth: a request without a valid credential is the cluster admin. */
  open: boolean;
}

export function authenticate(view: ClusterView, header: string | undefined, o: AuthnOptions): UserInfo {
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!m) {
    if (o.open) return ADMIN_USER();
    throw KubeErrors.unauthorized();
  }
  const token = m[1];
  if (view.secrets && view.localAccounts) {
    const t = localTokens(view.secrets);
    if (same(token, t.admin)) return ADMIN_USER();
    // A cluster without Azure AD: its user credential is as powerful as the admin one (as at AKS).
    if (!view.aad && same(token, t.user)) return { username: 'clusterUser', groups: ['system:masters', 'system:authenticated'] };
    if (same(token, t.monitoring)) return { username: 'clusterMonitoringUser', groups: ['system:authenticated'] };
  }
  if (token.split('.').length === 3) {
    const sa = serviceAccountUser(view, token);
    if (sa) {
      const { sa: _sa, ...user } = sa;
      return user;
    }
    if (view.aad && o.tokens) {
      try {
        const p = o.tokens.verify(`Bearer ${token}`, '', undefined, (aud) => KUBERNETES_AUDIENCES.includes(aud.replace(/\/+$/, '')));
        return { username: p.objectId, uid: p.objectId, groups: ['system:authenticated'], extra: { oid: [p.objectId], appid: [p.clientId], tid: [p.tenantId] } };
      } catch {
        // falls through to 401
      }
    }
  }
  if (o.open) return ADMIN_USER();
  throw new KubeError(401, 'Unauthorized', 'Unauthorized');
}
