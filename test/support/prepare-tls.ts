// Run before mocha (npm pretest): one certificate for every test emulator, so the test process can
// trust it through NODE_EXTRA_CA_CERTS (Node reads that only at start-up) and az through REQUESTS_CA_BUNDLE;
// and a few token-signing keys the in-process test emulators take turns with (test/support/emulator.ts), made
// once here instead of one RSA-2048 key (50 - 400 ms of CPU) per emulator start.
import path from 'node:path';
import { ensureCertificate } from '../../src/identity/certificate.js';
import { ensureTestSigningKeys } from './signingKeys.js';

const dir = path.resolve('.test-tls');
const tls = await ensureCertificate({ dataDir: dir });
console.log(`test TLS certificate: ${tls.caPath}`);
ensureTestSigningKeys(dir);
