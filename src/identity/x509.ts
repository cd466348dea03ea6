// A self-signed X.509 v3 certificate for the emulator's HTTPS, written with node:crypto alone: an ECDSA P-256 key
// (generated in a millisecond, where RSA-2048 takes a hundred or more) and the few DER structures a certificate
// needs. The selfsigned package did this before; loading it (two hundred modules) cost more than the rest of
// a fresh start-up, so a fresh data directory now starts about as fast as an existing one. Each cluster's CA and
// admin client certificate (src/kubernetes/kubeconfig.ts) are made here the same way.

import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

// ---- DER ----------------------------------------------------------------------------------------------

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, ...content: Buffer[]): Buffer => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
};
const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const set = (...c: Buffer[]) => tlv(0x31, ...c);
const octets = (b: Buffer) => tlv(0x04, b);
const bits = (b: Buffer, unused = 0) => tlv(0x03, Buffer.from([unused]), b);
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const explicit = (n: number, ...c: Buffer[]) => tlv(0xa0 | n, ...c);

function int(b: Buffer): Buffer {
  let v = b;
  while (v.length > 1 && v[0] === 0 && v[1] < 0x80) v = v.subarray(1);
  return tlv(0x02, v[0] >= 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [40 * a + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >>> 7; v > 0; v >>>= 7) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime up to 2049, GeneralizedTime after (RFC 5280 4.1.2.5). */
function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14); // YYYYMMDDHHMMSS
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
}

const ext = (id: string, critical: boolean, value: Buffer) => seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

// ---- the certificate --------------------------------------------------------------------------------------

const ecdsaWithSha256 = () => seq(oid('1.2.840.10045.4.3.2'));
const pem = (label: string, der: Buffer) => `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END ${label}-----\n`;
/** The subject key identifier: SHA-1 of the public key bits (RFC 5280 4.2.1.2 method 1). */
const keyIdOf = (spki: Buffer) => {
  // the BIT STRING is the SPKI's last element: a P-256 key's 65 bytes of point
  return createHash('sha1')
    .update(spki.subarray(spki.length - 65))
    .digest();
};
/** A distinguished name from [attribute type, value] pairs in order ('O', 'CN'). */
function dn(parts: [string, string][]): Buffer {
  const TYPES: Record<string, string> = { CN: '2.5.4.3', O: '2.5.4.10', OU: '2.5.4.11' };
  return seq(...parts.map(([t, v]) => set(seq(oid(TYPES[t]), utf8(v)))));
}
/** A DER certificate signed with an ECDSA P-256 key (sha256). */
function signed(o: { subject: Buffer; issuer: Buffer; spki: Buffer; notBefore: Date; notAfter: Date; extensions: Buffer[]; signer: KeyObject }): Buffer {
  const tbs = seq(
    explicit(0, int(Buffer.from([2]))), // v3
    int(randomBytes(16)),
    ecdsaWithSha256(),
    o.issuer,
    seq(time(o.notBefore), time(o.notAfter)),
    o.subject,
    o.spki,
    explicit(3, seq(...o.extensions)),
  );
  return seq(tbs, ecdsaWithSha256(), bits(sign('sha256', tbs, { key: o.signer, dsaEncoding: 'der' })));
}

/**
 * A cluster's own CA (CA:TRUE, keyCertSign and cRLSign) and a client certificate it signs for `subject` (extended
 * key usage client auth, as the admin credential of an AKS kubeconfig), both ECDSA P-256. Written here with
 * node:crypto: the selfsigned and @peculiar/x509 packages took ~55 ms of CPU per cluster create (and ~300 ms to load).
 */
export function clusterCertificates(o: { caName: string; subject: [string, string][]; notBefore: Date; caNotAfter: Date; notAfter: Date }): {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
} {
  const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const caSpki = ca.publicKey.export({ type: 'spki', format: 'der' });
  const caName = dn([['CN', o.caName]]);
  const caId = keyIdOf(caSpki);
  const caDer = signed({
    subject: caName,
    issuer: caName,
    spki: caSpki,
    notBefore: o.notBefore,
    notAfter: o.caNotAfter,
    signer: ca.privateKey,
    extensions: [
      ext('2.5.29.19', true, seq(bool(true))), // basicConstraints CA:TRUE
      ext('2.5.29.15', true, bits(Buffer.from([0x86]), 1)), // keyUsage digitalSignature, keyCertSign, cRLSign
      ext('2.5.29.14', false, octets(caId)), // subjectKeyIdentifier
    ],
  });
  const leaf = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const leafDer = signed({
    subject: dn(o.subject),
    issuer: caName,
    spki: leaf.publicKey.export({ type: 'spki', format: 'der' }),
    notBefore: o.notBefore,
    notAfter: o.notAfter,
    signer: ca.privateKey,
    extensions: [
      ext('2.5.29.19', true, seq()), // basicConstraints CA:FALSE
      ext('2.5.29.15', true, bits(Buffer.from([0xa0]), 5)), // keyUsage digitalSignature, keyEncipherment
      ext('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.2'))), // extKeyUsage clientAuth
      ext('2.5.29.35', false, seq(tlv(0x80, caId))), // authorityKeyIdentifier
    ],
  });
  return {
    caCert: pem('CERTIFICATE', caDer),
    caKey: ca.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    cert: pem('CERTIFICATE', leafDer),
    key: leaf.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

export interface SelfSigned {
  cert: string;
  key: string;
}

/**
 * A certificate for `dnsName` and `ip` that is its own CA (CA:TRUE, keyCertSign), so the file can be given to
 * clients as the bundle to trust (REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS).
 */
export function selfSignedCertificate(opts: { commonName: string; dnsName: string; ip: string; notBefore: Date; notAfter: Date }): SelfSigned {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const name = dn([['CN', opts.commonName]]);
  const der = signed({
    subject: name,
    issuer: name,
    spki,
    notBefore: opts.notBefore,
    notAfter: opts.notAfter,
    signer: privateKey,
    extensions: [
      ext('2.5.29.19', true, seq(bool(true))), // basicConstraints CA:TRUE
      ext('2.5.29.15', true, bits(Buffer.from([0x84]), 2)), // keyUsage digitalSignature, keyCertSign
      ext('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage serverAuth
      ext('2.5.29.17', false, seq(tlv(0x82, Buffer.from(opts.dnsName)), tlv(0x87, Buffer.from(opts.ip.split('.').map(Number))))), // SAN
      ext('2.5.29.14', false, octets(keyIdOf(spki))), // subjectKeyIdentifier
    ],
  });
  return { cert: pem('CERTIFICATE', der), key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}
