// The token-signing key of a fresh data directory (RSA-2048: 50 - 400 ms of CPU) is made when something first
// looks at `tokens.ready`, not when the TokenService is built: the command line looks once its banner is out, so
// a fresh start's CPU to ready does not carry it, and a token asked for before it exists waits for it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { parseConfig } from '../../src/config/config.js';
import { TokenService } from '../../src/identity/tokens.js';
import { CLIENT_ID, SECRET, TENANT, tmpDir } from '../support/emulator.js';
import { startEmulatorProcess } from '../support/process.js';
import { waitUntil } from '../support/wait.js';

describe('boot: the token-signing key of a fresh data directory', () => {
  it('is made by the first look at tokens.ready (once), kept in the data directory, and read back by the next start', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'token-signing-key.pem');
    const tokens = new TokenService(parseConfig([], {}), dir);
    assert.equal(existsSync(file), false, 'nothing made at construction');
    assert.throws(() => tokens.kid, /not ready yet/);
    const first = tokens.ready;
    assert.equal(tokens.ready, first, 'one generation, however often it is looked at');
    await first;
    assert.match(readFileSync(file, 'utf8'), /BEGIN PRIVATE KEY/);
    const again = new TokenService(parseConfig([], {}), dir);
    assert.equal(again.kid, tokens.kid, 'the next start reads the same key at once');
    const issued = tokens.issueFor(CLIENT_ID, 'https://management.azure.com/');
    assert.ok(issued.access_token);
  });

  it('the command line makes it after its banner without being asked, and a token request right after the banner gets a token', async () => {
    const dir = tmpDir();
    const { child, url } = await startEmulatorProcess(dir, ['--port', '0', '--time-scale', '0'], { token: false });
    try {
      // no request yet: the key appears on its own
      await waitUntil(() => existsSync(path.join(dir, 'token-signing-key.pem')), { what: 'the signing key file' });
      const t = await request(url)
        .post(`/${TENANT}/oauth2/v2.0/token`)
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET, scope: 'https://management.azure.com/.default' });
      assert.equal(t.status, 200, t.text);
      const keys = await request(url).get(`/${TENANT}/discovery/v2.0/keys`);
      assert.equal(keys.status, 200, keys.text);
      const kid = JSON.parse(Buffer.from(t.body.access_token.split('.')[0], 'base64url').toString()).kid;
      assert.ok(
        keys.body.keys.some((k: { kid: string }) => k.kid === kid),
        'the token is signed by the published key',
      );
    } finally {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
  });
});
