// The baseline: a bare Express HTTPS server answering a fixed JSON body.
import https from 'node:https';
import { readFileSync } from 'node:fs';
import express from 'express';
import type { AddressInfo } from 'node:net';

const [certPath, keyPath, port = '0'] = process.argv.slice(2);
const app = express();
app.set('etag', false); // the emulator does not hash bodies either: keep the baseline as fast as it can be
const body = JSON.stringify({
  id: '/subscriptions/x/resourceGroups/rg',
  name: 'rg',
  type: 'Microsoft.Resources/resourceGroups',
  location: 'eastus',
  tags: {},
  properties: { provisioningState: 'Succeeded' },
});
app.all(/.*/, (_req, res) => {
  res.type('application/json').send(body);
});
const server = https.createServer({ cert: readFileSync(certPath), key: readFileSync(keyPath) }, app);
server.keepAliveTimeout = 65_000;
server.listen(Number(port), '127.0.0.1', () => {
  console.log(`listening on https://localhost:${(server.address() as AddressInfo).port}`);
});
