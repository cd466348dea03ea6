// The token service and bearer checks, as clients and attackers see them.
import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import { startTestEmulator, CLIENT_ID, SECRET, TENANT, SUB, type TestEmulator } from '../support/emulator.js';

describe('identity: login surface and bearer tokens', () => {
  let emu: TestEmulator;
  before(async () => {
    emu = await startTestEmulator([], { env: { ARM_EMULATOR_CONFIG: '' } });
  });
  after(async () => emu.close());

  const anon = () => request(emu.url);

  it('serves cloud metadata with an ADFS login endpoint and audiences (az cloud register)', async () => {
    const r = await anon().get('//metadata/endpoints?api-version=2015-01-01');
    assert.equal(r.status, 200);
    assert.equal(r.body.authentication.loginEndpoint, `${emu.url}/adfs`);
    assert.ok(r.body.authentication.audiences[0].startsWith('https://'));
    assert.ok(r.body.graphEndpoint);
  });

  it('serves OpenID discovery under any prefix', async () => {
    for (const p of ['/adfs', '/adfs/adfs', `/${TENANT}/v2.0`, `/${TENANT}`]) {
      const r = await anon().get(`${p}/.well-known/openid-configuration`);
      assert.equal(r.status, 200, p);
      assert.ok(r.body.token_endpoint.startsWith(emu.url), p);
      assert.ok(r.body.authorization_endpoint, p);
      const keys = await anon().get(new URL(r.body.jwks_uri).pathname);
      assert.equal(keys.body.keys[0].kty, 'RSA');
    }
  });

  it('issues a verifiable JWT for the client-credentials grant on every token endpoint', async () => {
    for (const p of ['/adfs/oauth2/token', `/${TENANT}/oauth2/v2.0/token`, `/${TENANT}/oauth2/token`]) {
      const r = await anon().post(p).type('form').send({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET, scope: 'https://management.azure.com//.default' });
      assert.equal(r.status, 200, p);
      assert.equal(r.body.token_type, 'Bearer');
      assert.ok(r.body.expires_in > 0);
      // what another library checks: RS256 by the published key, with the header Entra ID's tokens carry
      const claims = jwt.verify(r.body.access_token, emu.tokens.publicKey, { algorithms: ['RS256'] }) as jwt.JwtPayload;
      const header = jwt.decode(r.body.access_token, { complete: true })!.header;
      assert.deepEqual(header, { alg: 'RS256', typ: 'JWT', kid: emu.tokens.kid, x5t: emu.tokens.kid });
      assert.equal(typeof claims.exp, 'number');
      assert.equal(claims.tid, TENANT);
      assert.equal(claims.appid, CLIENT_ID);
      const rg = await anon().get(`/subscriptions/${SUB}/resourcegroups?api-version=2021-04-01`).set('Authorization', `Bearer ${r.body.access_token}`);
      assert.equal(rg.status, 200);
    }
  });

  it('refuses a wrong secret and an unknown client with invalid_client', async () => {
    const r = await anon().post('/adfs/oauth2/token').type('form').send({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: 'nope' });
    assert.equal(r.status, 401);
    assert.equal(r.body.error, 'invalid_client');
  });

  for (const [grant, extra] of [
    ['password', { username: 'u', password: 'p' }],
    ['urn:ietf:params:oauth:grant-type:device_code', { device_code: 'x' }],
    ['authorization_code', { code: 'x' }],
  ] as const) {
    it(`refuses the ${grant} grant, saying only service principals are supported`, async () => {
      const r = await anon()
        .post(`/${TENANT}/oauth2/v2.0/token`)
        .type('form')
        .send({ grant_type: grant, client_id: CLIENT_ID, ...extra });
      assert.equal(r.status, 400);
      assert.equal(r.body.error, 'unsupported_grant_type');
      assert.match(r.body.error_description, /Only service principals are supported/);
    });
  }

  it('refuses managed identity and device-code requests with an OAuth error', async () => {
    const mi = await anon().get('/metadata/identity/oauth2/token?resource=https://management.azure.com/');
    assert.equal(mi.status, 400);
    assert.match(mi.body.error_description, /Managed identity is not supported/);
    const dc = await anon().post(`/${TENANT}/oauth2/v2.0/devicecode`).type('form').send({ client_id: CLIENT_ID });
    assert.equal(dc.status, 400);
    assert.match(dc.body.error_description, /service principals/);
  });

  describe('ARM bearer checks: each failure has its own 401 code and a WWW-Authenticate challenge', () => {
    const url = `/subscriptions/${SUB}/resourcegroups?api-version=2021-04-01`;
    const signWith = (key: string, claims: Record<string, unknown>, opts: jwt.SignOptions = {}) =>
      jwt.sign({ aud: 'https://management.azure.com/', tid: TENANT, appid: CLIENT_ID, oid: 'x', ...claims }, key, { algorithm: 'RS256', ...opts });
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    // claims the emulator would accept, but for the signature
    const validClaims = () => {
      const issued = emu.tokens.issueFor(CLIENT_ID, 'https://management.azure.com/').access_token;
      return JSON.parse(Buffer.from(issued.split('.')[1], 'base64url').toString());
    };
    const unsigned = (header: Record<string, unknown>) => `${b64(header)}.${b64(validClaims())}`;
    const hs256WithPublicKey = () => {
      const input = unsigned({ alg: 'HS256', typ: 'JWT' });
      return `${input}.${createHmac('sha256', emu.tokens.publicKey).update(input).digest('base64url')}`;
    };
    const cases: [string, () => string | undefined, string][] = [
      ['missing', () => undefined, 'AuthenticationFailed'],
      ['not a Bearer header', () => 'Basic abc', 'AuthenticationFailedInvalidHeader'],
      ['malformed', () => 'Bearer not.a.jwt', 'InvalidAuthenticationToken'],
      [
        'forged (signed by another key)',
        () => `Bearer ${signWith(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), {})}`,
        'InvalidAuthenticationTokenSignature',
      ],
      ['expired', () => `Bearer ${signWith((emu.tokens as any).privateKey, { exp: Math.floor(Date.now() / 1000) - 3600 })}`, 'ExpiredAuthenticationToken'],
      ['for the wrong tenant', () => `Bearer ${signWith((emu.tokens as any).privateKey, { tid: 'dddddddd-0000-0000-0000-000000000009' })}`, 'InvalidAuthenticationTokenTenant'],
      ['for the wrong audience', () => `Bearer ${signWith((emu.tokens as any).privateKey, { aud: 'https://vault.azure.net' })}`, 'InvalidAuthenticationTokenAudience'],
      ['not valid yet (nbf an hour ahead)', () => `Bearer ${signWith((emu.tokens as any).privateKey, { nbf: Math.floor(Date.now() / 1000) + 3600 })}`, 'InvalidAuthenticationToken'],
      ['unsigned (alg none)', () => `Bearer ${unsigned({ alg: 'none', typ: 'JWT' })}.`, 'InvalidAuthenticationTokenSignature'],
      ['HS256 keyed with the public key (algorithm confusion)', () => `Bearer ${hs256WithPublicKey()}`, 'InvalidAuthenticationTokenSignature'],
      [
        'claims changed after signing',
        () => {
          const [h, , sig] = emu.tokens.issueFor(CLIENT_ID, 'https://management.azure.com/').access_token.split('.');
          return `Bearer ${h}.${b64({ ...validClaims(), appid: 'someone-else' })}.${sig}`;
        },
        'InvalidAuthenticationTokenSignature',
      ],
      ['a signature of the wrong length', () => `Bearer ${unsigned({ alg: 'RS256', typ: 'JWT' })}.c2ln`, 'InvalidAuthenticationTokenSignature'],
      ['a payload that is not JSON', () => `Bearer ${b64({ alg: 'RS256', typ: 'JWT' })}.${Buffer.from('not json').toString('base64url')}.c2ln`, 'InvalidAuthenticationToken'],
    ];
    for (const [what, header, code] of cases) {
      it(`${what} -> 401 ${code}`, async () => {
        let req = anon().get(url);
        const h = header();
        if (h) req = req.set('Authorization', h);
        const r = await req;
        assert.equal(r.status, 401);
        assert.equal(r.body.error.code, code);
        assert.ok(r.body.error.message.length > 10);
        assert.match(r.headers['www-authenticate'], /^Bearer authorization_uri="https:\/\/localhost:\d+\/adfs"/);
      });
    }
  });

  it('--no-auth relaxes the bearer check', async () => {
    const open = await startTestEmulator(['--no-auth']);
    try {
      const r = await request(open.url).get(`/subscriptions/${SUB}/resourcegroups?api-version=2021-04-01`);
      assert.equal(r.status, 200);
    } finally {
      await open.close();
    }
  });
});
