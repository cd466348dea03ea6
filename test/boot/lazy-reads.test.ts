// What a first session does not make the emulator read (idle memory): a GET of a hand-built type at one of its
// own api-versions leaves the catalogue unread, while a write, a catalogue type and the providers list still
// prepare it first; the token form is read without body-parser when it is plain UTF-8, with every answer a
// client relies on kept (a repeated field, an oversized form, another charset, a compressed body).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { gzipSync } from 'node:zlib';
import { CA_PATH, CLIENT_ID, SECRET, SUB, TENANT, startTestEmulator, type TestEmulator } from '../support/emulator.js';

describe('boot: what a first session reads', () => {
  let emu: TestEmulator;
  const prepared: string[] = [];
  before(async () => {
    emu = await startTestEmulator();
    const source = emu.services.registry.catalogue()!;
    const prepare = source.prepare!.bind(source);
    source.prepare = (ns: string) => {
      prepared.push(ns);
      return prepare(ns);
    };
  });
  after(() => emu.close());

  it('a GET of a hand-built type at its own api-version does not prepare the catalogue; a write, a catalogue type and the providers list do', async () => {
    const http = () => emu.http().set('authorization', `Bearer ${emu.token}`);
    const rg = `/subscriptions/${SUB}/resourcegroups/lazy`;
    prepared.length = 0;
    assert.equal((await http().get(`${rg}?api-version=2021-04-01`)).status, 404);
    assert.equal((await http().get(`/subscriptions/${SUB}/resourcegroups?api-version=2021-04-01`)).status, 200);
    assert.deepEqual(prepared, [], 'reads of hand-built types');
    assert.equal((await http().put(`${rg}?api-version=2021-04-01`).send({ location: 'eastus' })).status, 201);
    assert.ok(prepared.length >= 1, 'the write prepares it');
    prepared.length = 0;
    assert.equal((await http().get(`/subscriptions/${SUB}/providers?api-version=2021-04-01`)).status, 200);
    assert.ok(prepared.length >= 1, 'the providers list prepares it');
    prepared.length = 0;
    const web = await http().get(`${rg}/providers/Microsoft.Web/sites/none?api-version=2022-03-01`);
    assert.equal(web.status, 404, web.text);
    assert.deepEqual(prepared, ['Microsoft.Web'], 'a catalogue type prepares its namespace');
  });

  describe('the token form', () => {
    const path = `/${TENANT}/oauth2/v2.0/token`;
    const form = `grant_type=client_credentials&client_id=${CLIENT_ID}&client_secret=${encodeURIComponent(SECRET).replace(/-/g, '%2D')}&scope=https%3A%2F%2Fmanagement.azure.com%2F.default`;

    it('plain UTF-8 (percent-escapes decoded): a token', async () => {
      const r = await emu.http().post(path).set('content-type', 'application/x-www-form-urlencoded; charset=UTF-8').send(form);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.token_type, 'Bearer');
    });

    it('a field sent twice: 400 invalid_request naming it', async () => {
      const r = await emu.http().post(path).set('content-type', 'application/x-www-form-urlencoded').send(`${form}&client_id=${CLIENT_ID}`);
      assert.equal(r.status, 400);
      assert.equal(r.body.error, 'invalid_request');
      assert.match(r.body.error_description, /'client_id' must appear once/);
    });

    it('over 64 KB: 413 invalid_request, declared or not', async () => {
      const big = `${form}&x=${'a'.repeat(70 * 1024)}`;
      const r = await emu.http().post(path).set('content-type', 'application/x-www-form-urlencoded').send(big);
      assert.equal(r.status, 413);
      assert.equal(r.body.error, 'invalid_request');
    });

    it('another charset or a compressed body still goes through body-parser: a token', async () => {
      const latin1 = await emu.http().post(path).set('content-type', 'application/x-www-form-urlencoded; charset=ISO-8859-1').send(form);
      assert.equal(latin1.status, 200, latin1.text);
      // (raw: supertest does not send a Buffer as it is)
      const gz = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = https.request(
          `${emu.url}${path}`,
          { method: 'POST', ca: readFileSync(CA_PATH), headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'gzip' } },
          (res) => {
            let text = '';
            res.on('data', (d) => (text += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on('error', reject);
        req.end(gzipSync(form));
      });
      assert.equal(gz.status, 200, gz.text);
      assert.equal(JSON.parse(gz.text).token_type, 'Bearer');
    });
  });
});
