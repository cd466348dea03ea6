// Issue 11 (hardening), one reproduction per item: each of these failed before its fix.
import { objectIdFor } from '../../src/identity/tokens.js';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import https from 'node:https';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { startTestEmulator, rgPath, tmpDir, waitForOperation, SUB, TENANT, CLIENT_ID, SECRET, CA_PATH, type TestEmulator } from '../support/emulator.js';
import { testProvider, TEST_NS } from '../support/test-provider.js';
import { allProviders } from '../../src/providers/index.js';
import { clusterBody, clusterPath, createGroup, startAksEmulator, writeAndWait, HUB_API, AZ_API } from '../containerservice/helpers.js';
import { ensureCertificate } from '../../src/identity/certificate.js';
import { TokenService } from '../../src/identity/tokens.js';
import { parseConfig } from '../../src/config/config.js';

const RV = 'api-version=2021-04-01';
const V = 'api-version=2024-01-01';

function oauthError(r: request.Response, status: number, error: string) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.error, error, JSON.stringify(r.body));
  assert.equal(typeof r.body.error_description, 'string');
  assert.ok(Array.isArray(r.body.error_codes));
  return r.body;
}
function armError(r: request.Response, status: number, code?: string) {
  assert.equal(r.status, status, `${r.status} ${r.text}`);
  assert.equal(typeof r.body.error?.code, 'string', `ARM envelope: ${r.text}`);
  assert.equal(typeof r.body.error?.message, 'string');
  if (code) assert.equal(r.body.error.code, code, r.body.error.message);
  return r.body.error;
}

/** A request with a forged Host header (TLS name still 'localhost'). */
function forgedHost(emu: TestEmulator, method: string, p: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const u = new URL(emu.url);
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port: Number(u.port), servername: 'localhost', method, path: p, headers: { ...headers, Host: 'evil.example.com' } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('hardening (issue 11)', () => {
  describe('admin API, token claims, token endpoint, public URL (items 3, 4, 5, 9)', () => {
    let emu: TestEmulator;
    before(async () => {
      emu = await startAksEmulator();
    });
    after(async () => emu.close());
    const anon = () => request(emu.url);
    const privateKey = () => (emu.tokens as any).privateKey as string;
    const sign = (claims: Record<string, unknown>) => {
      const all: Record<string, unknown> = {
        aud: 'https://management.azure.com/',
        iss: `${emu.url}/${TENANT}/`,
        tid: TENANT,
        appid: CLIENT_ID,
        oid: objectIdFor(CLIENT_ID),
        exp: Math.floor(Date.now() / 1000) + 600,
        ...claims,
      };
      for (const k of Object.keys(all)) if (all[k] === undefined) delete all[k];
      return jwt.sign(all, privateKey(), { algorithm: 'RS256' });
    };
    const armGet = (token: string) => anon().get(`/subscriptions/${SUB}/resourcegroups?${RV}`).set('Authorization', `Bearer ${token}`);

    it('3: admin changes need a service principal bearer token when auth is on; reads stay open', async () => {
      armError(await anon().post('/_emulator/fabric/sites/local/disconnect'), 401, 'AuthenticationFailed');
      armError(await anon().put('/_emulator/operations/gates').send({ rules: [] }), 401, 'AuthenticationFailed');
      armError(await anon().post('/_emulator/fabric/sites/local/disconnect').set('Authorization', 'Bearer not.a.jwt'), 401);
      const foreign = jwt.sign({ aud: 'https://management.azure.com/' }, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), {
        algorithm: 'RS256',
      });
      armError(await anon().post('/_emulator/fabric/sites/local/disconnect').set('Authorization', `Bearer ${foreign}`), 401);
      assert.equal(emu.services.fabric && (await anon().get('/_emulator/health')).body.disconnectedSites.length, 0, 'nothing was disconnected');
      assert.equal((await anon().get('/_emulator/health')).status, 200);
      assert.equal((await anon().get('/_emulator/fabric?site=local')).status, 200);
      const ok = await anon().post('/_emulator/fabric/sites/local/disconnect').set('Authorization', `Bearer ${emu.token}`);
      assert.equal(ok.status, 200);
      assert.deepEqual((await anon().get('/_emulator/health')).body.disconnectedSites, ['local']);
      assert.equal((await anon().post('/_emulator/fabric/sites/local/connect').set('Authorization', `Bearer ${emu.token}`)).status, 200);
    });

    it("3: a request with an Origin that is not the emulator's is refused (403), even with a token; its own origin is not", async () => {
      for (const origin of ['https://evil.example.com', 'null', 'http://localhost:1']) {
        armError(await anon().post('/_emulator/fabric/sites/local/disconnect').set('Origin', origin).set('Authorization', `Bearer ${emu.token}`), 403, 'ForbiddenOrigin');
        armError(await anon().put('/_emulator/operations/time-scale').set('Origin', origin).set('content-type', 'text/plain').send('{"timeScale":5}'), 403, 'ForbiddenOrigin');
        armError(await anon().get('/_emulator/operations').set('Origin', origin), 403, 'ForbiddenOrigin');
      }
      assert.equal(emu.services.config.timeScale, 0);
      assert.equal((await anon().get('/_emulator/health').set('Origin', emu.url)).status, 200);
    });

    it('3: the operation record view never shows a secret (resetServicePrincipalProfile)', async () => {
      await createGroup(emu, 'adm', 'local');
      const c = await writeAndWait(emu, 'put', `${clusterPath('adm', 'c1')}?api-version=${HUB_API}`, clusterBody('local'));
      assert.equal(c.status.status, 'Succeeded');
      const r = await writeAndWait(emu, 'post', `${clusterPath('adm', 'c1')}/resetServicePrincipalProfile?api-version=${HUB_API}`, {
        clientId: 'eeeeeeee-0000-0000-0000-000000000001',
        secret: 'TOP-SECRET-VALUE',
      });
      assert.equal(r.status.status, 'Succeeded');
      const opId = r.status.name;
      const one = await anon().get(`/_emulator/operations/${opId}`);
      assert.equal(one.status, 200);
      assert.doesNotMatch(one.text, /TOP-SECRET-VALUE/);
      assert.match(one.text, /\[redacted\]/);
      const list = await anon().get('/_emulator/operations');
      assert.doesNotMatch(list.text, /TOP-SECRET-VALUE|emulator-secret/);
      const createOp = await anon().get(`/_emulator/operations/${c.status.name}`);
      assert.doesNotMatch(createOp.text, /emulator-secret/);
    });

    it('5: an admin body over 1 MB is 413 in an ARM envelope (declared or chunked)', async () => {
      const big = JSON.stringify({ rules: [], pad: 'x'.repeat(1024 * 1024 + 10) });
      armError(await anon().put('/_emulator/operations/gates').set('Authorization', `Bearer ${emu.token}`).set('content-type', 'application/json').send(big), 413, 'RequestEntityTooLarge');
      // chunked: no content-length, the limit is found while reading
      const u = new URL(emu.url);
      const status = await new Promise<number>((resolve, reject) => {
        const s = tls.connect({ host: '127.0.0.1', port: Number(u.port), servername: 'localhost', ca: undefined, rejectUnauthorized: false }, () => {
          s.write(`PUT /_emulator/operations/gates HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${emu.token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
          const chunk = Buffer.from(big);
          s.write(`${chunk.length.toString(16)}\r\n`);
          s.write(chunk);
          s.write('\r\n0\r\n\r\n');
        });
        let out = '';
        s.on('data', (d) => {
          out += d;
          const m = /^HTTP\/1\.1 (\d+)/.exec(out);
          if (m) {
            resolve(Number(m[1]));
            s.destroy();
          }
        });
        s.on('error', reject);
      });
      assert.equal(status, 413);
      assert.equal((await anon().get('/_emulator/health')).status, 200);
    });

    it("4: the token endpoint refuses scopes for unknown resources with AAD's invalid_resource (AADSTS500011)", async () => {
      const tok = (form: Record<string, string>) =>
        anon()
          .post(`/${TENANT}/oauth2/v2.0/token`)
          .type('form')
          .send({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET, ...form });
      for (const scope of ['https://vault.azure.net/.default', 'https://127.evil.example.com/.default', 'https://localhost.evil.example/.default', 'https://graph.microsoft.com/.default']) {
        const b = oauthError(await tok({ scope }), 400, 'invalid_resource');
        assert.match(b.error_description, /^AADSTS500011: The resource principal named/);
        assert.deepEqual(b.error_codes, [500011]);
      }
      oauthError(
        await anon().post(`/${TENANT}/oauth2/token`).type('form').send({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET, resource: 'https://vault.azure.net' }),
        400,
        'invalid_resource',
      );
      // what real clients ask for still works: az (management.azure.com/), SDKs ('<endpoint>/.default')
      for (const scope of ['https://management.azure.com//.default', 'https://management.core.windows.net//.default', `${emu.url}/.default`, `${emu.url}//.default`]) {
        const r = await tok({ scope });
        assert.equal(r.status, 200, `${scope}: ${r.text}`);
        assert.equal((await armGet(r.body.access_token)).status, 200, scope);
      }
    });

    it('4: a token signed by the emulator is refused for a foreign audience, an aud array, no exp, a foreign issuer or appid', async () => {
      assert.equal((await armGet(sign({}))).status, 200, 'the well-formed token passes');
      const cases: [string, Record<string, unknown>, string][] = [
        ['look-alike audience', { aud: 'https://127.evil.example.com/' }, 'InvalidAuthenticationTokenAudience'],
        ['audience array', { aud: ['https://management.azure.com/', 'https://evil.example.com/'] }, 'InvalidAuthenticationTokenAudience'],
        ['no exp', { exp: undefined }, 'InvalidAuthenticationToken'],
        ['foreign issuer', { iss: `https://sts.windows.net/${TENANT}/` }, 'InvalidAuthenticationToken'],
        ['no issuer', { iss: undefined }, 'InvalidAuthenticationToken'],
        ['unknown appid', { appid: 'ffffffff-0000-0000-0000-000000000009' }, 'InvalidAuthenticationToken'],
      ];
      for (const [what, claims, code] of cases) {
        const t = sign(claims);
        const r = await armGet(t);
        assert.equal(r.status, 401, what);
        assert.equal(r.body.error.code, code, `${what}: ${r.body.error.message}`);
      }
    });

    it('5: a repeated client_id and a Basic header that is not form-urlencoded are OAuth invalid_request, not 500', async () => {
      const r1 = await anon()
        .post(`/${TENANT}/oauth2/v2.0/token`)
        .type('form')
        .send(`grant_type=client_credentials&client_id=${CLIENT_ID}&client_id=x&client_secret=${SECRET}&scope=https%3A%2F%2Fmanagement.azure.com%2F.default`);
      oauthError(r1, 400, 'invalid_request');
      const r2 = await anon()
        .post(`/${TENANT}/oauth2/v2.0/token`)
        .type('form')
        .set('Authorization', `Basic ${Buffer.from('%zz:x').toString('base64')}`)
        .send('grant_type=client_credentials&scope=https%3A%2F%2Fmanagement.azure.com%2F.default');
      oauthError(r2, 400, 'invalid_request');
      // a secret with ':' in it survives Basic decoding
      const r3 = await anon()
        .post(`/${TENANT}/oauth2/v2.0/token`)
        .type('form')
        .set('Authorization', `Basic ${Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64')}`)
        .send('grant_type=client_credentials&scope=https%3A%2F%2Fmanagement.azure.com%2F.default');
      assert.equal(r3.status, 200);
    });

    it('9: Azure-AsyncOperation and Location are built from the public URL, never from a forged Host', async () => {
      await createGroup(emu, 'host', 'eastus');
      const r = await forgedHost(emu, 'DELETE', `${rgPath('host')}?${RV}`, { Authorization: `Bearer ${emu.token}` });
      assert.equal(r.status, 202);
      for (const h of ['azure-asyncoperation', 'location']) assert.ok(String(r.headers[h]).startsWith(`${emu.url}/`), `${h}: ${r.headers[h]}`);
      const md = await forgedHost(emu, 'GET', '/metadata/endpoints?api-version=2015-01-01');
      assert.equal(JSON.parse(md.body).resourceManagerEndpoint, `${emu.url}/`);
      await waitForOperation(emu, String(r.headers['azure-asyncoperation']));
    });
  });

  it('9: --public-url sets the absolute URLs and the token issuer', async () => {
    const emu = await startTestEmulator(['--public-url', 'https://arm.example.test:9443/'], { providers: [...allProviders(), testProvider()] });
    try {
      assert.equal(emu.config.publicUrl, 'https://arm.example.test:9443');
      await emu
        .http()
        .put(`${rgPath('p')}?${RV}`)
        .send({ location: 'eastus' });
      const put = await forgedHost(
        emu,
        'PUT',
        `${rgPath('p')}/providers/${TEST_NS}/widgets/w?${V}`,
        { Authorization: `Bearer ${emu.token}`, 'Content-Type': 'application/json' },
        JSON.stringify({ location: 'eastus', properties: { workMs: 10 } }),
      );
      assert.equal(put.status, 201, put.body);
      assert.match(String(put.headers['azure-asyncoperation']), /^https:\/\/arm\.example\.test:9443\/subscriptions\//);
      const t = await request(emu.url)
        .post(`/${TENANT}/oauth2/v2.0/token`)
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET, scope: 'https://arm.example.test:9443/.default' });
      assert.equal(t.status, 200, t.text);
      const claims = jwt.decode(t.body.access_token) as jwt.JwtPayload;
      assert.equal(claims.iss, `https://arm.example.test:9443/${TENANT}/`);
      assert.equal((await request(emu.url).get(`/subscriptions/${SUB}/resourcegroups?${RV}`).set('Authorization', `Bearer ${t.body.access_token}`)).status, 200);
    } finally {
      await emu.close();
    }
  });

  it('9: a client that sends half a body is cut off after --request-timeout, not 300 s', async function () {
    this.timeout(15_000);
    const emu = await startTestEmulator(['--request-timeout', '1']);
    try {
      const u = new URL(emu.url);
      const t0 = Date.now();
      const closed = await new Promise<string>((resolve, reject) => {
        const s = tls.connect({ host: '127.0.0.1', port: Number(u.port), servername: 'localhost', rejectUnauthorized: false }, () => {
          s.write(`PUT ${rgPath('slow')}?${RV} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${emu.token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"location":`);
        });
        let out = '';
        s.on('data', (d) => (out += d));
        s.on('close', () => resolve(out));
        s.on('error', reject);
      });
      const took = Date.now() - t0;
      assert.ok(took < 5000, `closed after ${took} ms`);
      assert.match(closed, /^HTTP\/1\.1 408|^$/);
      assert.equal((await emu.http().get(`${rgPath('slow')}?${RV}`)).status, 404, 'nothing was stored');
    } finally {
      await emu.close();
    }
  });

  describe('7: values ARM validates are refused, with the property in target', () => {
    let emu: TestEmulator;
    before(async () => {
      emu = await startAksEmulator();
      await createGroup(emu, 'v', 'eastus');
    });
    after(async () => emu.close());
    const base = () => clusterBody('eastus', { lb: 'standard' });
    const withProps = (extra: Record<string, any>) => {
      const b = base();
      b.properties = { ...b.properties, ...extra };
      return b;
    };
    const net = (n: Record<string, any>) => withProps({ networkProfile: { ...base().properties.networkProfile, ...n } });
    const pool = (p: Record<string, any>) => clusterBody('eastus', { lb: 'standard', pool: p });
    const cases: [string, any, string][] = [
      ['podCidr notcidr', net({ podCidr: 'notcidr' }), 'properties.networkProfile.podCidr'],
      ['serviceCidr /99', net({ serviceCidr: '10.0.0.0/99' }), 'properties.networkProfile.serviceCidr'],
      ['dnsServiceIP 999.1.1.1', net({ dnsServiceIP: '999.1.1.1' }), 'properties.networkProfile.dnsServiceIP'],
      ['authorizedIPRanges 999.999.999.999/99', withProps({ apiServerAccessProfile: { authorizedIPRanges: ['999.999.999.999/99'] } }), 'properties.apiServerAccessProfile.authorizedIPRanges[0]'],
      ['osDiskType Bogus', pool({ osDiskType: 'Bogus' }), 'properties.agentPoolProfiles[0].osDiskType'],
      ['scaleSetPriority Bogus', pool({ scaleSetPriority: 'Bogus' }), 'properties.agentPoolProfiles[0].scaleSetPriority'],
      ['maxPods -1', pool({ maxPods: -1 }), 'properties.agentPoolProfiles[0].maxPods'],
      ['osDiskSizeGB -1', pool({ osDiskSizeGB: -1 }), 'properties.agentPoolProfiles[0].osDiskSizeGB'],
      ['kind 1', { ...base(), kind: 1 }, 'kind'],
      ['zones "1"', { ...base(), zones: '1' }, 'zones'],
    ];
    for (const [what, body, target] of cases) {
      it(`${what} -> 400, target ${target}`, async () => {
        const r = await emu
          .http()
          .put(`${clusterPath('v', 'bad')}?api-version=${AZ_API}`)
          .send(body);
        const e = armError(r, 400);
        assert.equal(e.target, target, e.message);
        assert.equal((await emu.http().get(`${clusterPath('v', 'bad')}?api-version=${AZ_API}`)).status, 404, 'nothing stored');
      });
    }
    it('good values still pass (CIDRs, an IP and a CIDR as authorized ranges)', async () => {
      const r = await writeAndWait(
        emu,
        'put',
        `${clusterPath('v', 'good')}?api-version=${AZ_API}`,
        withProps({
          apiServerAccessProfile: { authorizedIPRanges: ['20.1.2.3', '20.1.2.0/24'] },
          networkProfile: { ...base().properties.networkProfile, podCidr: '10.244.0.0/16', dockerBridgeCidr: '172.17.0.1/16' },
        }),
      );
      assert.equal(r.res.status, 201, JSON.stringify(r.res.body));
      assert.equal(r.status.status, 'Succeeded');
    });
    it('an agent pool PUT is checked the same way', async () => {
      for (const [props, target] of [
        [{ count: 1, osDiskSizeGB: -1 }, 'properties.osDiskSizeGB'],
        [{ count: 1, vnetSubnetID: 'not-an-id' }, 'properties.vnetSubnetID'],
        [{ count: 1, scaleSetPriority: 'Bogus' }, 'properties.scaleSetPriority'],
      ] as const) {
        const r = await emu
          .http()
          .put(`${clusterPath('v', 'good')}/agentPools/p1?api-version=${AZ_API}`)
          .send({ properties: props });
        assert.equal(r.status, 400, r.text);
        assert.equal(r.body.error.target, target);
      }
      assert.equal((await emu.http().get(`${clusterPath('v', 'good')}/agentPools/p1?api-version=${AZ_API}`)).status, 404);
    });
  });

  it('6: the data directory is 0700 and its files 0600 (journal, snapshot, token key, TLS key)', async () => {
    const dir = path.join(tmpDir(), 'data');
    const emu = await startTestEmulator(['--data-dir', dir]);
    await emu
      .http()
      .put(`${rgPath('perm')}?${RV}`)
      .send({ location: 'eastus' });
    await emu.close();
    const again = await startTestEmulator(['--data-dir', dir]); // folds the journal into a snapshot
    await again
      .http()
      .put(`${rgPath('perm2')}?${RV}`)
      .send({ location: 'eastus' });
    await again.close();
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const files = readdirSync(dir);
    for (const f of ['snapshot.json', 'token-signing-key.pem']) assert.ok(files.includes(f), `${f} in ${files}`);
    assert.ok(files.some((f) => f.startsWith('journal-')));
    for (const f of files) assert.equal(statSync(path.join(dir, f)).mode & 0o777, 0o600, f);
    // a directory left 0755 / 0644 by an older version is tightened; files that are not the emulator's are left alone
    chmodSync(dir, 0o755);
    for (const f of files) chmodSync(path.join(dir, f), 0o644);
    writeFileSync(path.join(dir, 'notes.txt'), 'mine', { mode: 0o644 });
    chmodSync(path.join(dir, 'notes.txt'), 0o644);
    await (await startTestEmulator(['--data-dir', dir])).close();
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    for (const f of readdirSync(dir).filter((x) => x !== 'notes.txt')) assert.equal(statSync(path.join(dir, f)).mode & 0o777, 0o600, f);
    assert.equal(statSync(path.join(dir, 'notes.txt')).mode & 0o777, 0o644);
    const tlsDir = path.join(tmpDir(), 'tls');
    await ensureCertificate({ dataDir: tlsDir });
    assert.equal(statSync(tlsDir).mode & 0o777, 0o700);
    assert.equal(statSync(path.join(tlsDir, 'key.pem')).mode & 0o777, 0o600);
  });

  it('2: a damaged cert.pem / key.pem / token-signing key is named, with how to regenerate', async () => {
    const dir = tmpDir();
    await ensureCertificate({ dataDir: dir });
    writeFileSync(path.join(dir, 'cert.pem'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    await assert.rejects(ensureCertificate({ dataDir: dir }), (e: Error) => e.message.includes(path.join(dir, 'cert.pem')) && /delete both/.test(e.message));
    const d2 = tmpDir();
    await ensureCertificate({ dataDir: d2 });
    writeFileSync(path.join(d2, 'key.pem'), 'garbage');
    await assert.rejects(ensureCertificate({ dataDir: d2 }), (e: Error) => e.message.includes(path.join(d2, 'key.pem')));
    const d3 = tmpDir();
    mkdirSync(d3, { recursive: true });
    writeFileSync(path.join(d3, 'token-signing-key.pem'), '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n');
    assert.throws(
      () => new TokenService(parseConfig([], {}), d3),
      (e: Error) => e.message.includes(path.join(d3, 'token-signing-key.pem')) && /Delete it/.test(e.message),
    );
    assert.ok(CA_PATH);
  });
});
