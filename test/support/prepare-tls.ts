// Run before mocha (npm pretest): one certificate for every test emulator, so the test process can
// trust it through NODE_EXTRA_CA_CERTS (Node reads that only at start-up) and az through REQUESTS_CA_BUNDLE.
import path from 'node:path';
import { ensureCertificate } from '../../src/identity/certificate.js';

const dir = path.resolve('.test-tls');
const tls = await ensureCertificate({ dataDir: dir });
console.log(`test TLS certificate: ${tls.caPath}`);
