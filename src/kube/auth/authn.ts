// Who is calling: a client certificate signed by the cluster's CA (user = CN, groups = O: the admin
// kubeconfig's, or one issued through a CertificateSigningRequest), the bearer token of a cluster's local
// accounts (admin, user, monitoring user), a token the emulator's token service issued for the cluster's Azure
// AD application (AAD-integrated clusters), or a service account token the cluster signed. As in
// kube-apiserver, the certificate is tried first and a certificate that does not authenticate (another CA,
// expired, not yet valid) leaves the token to decide; with neither, 401 Unauthorized.

import { timingSafeEqual, X509Certificate } from 'node:crypto';
import type { TokenService } from '../../identity/tokens.js';
import { KUBERNETES_AUDIENCES } from '../../identity/tokens.js';
import type { UserInfo } from '../api.js';
import { localTokens, type ClusterView } from '../clusters.js';
import { KubeError, KubeErrors } from '../status.js';
import { serviceAccountUser } from './tokens.js';
import { certificateUser } from '../../kubernetes/x509.js';

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

const adminPrints = new WeakMap<object, string>();
/** The fingerprint of the cluster's own admin certificate (the one its admin kubeconfig carries). */
function adminPrint(secrets: NonNullable<ClusterView['secrets']>): string {
  let p = adminPrints.get(secrets);
  if (p === undefined) {
    try {
      p = new X509Certificate(secrets.adminCert).fingerprint256;
    } catch {
      p = '';
    }
    adminPrints.set(secrets, p);
  }
  return p;
}

/** The identity a TLS client certificate carries for this cluster, if it carries one. */
function fromCertificate(view: ClusterView, cert: X509Certificate): UserInfo | undefined {
  const secrets = view.secrets;
  if (!secrets) return undefined;
  const { user } = certificateUser(cert, secrets.caCert, Date.now());
  if (!user) return undefined;
  if (cert.fingerprint256 === adminPrint(secrets)) {
    // the admin kubeconfig's certificate is a local account (refused when they are disabled); clusters made
    // before it carried O=system:masters have one with CN=masterclient alone, still the admin
    return view.localAccounts ? ADMIN_USER() : undefined;
  }
  return { username: user.username, groups: [...user.groups.filter((g) => g !== 'system:authenticated'), 'system:authenticated'] };
}

export function authenticate(view: ClusterView, header: string | undefined, o: AuthnOptions, cert?: X509Certificate): UserInfo {
  if (cert) {
    const user = fromCertificate(view, cert);
    if (user) return user;
  }
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
