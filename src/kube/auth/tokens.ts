// Service account tokens (TokenRequest, `kubectl create token`): JWTs signed with the cluster's own CA key
// (ES256), as a cluster's service account issuer signs them, and checked against its CA certificate.

import { createPublicKey, X509Certificate } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { ClusterView } from '../clusters.js';
import type { KubeObject } from '../model.js';
import type { UserInfo } from '../api.js';

export const SA_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export function serviceAccountToken(view: ClusterView, sa: KubeObject, audiences: string[], expirationSeconds: number, bound?: Record<string, any>): { token: string; expires: number } {
  const now = Math.floor(Date.now() / 1000);
  const exp = now + expirationSeconds;
  const k8s: Record<string, unknown> = { namespace: sa.metadata.namespace, serviceaccount: { name: sa.metadata.name, uid: sa.metadata.uid } };
  if (bound?.kind === 'Pod' && bound.name) k8s.pod = { name: bound.name, uid: bound.uid ?? '' };
  const token = jwt.sign(
    {
      aud: audiences,
      exp,
      iat: now,
      nbf: now,
      iss: SA_ISSUER,
      sub: `system:serviceaccount:${sa.metadata.namespace}:${sa.metadata.name}`,
      'kubernetes.io': k8s,
      jti: `${view.key}-${now}-${Math.random().toString(36).slice(2)}`,
    },
    view.secrets!.caKey,
    { algorithm: 'ES256', keyid: view.key },
  );
  return { token, expires: exp };
}

const publicKeys = new Map<string, ReturnType<typeof createPublicKey>>();

/** The service account a token names, when the cluster signed it (undefined otherwise). */
export function serviceAccountUser(view: ClusterView, token: string): (UserInfo & { sa: { namespace: string; name: string; uid: string } }) | undefined {
  if (!view.secrets) return undefined;
  let key = publicKeys.get(view.secrets.caCert);
  if (!key) {
    key = new X509Certificate(view.secrets.caCert).publicKey;
    if (publicKeys.size > 500) publicKeys.clear();
    publicKeys.set(view.secrets.caCert, key);
  }
  let claims: jwt.JwtPayload;
  try {
    claims = jwt.verify(token, key, { algorithms: ['ES256'], issuer: SA_ISSUER }) as jwt.JwtPayload;
  } catch {
    return undefined;
  }
  const k = claims['kubernetes.io'] as { namespace?: string; serviceaccount?: { name?: string; uid?: string } } | undefined;
  if (!k?.namespace || !k.serviceaccount?.name) return undefined;
  const ns = k.namespace;
  return {
    username: `system:serviceaccount:${ns}:${k.serviceaccount.name}`,
    uid: k.serviceaccount.uid,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
    sa: { namespace: ns, name: k.serviceaccount.name, uid: k.serviceaccount.uid ?? '' },
  };
}
