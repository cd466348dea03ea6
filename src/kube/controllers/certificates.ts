// The certificate signers of kube-controller-manager (csrsigning): an approved CertificateSigningRequest for
// one of the built-in signers gets its certificate, signed by the cluster's CA (the one its kubeconfigs
// trust), in status.certificate. The subject is the request's; the lifetime is spec.expirationSeconds, at most
// a year (--cluster-signing-duration) and never past the CA's; backdated 5 minutes as the signer does. A
// request the signer refuses (a kube-apiserver-client certificate without "client auth", a bad request) gets
// a Failed condition saying why. Other signers' requests wait for their own signer, as in Kubernetes.

import type { BatchChange } from '../api.js';
import { BUILTINS } from '../kinds/index.js';
import { csrDer } from '../kinds/certificates.js';
import { nowTime, type KubeObject } from '../model.js';
import type { Controller } from './runtime.js';
import { serialNumber, signingKey, x509Lib as lib, type X509Module } from '../../kubernetes/x509.js';

const CSRS = BUILTINS.get('certificates.k8s.io', 'v1', 'certificatesigningrequests')!;
const YEAR_S = 365 * 24 * 3600;
const BACKDATE_MS = 5 * 60_000;

/** Usages each signer may grant (pkg/controller/certificates/signer, the kube-apiserver-client... checks). */
const SIGNERS: Record<string, { allowed: string[]; needed: string[] }> = {
  'kubernetes.io/kube-apiserver-client': { allowed: ['client auth', 'digital signature', 'key encipherment'], needed: ['client auth'] },
  'kubernetes.io/kube-apiserver-client-kubelet': { allowed: ['client auth', 'digital signature', 'key encipherment'], needed: ['client auth'] },
  'kubernetes.io/kubelet-serving': { allowed: ['server auth', 'digital signature', 'key encipherment'], needed: ['server auth'] },
};

/** The certificate for a request, or why the signer refuses it. */
async function sign(csr: KubeObject, caCert: string, caKey: string, now: number): Promise<{ pem?: string; why?: string }> {
  const rules = SIGNERS[csr.spec.signerName];
  const usages: string[] = csr.spec.usages ?? [];
  const bad = usages.filter((u) => !rules.allowed.includes(u));
  if (bad.length || rules.needed.some((u) => !usages.includes(u)))
    return {
      why: `invalid usage for ${csr.spec.signerName === 'kubernetes.io/kubelet-serving' ? 'serving' : 'client'} certificate: ${bad.length ? bad.join(', ') : `missing ${rules.needed.join(', ')}`}`,
    };
  const x = await lib();
  const der = csrDer(csr.spec.request).der;
  if (!der) return { why: 'unable to parse csr: PEM block type must be CERTIFICATE REQUEST' };
  let req: InstanceType<X509Module['Pkcs10CertificateRequest']>;
  try {
    req = new x.Pkcs10CertificateRequest(new Uint8Array(der));
    if (!(await req.verify())) return { why: 'unable to verify the request signature' };
  } catch (e) {
    return { why: `unable to parse csr: ${(e as Error).message}` };
  }
  const ca = new x.X509Certificate(caCert);
  const caEnd = ca.notAfter.getTime();
  const life = Math.min(typeof csr.spec.expirationSeconds === 'number' ? csr.spec.expirationSeconds : YEAR_S, YEAR_S) * 1000;
  const { key, algorithm } = await signingKey(caKey);
  const eku = usages.filter((u) => u === 'client auth' || u === 'server auth').map((u) => (u === 'client auth' ? x.ExtendedKeyUsage.clientAuth : x.ExtendedKeyUsage.serverAuth));
  let ku = 0;
  if (usages.includes('digital signature')) ku |= x.KeyUsageFlags.digitalSignature;
  if (usages.includes('key encipherment')) ku |= x.KeyUsageFlags.keyEncipherment;
  const extensions: InstanceType<X509Module['Extension']>[] = [new x.BasicConstraintsExtension(false, undefined, true), await x.AuthorityKeyIdentifierExtension.create(ca, false)];
  if (ku) extensions.push(new x.KeyUsagesExtension(ku, true));
  if (eku.length) extensions.push(new x.ExtendedKeyUsageExtension(eku, false));
  const san = req.getExtension('2.5.29.17');
  if (san && csr.spec.signerName === 'kubernetes.io/kubelet-serving') extensions.push(san);
  const cert = await x.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: req.subject,
    issuer: ca.subject,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(Math.min(now + life, caEnd)),
    publicKey: req.publicKey,
    signingKey: key,
    signingAlgorithm: algorithm,
    extensions,
  });
  return { pem: cert.toString('pem') + '\n' };
}

const has = (o: KubeObject, type: string) => ((o.status?.conditions ?? []) as any[]).some((c) => c.type === type && c.status === 'True');

export const certificateSigner: Controller = {
  name: 'csrsigning',
  watches: ['certificates.k8s.io/certificatesigningrequests'],
  async run(ctx) {
    const secrets = ctx.view.secrets;
    if (!secrets) return;
    const changes: BatchChange[] = [];
    for (const csr of ctx.list('certificates.k8s.io/certificatesigningrequests')) {
      if (!SIGNERS[csr.spec?.signerName] || !has(csr, 'Approved') || has(csr, 'Denied') || has(csr, 'Failed') || csr.status?.certificate) continue;
      const out = await sign(csr, secrets.caCert, secrets.caKey, ctx.now);
      const status = { ...(csr.status ?? {}) };
      if (out.pem) status.certificate = Buffer.from(out.pem).toString('base64');
      else {
        const time = nowTime(ctx.now);
        status.conditions = [...(status.conditions ?? []), { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: out.why, lastUpdateTime: time, lastTransitionTime: time }];
      }
      changes.push({
        verb: 'update',
        def: CSRS,
        namespace: '',
        object: { ...csr, status },
        subresource: 'status',
        whole: true,
        owned: true,
        fieldManager: 'kube-controller-manager',
        tolerate: [404, 409],
      });
    }
    if (changes.length) await ctx.commit(changes);
  },
};
