// The emulator's HTTP(S) server, which can listen before the emulator is assembled: the command line listens
// first, so the cloud metadata (`GET /metadata/endpoints`, the first thing az and the SDKs ask, a pure
// function of the URL) is answered while the state is still being read (seconds with 100,000 resources), and
// every other request is held and served, in arrival order, by the emulator once it is ready (or refused
// with 503 and the reason if start-up fails). Only Node's modules, the certificate and the metadata document
// are loaded for it.

import https from 'node:https';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { EmulatorConfig } from '../config/config.js';
import { ensureCertificate } from '../identity/certificate.js';
import { metadataEndpoints } from '../identity/metadata.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface Listening {
  server: http.Server | https.Server;
  /** The listen URL (https://localhost:PORT). */
  url: string;
  caPath?: string;
  caPem?: string;
  /** From now on `handler` answers every request, starting with those held until now. */
  serve(handler: Handler): void;
  /** Start-up failed: requests held and to come are answered 503 with the reason. */
  fail(e: unknown): void;
}

export async function listen(config: EmulatorConfig): Promise<Listening> {
  // ARM-like timeouts: a client gets --request-timeout seconds (default 60) to send a whole request, and at
  // most 30 s for its headers; a half-sent body no longer holds a connection for Node's 300 s default.
  const requestMs = Math.round(config.requestTimeout * 1000);
  const timeouts = {
    requestTimeout: requestMs,
    headersTimeout: Math.min(requestMs, 30_000),
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(requestMs / 4))),
  };
  let held: [http.IncomingMessage, http.ServerResponse][] = [];
  let url = '';
  const early: Handler = (req, res) => {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    // az builds '//metadata/endpoints' from a trailing-slash endpoint (the app collapses slashes the same way)
    const p = (q < 0 ? raw : raw.slice(0, q)).replace(/\/{2,}/g, '/');
    if (req.method === 'GET' && p === '/metadata/endpoints') {
      const apiVersion = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)).get('api-version') ?? '';
      const body = JSON.stringify(metadataEndpoints(config.publicUrl ?? url, apiVersion));
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'x-ms-request-id': randomUUID() });
      res.end(body);
      return;
    }
    held.push([req, res]);
  };
  let current: Handler = early;
  const dispatch: Handler = (req, res) => current(req, res);
  let server: http.Server | https.Server;
  let caPath: string | undefined;
  let caPem: string | undefined;
  if (config.tls) {
    const tls = await ensureCertificate({ dataDir: config.inMemory ? null : config.dataDir, certPath: config.certPath, keyPath: config.keyPath });
    caPath = tls.caPath;
    caPem = tls.cert;
    // A client certificate is asked for, never required: the Kubernetes API authenticates one signed by a
    // cluster's CA (its own check, per cluster); every other caller sends a token and no certificate.
    server = https.createServer({ cert: tls.cert, key: tls.key, requestCert: true, rejectUnauthorized: false, ...timeouts }, dispatch);
  } else {
    server = http.createServer(timeouts, dispatch);
  }
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host === '127.0.0.1' || config.host === '0.0.0.0' ? 'localhost' : config.host;
  url = `${config.tls ? 'https' : 'http'}://${host}:${port}`;
  return {
    server,
    url,
    caPath,
    caPem,
    serve(handler) {
      current = handler;
      const waiting = held;
      held = [];
      for (const [req, res] of waiting) if (!res.writableEnded && !req.destroyed) handler(req, res);
    },
    fail(e) {
      const message = `The emulator could not start: ${e instanceof Error ? e.message : String(e)}`;
      current = (_req, res) => {
        const body = JSON.stringify({ error: { code: 'ServiceUnavailable', message } });
        res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
        res.end(body);
      };
      const waiting = held;
      held = [];
      for (const [req, res] of waiting) if (!res.writableEnded && !req.destroyed) current(req, res);
    },
  };
}
