// The HTTPS certificate: generated once into the data dir (SAN localhost + 127.0.0.1, CA:TRUE so the
// file is its own CA bundle for REQUESTS_CA_BUNDLE / NODE_EXTRA_CA_CERTS), or brought with --cert/--key.
// Node cannot write X.509 itself, hence the selfsigned package.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { generate } from 'selfsigned';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** The file a client trusts. */
  caPath: string;
}

export async function ensureCertificate(opts: { dataDir: string | null; certPath?: string; keyPath?: string }): Promise<TlsMaterial> {
  if (opts.certPath || opts.keyPath) {
    if (!opts.certPath || !opts.keyPath) throw new Error('--cert and --key go together');
    return { cert: readFileSync(opts.certPath, 'utf8'), key: readFileSync(opts.keyPath, 'utf8'), caPath: path.resolve(opts.certPath) };
  }
  // --in-memory still needs a file for clients to trust: keep it in a per-user temp folder.
  const dir = opts.dataDir ?? path.join(os.tmpdir(), 'arm-emulator-tls');
  mkdirSync(dir, { recursive: true });
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  if (existsSync(certFile) && existsSync(keyFile)) {
    return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), caPath: certFile };
  }
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 825 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  writeFileSync(keyFile, pems.private, { mode: 0o600 });
  writeFileSync(certFile, pems.cert);
  return { cert: pems.cert, key: pems.private, caPath: certFile };
}
