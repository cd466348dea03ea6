// X.509 for the clusters' own PKI: certificates signed by a cluster's CA (the admin client certificate its
// kubeconfigs carry, the certificates the CSR signers issue), and the check the API server makes of a client
// certificate (signed by the cluster CA, in its validity period, usable for client auth) before it takes the
// subject as the caller: user = CN, groups = O, as kube-apiserver's x509 authenticator does.

import { createPrivateKey, randomBytes, webcrypto, X509Certificate } from 'node:crypto';

export type X509Module = typeof import('@peculiar/x509');
let x509: Promise<X509Module> | undefined;
/** Loaded on the first signature (not at start-up). */
export function x509Lib(): Promise<X509Module> {
  x509 ??= import('@peculiar/x509').then((m) => {
    m.cryptoProvider.set(webcrypto as unknown as Crypto);
    return m;
  });
  return x509;
}

const CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** A CA's private key (PEM) as a WebCrypto signing key, with the algorithm to sign with. */
export async function signingKey(caKeyPem: string): Promise<{ key: CryptoKey; algorithm: Algorithm | EcdsaParams }> {
  const k = createPrivateKey(caKeyPem);
  const der = k.export({ format: 'der', type: 'pkcs8' });
  if (k.asymmetricKeyType === 'ec') {
    const namedCurve = CURVES[k.asymmetricKeyDetails?.namedCurve ?? ''] ?? 'P-256';
    const key = await webcrypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve }, false, ['sign']);
    return { key: key as unknown as CryptoKey, algorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams };
  }
  const key = await webcrypto.subtle.importKey('pkcs8', der, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
  return { key: key as unknown as CryptoKey, algorithm: { name: 'RSASSA-PKCS1-v1_5' } };
}

/** A serial number as the Go signers make them: 128 random bits, positive. */
export const serialNumber = () =>
  randomBytes(16)
    .toString('hex')
    .replace(/^[89a-f]/, '1');

/**
 * A client certificate (and its new EC P-256 key) signed by a cluster's CA: `subject` as an X.500 name
 * ("O=system:masters, CN=masterclient"), extended key usage client auth.
 */
export async function issueClientCertificate(o: { caCert: string; caKey: string; subject: string; notBefore: Date; notAfter: Date }): Promise<{ cert: string; key: string }> {
  const x = await x509Lib();
  const pair = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const ca = new x.X509Certificate(o.caCert);
  const { key, algorithm } = await signingKey(o.caKey);
  const cert = await x.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: o.subject,
    issuer: ca.subject,
    notBefore: o.notBefore,
    notAfter: o.notAfter,
    publicKey: pair.publicKey,
    signingKey: key,
    signingAlgorithm: algorithm,
    extensions: [
      new x.BasicConstraintsExtension(false, undefined, true),
      new x.KeyUsagesExtension(x.KeyUsageFlags.digitalSignature | x.KeyUsageFlags.keyEncipherment, true),
      new x.ExtendedKeyUsageExtension([x.ExtendedKeyUsage.clientAuth], false),
      await x.AuthorityKeyIdentifierExtension.create(ca, false),
    ],
  });
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', pair.privateKey as unknown as webcrypto.CryptoKey));
  const pem = (label: string, b: Buffer) =>
    `-----BEGIN ${label}-----\n${b
      .toString('base64')
      .match(/.{1,64}/g)!
      .join('\n')}\n-----END ${label}-----\n`;
  return { cert: cert.toString('pem') + '\n', key: pem('PRIVATE KEY', der) };
}

// ---- the API server's check of a client certificate ------------------------------------------------------

export interface CertificateUser {
  username: string;
  groups: string[];
}

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_USAGE = '2.5.29.37.0';

interface Checked {
  /** Why the certificate does not authenticate (whatever the time), or the identity it carries. */
  why?: string;
  user?: CertificateUser;
  notBefore: number;
  notAfter: number;
}

const cas = new Map<string, X509Certificate>();
const checked = new Map<string, Checked>();
const CACHE = 2000;

function caOf(pem: string): X509Certificate {
  let ca = cas.get(pem);
  if (!ca) {
    if (cas.size >= 256) cas.clear();
    ca = new X509Certificate(pem);
    cas.set(pem, ca);
  }
  return ca;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);

function check(cert: X509Certificate, ca: X509Certificate): Checked {
  const notBefore = Math.max(Date.parse(cert.validFrom), Date.parse(ca.validFrom));
  const notAfter = Math.min(Date.parse(cert.validTo), Date.parse(ca.validTo));
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return { why: 'x509: certificate signed by unknown authority', notBefore, notAfter };
  const eku = cert.keyUsage;
  if (eku && eku.length && !eku.includes(CLIENT_AUTH) && !eku.includes(ANY_USAGE)) return { why: 'x509: certificate specifies an incompatible key usage', notBefore, notAfter };
  const subject = cert.toLegacyObject().subject as unknown as Record<string, unknown>;
  // several CNs: Go's pkix.Name keeps the last one
  const username = list(subject.CN).at(-1) ?? '';
  if (!username) return { why: 'x509: the certificate names no user (empty common name)', notBefore, notAfter };
  return { user: { username, groups: list(subject.O) }, notBefore, notAfter };
}

/**
 * The identity a client certificate carries for a cluster whose CA is `caPem`, or why it carries none
 * (another CA, expired, not yet valid, not for client auth). Signature checks are remembered per
 * certificate and CA; the validity period is checked against `now` every time.
 */
export function certificateUser(cert: X509Certificate, caPem: string, now: number): { user?: CertificateUser; why?: string } {
  const key = `${cert.fingerprint256}|${caPem}`;
  let c = checked.get(key);
  if (!c) {
    c = check(cert, caOf(caPem));
    if (checked.size >= CACHE) checked.clear();
    checked.set(key, c);
  }
  if (c.why) return { why: c.why };
  if (now < c.notBefore) return { why: `x509: certificate has expired or is not yet valid: current time ${new Date(now).toISOString()} is before ${new Date(c.notBefore).toISOString()}` };
  if (now > c.notAfter) return { why: `x509: certificate has expired or is not yet valid: current time ${new Date(now).toISOString()} is after ${new Date(c.notAfter).toISOString()}` };
  return { user: c.user };
}
