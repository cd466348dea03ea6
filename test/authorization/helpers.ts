// Shared by the RBAC tests: principals created through the emulator's Microsoft Graph surface.
import assert from 'node:assert/strict';
import request from 'supertest';
import { TENANT, CLIENT_ID, SECRET, withAgent, type TestEmulator } from '../support/emulator.js';

/** A token for the emulator's Graph resource, for the well-known (administrator) service principal. */
export function graphToken(emu: TestEmulator): string {
  return emu.tokens.issue({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET, scope: `${emu.url}/graph/.default` }, TENANT, emu.url).access_token;
}

/** Creates application + password + service principal through Graph; returns a token-bearing agent. */
export async function newPrincipal(emu: TestEmulator, name: string): Promise<{ appId: string; oid: string; secret: string; http: () => request.Agent }> {
  const token = graphToken(emu);
  const g = () => withAgent(request.agent(emu.url), emu.agent).set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/json');
  const app = await g().post('/graph/v1.0/applications').send({ displayName: name });
  assert.equal(app.status, 201, JSON.stringify(app.body));
  const pw = await g()
    .post(`/graph/v1.0/applications/${app.body.id}/addPassword`)
    .send({ passwordCredential: { displayName: 'rbac' } });
  assert.equal(pw.status, 200, JSON.stringify(pw.body));
  const sp = await g().post('/graph/v1.0/servicePrincipals').send({ appId: app.body.appId });
  assert.equal(sp.status, 201, JSON.stringify(sp.body));
  const tok = await request(emu.url)
    .post(`/${TENANT}/oauth2/v2.0/token`)
    .type('form')
    .send({ grant_type: 'client_credentials', client_id: app.body.appId, client_secret: pw.body.secretText, scope: 'https://management.azure.com/.default' });
  assert.equal(tok.status, 200, JSON.stringify(tok.body));
  const armToken = tok.body.access_token;
  return { appId: app.body.appId, oid: sp.body.id, secret: pw.body.secretText, http: () => withAgent(request.agent(emu.url), emu.agent).set('Authorization', `Bearer ${armToken}`) };
}
