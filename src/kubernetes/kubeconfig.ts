// Per-cluster credentials (shared by the AKS, AKS hybrid and Arc providers): a cluster CA, an admin client certificate signed by it
// (CN=masterclient, O=system:masters, as AKS's), and bearer tokens
// for the user and monitoring-user kubeconfigs. Generated when a cluster is created (and again on
// rotateClusterCertificates), kept in StoredResource.internal, never on the wire except inside the
// kubeconfig a credential action returns.

import { randomBytes } from 'node:crypto';
import { clusterCertificates } from '../identity/x509.js';

export interface ClusterSecrets {
  caCert: string;
  caKey: string;
  adminCert: string;
  adminKey: string;
  userToken: string;
  monitoringToken: string;
  /** ISO time they were issued (rotation changes it). */
  issuedAt: string;
}

export async function newClusterSecrets(clusterName: string): Promise<ClusterSecrets> {
  const now = Date.now();
  // The cluster CA and AKS's admin credential: a client certificate of the cluster CA for user masterclient in group
  // system:masters (the API server takes CN as the user and O as the groups).
  const pki = clusterCertificates({
    caName: `ca-${clusterName}`,
    subject: [
      ['O', 'system:masters'],
      ['CN', 'masterclient'],
    ],
    notBefore: new Date(now - 60_000),
    caNotAfter: new Date(now + 30 * 365 * 24 * 3600 * 1000),
    notAfter: new Date(now + 2 * 365 * 24 * 3600 * 1000),
  });
  return {
    caCert: pki.caCert,
    caKey: pki.caKey,
    adminCert: pki.cert,
    adminKey: pki.key,
    userToken: randomBytes(32).toString('hex'),
    monitoringToken: randomBytes(32).toString('hex'),
    issuedAt: new Date(now).toISOString(),
  };
}

export type CredentialKind = 'clusterAdmin' | 'clusterUser' | 'clusterMonitoringUser';

export interface KubeconfigInput {
  kind: CredentialKind;
  clusterName: string;
  resourceGroup: string;
  /** The cluster's Kubernetes API on the emulator's own origin (<public URL>/k8s/<cluster key>). */
  server: string;
  secrets: ClusterSecrets;
  /** PEM the client trusts for the server (the emulator's TLS certificate); omitted over plain HTTP. */
  caPem?: string;
  /** The bearer token of the user entry (the admin, user or monitoring token; for an Azure AD cluster the caller's token). */
  token: string;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** YAML scalars: plain when safe, single-quoted otherwise. */
function y(s: string): string {
  return /^[A-Za-z0-9_./:@-][A-Za-z0-9_./:@()-]*$/.test(s) && !/^(true|false|null|yes|no|on|off|~)$/i.test(s) ? s : `'${s.replace(/'/g, "''")}'`;
}

/**
 * A kubeconfig as AKS returns it (YAML, apiVersion v1, kind Config), pointing at the emulator's API server of
 * the cluster. Credentials are ones kubectl uses by itself: a bearer token (the admin entry also carries the
 * cluster's admin client certificate, as AKS's does); never an exec plugin the machine may not have.
 */
export function kubeconfigYaml(k: KubeconfigInput): string {
  const user = `${k.kind}_${k.resourceGroup}_${k.clusterName}`;
  // AKS names every context after the cluster; `az aks get-credentials --admin` appends '-admin' itself when merging.
  const context = k.clusterName;
  const lines = ['apiVersion: v1', 'clusters:', '- cluster:'];
  if (k.caPem) lines.push(`    certificate-authority-data: ${b64(k.caPem)}`);
  lines.push(
    `    server: ${y(k.server)}`,
    `  name: ${y(k.clusterName)}`,
    'contexts:',
    '- context:',
    `    cluster: ${y(k.clusterName)}`,
    `    user: ${y(user)}`,
    `  name: ${y(context)}`,
    `current-context: ${y(context)}`,
    'kind: Config',
    'preferences: {}',
    'users:',
    `- name: ${y(user)}`,
    '  user:',
  );
  if (k.kind === 'clusterAdmin') {
    lines.push(`    client-certificate-data: ${b64(k.secrets.adminCert)}`, `    client-key-data: ${b64(k.secrets.adminKey)}`);
  }
  lines.push(`    token: ${y(k.token)}`);
  return lines.join('\n') + '\n';
}

export function credentialResults(inputs: KubeconfigInput[]): { kubeconfigs: { name: string; value: string }[] } {
  return { kubeconfigs: inputs.map((k) => ({ name: k.kind, value: Buffer.from(kubeconfigYaml(k), 'utf8').toString('base64') })) };
}
