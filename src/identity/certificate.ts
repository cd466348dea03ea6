// The HTTPS certificate: generated once into the data dir (SAN localhost + 127.0.0.1, CA:TRUE so the
// file is its own CA bundle for REQUESTS_CA_BUNDLE / NODE_EXTRA_CA_CERTS), or brought with --cert/--key.
// Generated with an ECDSA P-256 key by x509.ts (a millisecond, nothing to load); older data directories keep
// the RSA certificate they have.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { writeFileDurablyAsync } from './tokens.js';
import path from 'node:path';
import os from 'node:os';
import { selfSignedCertificate } from './x509.js';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** The file a client trusts. */
  caPath: string;
}

export async function ensureCertificate(opts: { dataDir: string | null; certPath?: string; keyPath?: string }): Promise<TlsMaterial> {
  if (opts.certPath || opts.keyPath) {
    if (!opts.certPath || !opts.keyPath) throw new Error('--cert and --key go together');
    const cert = readFileSync(opts.certPath, 'utf8');
    const key = readFileSync(opts.keyPath, 'utf8');
    checkPem(opts.certPath, cert, opts.keyPath, key, 'fix or replace the file given with --cert/--key');
    return { cert, key, caPath: path.resolve(opts.certPath) };
  }
  // --in-memory still needs a file for clients to trust: keep it in a per-user temp folder.
  const dir = opts.dataDir ?? path.join(os.tmpdir(), 'arm-emulator-tls');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  if (existsSync(certFile) && existsSync(keyFile)) {
    const cert = readFileSync(certFile, 'utf8');
    const key = readFileSync(keyFile, 'utf8');
    checkPem(certFile, cert, keyFile, key, `delete both ${certFile} and ${keyFile} to have a new certificate generated at the next start (clients must then trust the new cert.pem)`);
    return { cert, key, caPath: certFile };
  }
  const now = Date.now();
  const pems = selfSignedCertificate({
    commonName: 'localhost',
    dnsName: 'localhost',
    ip: '127.0.0.1',
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 825 * 24 * 3600 * 1000),
  });
  // The key first: a cert.pem without its key.pem is regenerated, never served with a missing key. Written
  // without holding the thread: the command line compiles the emulator's code while the disk syncs.
  await writeFileDurablyAsync(keyFile, pems.key);
  await writeFileDurablyAsync(certFile, pems.cert);
  return { cert: pems.cert, key: pems.key, caPath: certFile };
}

/** A damaged certificate or key stops start-up naming the file and how to get a new one. */
function checkPem(certFile: string, cert: string, keyFile: string, key: string, fix: string): void {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (e) {
    throw new Error(`the TLS certificate ${certFile} is damaged (${(e as Error).message}); ${fix}.`, { cause: e });
  }
  try {
    if (!x509.checkPrivateKey(createPrivateKey(key))) throw new Error(`it does not belong to ${certFile}`);
  } catch (e) {
    throw new Error(`the TLS private key ${keyFile} is damaged (${(e as Error).message}); ${fix}.`, { cause: e });
  }
}
