// Per-cluster credentials (shared by the AKS, AKS hybrid and Arc providers): a cluster CA, an admin client certificate signed by it, and bearer tokens
// for the user and monitoring-user kubeconfigs. Generated when a cluster is created (and again on
// rotateClusterCertificates), kept in StoredResource.internal, never on the wire except inside the
// kubeconfig a credential action returns.

import { randomBytes } from 'node:crypto';

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
  // loaded on the first cluster create, not at start-up (two hundred modules)
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: `ca-${clusterName}` }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 30 * 365 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, digitalSignature: true, cRLSign: true, critical: true },
    ],
    clientCertificate: { cn: 'masterclient', keyType: 'ec', notBeforeDate: new Date(now - 60_000), notAfterDate: new Date(now + 2 * 365 * 24 * 3600 * 1000) },
  });
  return {
    caCert: pems.cert,
    caKey: pems.private,
    adminCert: pems.clientcert!,
    adminKey: pems.clientprivate!,
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
  server: string;
  secrets: ClusterSecrets;
  /** AAD-integrated clusters give users an exec (kubelogin) entry instead of a token. */
  aad?: { tenantId: string; environment: string };
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** YAML scalars: plain when safe, single-quoted otherwise. */
function y(s: string): string {
  return /^[A-Za-z0-9_./:@-][A-Za-z0-9_./:@()-]*$/.test(s) && !/^(true|false|null|yes|no|on|off|~)$/i.test(s) ? s : `'${s.replace(/'/g, "''")}'`;
}

/** A kubeconfig as AKS returns it (YAML, apiVersion v1, kind Config). */
export function kubeconfigYaml(k: KubeconfigInput): string {
  const user = `${k.kind}_${k.resourceGroup}_${k.clusterName}`;
  // AKS names every context after the cluster; `az aks get-credentials --admin` appends '-admin' itself when merging.
  const context = k.clusterName;
  const lines = [
    'apiVersion: v1',
    'clusters:',
    '- cluster:',
    `    certificate-authority-data: ${b64(k.secrets.caCert)}`,
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
  ];
  if (k.kind === 'clusterAdmin') {
    lines.push(`    client-certificate-data: ${b64(k.secrets.adminCert)}`, `    client-key-data: ${b64(k.secrets.adminKey)}`);
  } else if (k.kind === 'clusterUser' && k.aad) {
    lines.push(
      '    exec:',
      '      apiVersion: client.authentication.k8s.io/v1beta1',
      '      args:',
      '      - get-token',
      '      - --environment',
      `      - ${k.aad.environment}`,
      '      - --server-id',
      '      - 6dae42f8-4368-4678-94ff-3960e28e3630',
      '      - --client-id',
      '      - 80faf920-1908-4b52-b5ef-a8e7bedfc67a',
      '      - --tenant-id',
      `      - ${k.aad.tenantId}`,
      '      - --login',
      '      - devicecode',
      '      command: kubelogin',
      '      env: null',
      '      provideClusterInfo: false',
    );
  } else {
    lines.push(`    token: ${k.kind === 'clusterUser' ? k.secrets.userToken : k.secrets.monitoringToken}`);
  }
  return lines.join('\n') + '\n';
}

export function credentialResults(inputs: KubeconfigInput[]): { kubeconfigs: { name: string; value: string }[] } {
  return { kubeconfigs: inputs.map((k) => ({ name: k.kind, value: Buffer.from(kubeconfigYaml(k), 'utf8').toString('base64') })) };
}
