// certificates.k8s.io/v1 CertificateSigningRequests: a client asks for a certificate (a PKCS#10 request and a
// signer), the API server records who asked (spec.username, groups, uid, extra: from the request's user, never
// the body), someone with approve rights approves or denies it through /approval, and the signing controller
// (controllers/certificates.ts) issues the certificate into status.certificate.

import { humanAge, isObj, type KubeObject } from '../model.js';
import type { StatusCause } from '../status.js';
import { AGE_COLUMN, ALL_VERBS, NAME_COLUMN, col, type ResourceDef } from './registry.js';
import { forbidden, invalid, qualifiedName, required, unsupported } from './validation.js';

const USAGES = [
  'signing',
  'digital signature',
  'content commitment',
  'key encipherment',
  'key agreement',
  'data encipherment',
  'cert sign',
  'crl sign',
  'encipher only',
  'decipher only',
  'any',
  'server auth',
  'client auth',
  'code signing',
  'email protection',
  's/mime',
  'ipsec end system',
  'ipsec tunnel',
  'ipsec user',
  'timestamping',
  'ocsp signing',
  'microsoft sgc',
  'netscape sgc',
];

/** The DER of the PEM block a request carries, or why it is not a certificate request. */
export function csrDer(request: unknown): { der?: Buffer; why?: string } {
  if (typeof request !== 'string' || request === '') return { why: 'required' };
  const pem = Buffer.from(request, 'base64').toString('utf8');
  const m = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (!m) return { why: 'PEM block type must be CERTIFICATE REQUEST' };
  if (m[1] !== 'CERTIFICATE REQUEST' && m[1] !== 'NEW CERTIFICATE REQUEST') return { why: 'PEM block type must be CERTIFICATE REQUEST' };
  return { der: Buffer.from(m[2].replace(/\s+/g, ''), 'base64') };
}

/** As kubectl prints it: Approved/Denied/Pending, then Failed and Issued. */
export function csrCondition(o: KubeObject): string {
  const types = new Set(((o.status?.conditions ?? []) as any[]).map((c) => c.type));
  let s = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) s += ',Failed';
  if (o.status?.certificate) s += ',Issued';
  return s;
}

function validateConditions(o: KubeObject, old?: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const conds: any[] = Array.isArray(o.status?.conditions) ? o.status.conditions : [];
  const seen = new Set<string>();
  conds.forEach((c, i) => {
    const f = `status.conditions[${i}]`;
    if (!c?.type) return void out.push(required(`${f}.type`));
    if (['Approved', 'Denied', 'Failed'].includes(c.type) && seen.has(c.type)) out.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: "${c.type}"`, field: `${f}.type` });
    seen.add(c.type);
    if ((c.type === 'Approved' || c.type === 'Denied') && c.status !== 'True') out.push(unsupported(`${f}.status`, c.status ?? '', ['True']));
  });
  if (seen.has('Approved') && seen.has('Denied')) out.push(invalid('status.conditions', 'Denied', 'Approved and Denied conditions are mutually exclusive'));
  for (const t of ['Approved', 'Denied']) {
    if ((old?.status?.conditions ?? []).some((c: any) => c.type === t) && !seen.has(t)) out.push(forbidden('status.conditions', `updates may not remove a condition of type "${t}"`));
  }
  return out;
}

export const CSR_KIND: ResourceDef = {
  group: 'certificates.k8s.io',
  version: 'v1',
  resource: 'certificatesigningrequests',
  kind: 'CertificateSigningRequest',
  singular: 'certificatesigningrequest',
  namespaced: false,
  shortNames: ['csr'],
  verbs: ALL_VERBS,
  subresources: ['status', 'approval'],
  statusSubresource: true,
  schema: 'io.k8s.api.certificates.v1.CertificateSigningRequest',
  columns: [
    NAME_COLUMN,
    AGE_COLUMN,
    col('SignerName', 'string', 'Name of the signer'),
    col('Requestor', 'string', 'Name of the requestor'),
    col('RequestedDuration', 'string', 'Requested duration of the certificate'),
    col('Condition', 'string', 'State of the signing request'),
  ],
  row: (o, now) => [
    o.metadata.name,
    humanAge(o.metadata.creationTimestamp, now),
    o.spec?.signerName ?? '',
    o.spec?.username ?? '',
    typeof o.spec?.expirationSeconds === 'number' ? humanAge(new Date(now - o.spec.expirationSeconds * 1000).toISOString(), now) : '<none>',
    csrCondition(o),
  ],
  fields: { 'spec.signerName': (o) => o.spec?.signerName },
  requestor(o, user) {
    // Who asked is the request's user, whatever the body says (the API server's create strategy).
    if (!isObj(o.spec)) o.spec = {};
    o.spec.username = user.username;
    if (user.uid) o.spec.uid = user.uid;
    else delete o.spec.uid;
    o.spec.groups = [...user.groups];
    if (user.extra && Object.keys(user.extra).length) o.spec.extra = user.extra;
    else delete o.spec.extra;
  },
  defaults(o, _ctx, old) {
    // The request is immutable: an update keeps the stored spec.
    if (old) o.spec = old.spec;
  },
  validate(o, _ctx, old) {
    if (old) return validateConditions(o, old);
    const out: StatusCause[] = [];
    const s = o.spec ?? {};
    const r = csrDer(s.request);
    if (r.why === 'required') out.push(required('spec.request'));
    else if (r.why) out.push(invalid('spec.request', '[]byte{...}', r.why));
    else if (r.der![0] !== 0x30) out.push(invalid('spec.request', '[]byte{...}', 'PEM block type must be CERTIFICATE REQUEST'));
    if (!s.signerName) out.push(required('spec.signerName'));
    else {
      out.push(...qualifiedName('spec.signerName', String(s.signerName).split('/')[0]));
      if (s.signerName === 'kubernetes.io/legacy-unknown') out.push(invalid('spec.signerName', s.signerName, 'the legacy signerName is not allowed via this API version'));
      else if (!String(s.signerName).includes('/')) out.push(invalid('spec.signerName', s.signerName, "a signerName must be a fully qualified domain and path of the form 'example.com/signer-name'"));
    }
    if (!Array.isArray(s.usages) || s.usages.length === 0) out.push(required('spec.usages', 'usages must be provided'));
    else s.usages.forEach((u: unknown, i: number) => !USAGES.includes(String(u)) && out.push(unsupported(`spec.usages[${i}]`, u, USAGES)));
    if (s.expirationSeconds !== undefined && (typeof s.expirationSeconds !== 'number' || s.expirationSeconds < 600))
      out.push(invalid('spec.expirationSeconds', s.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
    return [...out, ...validateConditions(o)];
  },
};
