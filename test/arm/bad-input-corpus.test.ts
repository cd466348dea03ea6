// Bad-input suite (issue 11): a corpus of malformed and hostile requests, generated from the schemas where it can
// be, sent to one emulator. For every request: no 5xx; every error is an ARM envelope (an OAuth error on the token
// endpoints); after each batch the server is healthy; a refused request stores nothing (no resource, no operation).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import https from 'node:https';
import { startTestEmulator, rgPath, SUB, TENANT, CLIENT_ID, SECRET, type TestEmulator } from '../support/emulator.js';
import { testProvider, TEST_NS } from '../support/test-provider.js';
import { allProviders } from '../../src/providers/index.js';
import { SCHEMAS_DIR } from '../../src/framework/schema.js';
import { clusterBody } from '../containerservice/helpers.js';

type Kind = 'arm' | 'oauth' | 'admin';
interface Case {
  what: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  kind: Kind;
  /** Must be refused (4xx); otherwise any non-5xx answer is fine. */
  refuse?: boolean;
  /** Path that must still be 404 afterwards (nothing stored). */
  absent?: string;
}

const RV = 'api-version=2021-04-01';
const CS = 'api-version=2022-11-01';
const WV = 'api-version=2024-01-01';
const NS_CS = 'Microsoft.ContainerService';

/** Raw HTTPS so that malformed paths, headers and bodies reach the server exactly as written. */
function send(emu: TestEmulator, c: Case, auth = true): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  const u = new URL(emu.url);
  const headers: Record<string, string | number> = { ...(auth && c.kind !== 'oauth' && !c.headers?.Authorization ? { Authorization: `Bearer ${emu.token}` } : {}), ...(c.headers ?? {}) };
  if (c.body !== undefined && headers['Content-Type'] === undefined) headers['Content-Type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port: Number(u.port), servername: 'localhost', method: c.method, path: c.path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(c.body);
  });
}

// ---- generation from the JSON Schemas --------------------------------------------------------------------

interface Leaf {
  path: string[];
  schema: any;
}
function leaves(schema: any, at: string[] = []): Leaf[] {
  const out: Leaf[] = [];
  if (!schema || typeof schema !== 'object') return out;
  if (at.length) out.push({ path: at, schema });
  for (const [k, v] of Object.entries<any>(schema.properties ?? {})) out.push(...leaves(v, [...at, k]));
  if (schema.items && typeof schema.items === 'object') out.push(...leaves(schema.items, [...at, '0']).filter((l) => l.path.length > at.length + 1 || true));
  return out;
}
const typesOf = (s: any): string[] => (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []);
/** Values the leaf's schema refuses: wrong types, enum misses, format misses, out-of-range numbers. */
function badValues(s: any): unknown[] {
  const t = typesOf(s);
  const out: unknown[] = [];
  if (t.length) {
    if (!t.includes('string')) out.push('not-a-' + t[0]);
    if (!t.includes('integer') && !t.includes('number')) out.push(12345);
    if (!t.includes('object')) out.push({ nested: { deeper: true } });
    if (!t.includes('array')) out.push([1, 'two']);
    if (!t.includes('boolean')) out.push(true);
    if (t.includes('integer')) out.push(1.5);
  }
  if (Array.isArray(s.enum)) out.push('Bogus', 'MANAGED-ish');
  if (s.format) out.push('not-valid-for-' + s.format, '999.999.999.999/99', '');
  if (typeof s.minimum === 'number') out.push(s.minimum - 1, -2147483649);
  if (typeof s.maximum === 'number') out.push(s.maximum + 1, 1e12);
  if (typeof s.minLength === 'number' && s.minLength > 0) out.push('');
  if (typeof s.maxLength === 'number') out.push('x'.repeat(s.maxLength + 1));
  return out;
}
function setDeep(body: any, p: string[], v: unknown): any {
  const copy = JSON.parse(JSON.stringify(body));
  let o = copy;
  for (let i = 0; i < p.length - 1; i++) {
    const k = p[i];
    if (o[k] === undefined || o[k] === null || typeof o[k] !== 'object') o[k] = /^\d+$/.test(p[i + 1]) ? [] : {};
    o = o[k];
  }
  o[p[p.length - 1]] = v;
  return copy;
}

function schemaCases(): Case[] {
  const bases: { file: string; path: (n: string) => string; body: () => any; skip?: RegExp }[] = [
    { file: 'Microsoft.Resources/resourceGroup.json', path: (n) => `${rgPath(n)}?${RV}`, body: () => ({ location: 'eastus' }), skip: /^(id|name|type|managedBy|properties)$/ },
    { file: 'Microsoft.ContainerService/managedCluster.json', path: (n) => `${rgPath('corpus')}/providers/${NS_CS}/managedClusters/${n}?${CS}`, body: () => clusterBody('eastus', { lb: 'standard' }) },
    { file: 'Microsoft.ContainerService/agentPool.json', path: (n) => `${rgPath('corpus')}/providers/${NS_CS}/managedClusters/base/agentPools/${n}?${CS}`, body: () => ({ properties: { count: 1, vmSize: 'Standard_DS2_v2', mode: 'User' } }) },
    { file: 'Microsoft.Test/widget.json', path: (n) => `${rgPath('corpus')}/providers/${TEST_NS}/widgets/${n}?${WV}`, body: () => ({ location: 'eastus' }) },
  ];
  // every schema in schemas/ is covered
  const all = readdirSync(SCHEMAS_DIR, { recursive: true }).map(String).filter((f) => f.endsWith('.json')).sort();
  assert.deepEqual(all, bases.map((b) => b.file).sort(), 'a new schema needs a base body in the bad-input corpus');
  const out: Case[] = [];
  let n = 0;
  for (const b of bases) {
    const schema = JSON.parse(readFileSync(path.join(SCHEMAS_DIR, b.file), 'utf8'));
    for (const leaf of leaves(schema)) {
      if (b.skip?.test(leaf.path.join('.'))) continue;
      for (const v of badValues(leaf.schema)) {
        const name = b.file.includes('resourceGroup') ? `corpus-rg-${n++}` : `c${n++}`;
        out.push({ what: `${b.file} ${leaf.path.join('.')} = ${JSON.stringify(v).slice(0, 40)}`, method: 'PUT', path: b.path(name), body: JSON.stringify(setDeep(b.body(), leaf.path, v)), kind: 'arm', refuse: true, absent: b.path(name) });
      }
    }
    // whole-body shapes
    for (const body of ['[]', '"text"', '42', 'null', 'true', '{}', '{"location":null}', '{"location":""}', '{"__proto__":{"polluted":1},"location":"eastus"}', '{"constructor":{"prototype":{"polluted":1}},"location":1}']) {
      const name = b.file.includes('resourceGroup') ? `corpus-rg-${n++}` : `c${n++}`;
      // not an object: always refused; an object without what the schema requires: refused when it requires something
      const notObject = !body.startsWith('{') && body !== 'null';
      const refuse = notObject || (Array.isArray(schema.required) && schema.required.length > 0 && !/"location":"eastus"/.test(body));
      out.push({ what: `${b.file} body ${body}`, method: 'PUT', path: b.path(name), body, kind: 'arm', refuse, absent: refuse ? b.path(name) : undefined });
    }
  }
  return out;
}

// ---- hand-written hostile requests ------------------------------------------------------------------------

function hostileArm(): Case[] {
  const W = `${rgPath('corpus')}/providers/${TEST_NS}/widgets`;
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  const cases: Case[] = [
    ...['{', '{"location":', '{"location":"eastus",}', "{'location':'eastus'}", '\u0000\u0001', '{"a":1}{"b":2}', 'NaN', '{"location":"eastus"', deep].map((body, i) => ({ what: `malformed JSON #${i}`, method: 'PUT', path: `${W}/mal${i}?${WV}`, body, kind: 'arm' as Kind, refuse: true, absent: `${W}/mal${i}?${WV}` })),
    { what: 'invalid UTF-8', method: 'PUT', path: `${W}/utf?${WV}`, body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), kind: 'arm', refuse: true, absent: `${W}/utf?${WV}` },
    { what: 'text/plain body', method: 'PUT', path: `${W}/tp?${WV}`, body: 'location=eastus', headers: { 'Content-Type': 'text/plain' }, kind: 'arm', refuse: true, absent: `${W}/tp?${WV}` },
    { what: 'body over 4 MB', method: 'PUT', path: `${W}/big?${WV}`, body: JSON.stringify({ location: 'eastus', tags: { a: 'x'.repeat(4 * 1024 * 1024) } }), kind: 'arm', refuse: true, absent: `${W}/big?${WV}` },
    { what: 'name 10k chars', method: 'PUT', path: `${W}/${'a'.repeat(10_000)}?${WV}`, body: '{"location":"eastus"}', kind: 'arm', refuse: true },
    { what: 'name with unicode', method: 'PUT', path: `${W}/${encodeURIComponent('wïdget☃')}?${WV}`, body: '{"location":"eastus"}', kind: 'arm', refuse: true },
    { what: 'bad percent-encoding in a name', method: 'PUT', path: `${W}/%zz?${WV}`, body: '{"location":"eastus"}', kind: 'arm', refuse: true },
    { what: 'bad percent-encoding in a group', method: 'PUT', path: `/subscriptions/${SUB}/resourceGroups/%E0%A4%A?${RV}`, body: '{"location":"eastus"}', kind: 'arm', refuse: true },
    { what: 'encoded slash in a name', method: 'PUT', path: `${W}/a%2Fb?${WV}`, body: '{"location":"eastus"}', kind: 'arm', refuse: true },
    { what: 'dot segments', method: 'GET', path: `/subscriptions/${SUB}/resourceGroups/../../../etc/passwd?${RV}`, kind: 'arm' },
    { what: 'NUL in path', method: 'GET', path: `/subscriptions/${SUB}/resourceGroups/a%00b?${RV}`, kind: 'arm' },
    { what: 'unknown subscription', method: 'PUT', path: `/subscriptions/00000000-0000-0000-0000-00000000dead/resourceGroups/x?${RV}`, body: '{"location":"eastus"}', kind: 'arm', refuse: true },
    { what: 'api-version repeated', method: 'GET', path: `${rgPath('corpus')}?api-version=2021-04-01&api-version=bogus`, kind: 'arm' },
    { what: 'api-version garbage', method: 'GET', path: `${rgPath('corpus')}?api-version=%27%22%3E%3Cscript%3E`, kind: 'arm', refuse: true },
    { what: '$filter unbalanced', method: 'GET', path: `/subscriptions/${SUB}/resources?${RV}&$filter=(((`, kind: 'arm' },
    { what: '$filter injection', method: 'GET', path: `/subscriptions/${SUB}/resources?${RV}&$filter=${encodeURIComponent("name eq 'a' or 1 eq 1) --")}`, kind: 'arm' },
    { what: '$top negative', method: 'GET', path: `/subscriptions/${SUB}/resources?${RV}&$top=-1`, kind: 'arm', refuse: true },
    { what: '$top huge', method: 'GET', path: `/subscriptions/${SUB}/resources?${RV}&$top=99999999999999999999`, kind: 'arm' },
    { what: '$skipToken garbage', method: 'GET', path: `/subscriptions/${SUB}/resourcegroups?${RV}&$skipToken=%00%ff`, kind: 'arm' },
    { what: 'TRACE', method: 'TRACE', path: `${rgPath('corpus')}?${RV}`, kind: 'arm' },
    { what: 'OPTIONS', method: 'OPTIONS', path: `${rgPath('corpus')}?${RV}`, kind: 'arm' },
    { what: 'If-Match garbage', method: 'PUT', path: `${W}/ifm?${WV}`, body: '{"location":"eastus"}', headers: { 'If-Match': '"nope", W/"x", *,,' }, kind: 'arm', refuse: true, absent: `${W}/ifm?${WV}` },
    { what: 'POST unknown action', method: 'POST', path: `${rgPath('corpus')}/providers/${NS_CS}/managedClusters/base/explode?${CS}`, body: '{}', kind: 'arm', refuse: true },
    { what: 'action with a non-object body', method: 'POST', path: `${rgPath('corpus')}/providers/${NS_CS}/managedClusters/base/resetServicePrincipalProfile?${CS}`, body: '[1,2]', kind: 'arm', refuse: true },
    { what: 'operation status of an unknown id', method: 'GET', path: `/subscriptions/${SUB}/providers/${NS_CS}/locations/eastus/operationStatuses/%27%3Bdrop?${CS}`, kind: 'arm', refuse: true },
    { what: 'no Authorization', method: 'GET', path: `${rgPath('corpus')}?${RV}`, headers: { Authorization: '' }, kind: 'arm', refuse: true },
    { what: 'Bearer of garbage', method: 'GET', path: `${rgPath('corpus')}?${RV}`, headers: { Authorization: 'Bearer ' + 'A'.repeat(8000) }, kind: 'arm', refuse: true },
    { what: 'Bearer alg none', method: 'GET', path: `${rgPath('corpus')}?${RV}`, headers: { Authorization: `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(`{"aud":"https://management.azure.com/","tid":"${TENANT}","appid":"${CLIENT_ID}","exp":9999999999}`).toString('base64url')}.` }, kind: 'arm', refuse: true },
    { what: 'Bearer HS256 with the public key', method: 'GET', path: `${rgPath('corpus')}?${RV}`, headers: { Authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQuYXp1cmUuY29tLyJ9.c2ln' }, kind: 'arm', refuse: true },
  ];
  return cases;
}

function hostileOauth(): Case[] {
  const T = `/${TENANT}/oauth2/v2.0/token`;
  const form = (s: string, headers: Record<string, string> = {}): Partial<Case> => ({ body: s, headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers } });
  const ok = `client_id=${CLIENT_ID}&client_secret=${SECRET}`;
  const scope = 'scope=https%3A%2F%2Fmanagement.azure.com%2F.default';
  const list: [string, string, Partial<Case>][] = [
    ['empty body', T, form('')],
    ['no grant_type', T, form(`${ok}&${scope}`)],
    ['password grant', T, form(`grant_type=password&username=a&password=b&${ok}&${scope}`)],
    ['repeated client_id', T, form(`grant_type=client_credentials&${ok}&client_id=x&${scope}`)],
    ['repeated grant_type', T, form(`grant_type=client_credentials&grant_type=password&${ok}&${scope}`)],
    ['repeated scope', T, form(`grant_type=client_credentials&${ok}&${scope}&${scope}`)],
    ['client_id[] bracket', T, form(`grant_type=client_credentials&client_id[]=a&client_secret=b&${scope}`)],
    ['Basic %zz', T, form(`grant_type=client_credentials&${scope}`, { Authorization: `Basic ${Buffer.from('%zz:x').toString('base64')}` })],
    ['Basic not base64', T, form(`grant_type=client_credentials&${scope}`, { Authorization: 'Basic !!!' })],
    ['Basic without colon', T, form(`grant_type=client_credentials&${scope}`, { Authorization: `Basic ${Buffer.from('abc').toString('base64')}` })],
    ['wrong secret', T, form(`grant_type=client_credentials&client_id=${CLIENT_ID}&client_secret=nope&${scope}`)],
    ['unknown resource scope', T, form(`grant_type=client_credentials&${ok}&scope=https%3A%2F%2Fvault.azure.net%2F.default`)],
    ['look-alike resource', T, form(`grant_type=client_credentials&${ok}&scope=https%3A%2F%2F127.evil.example.com%2F.default`)],
    ['v1 unknown resource', `/${TENANT}/oauth2/token`, form(`grant_type=client_credentials&${ok}&resource=https%3A%2F%2Fgraph.windows.net%2F`)],
    ['unknown tenant', '/dddddddd-0000-0000-0000-00000000dead/oauth2/v2.0/token', form(`grant_type=client_credentials&${ok}&${scope}`)],
    ['tenant with %zz', '/%zz/oauth2/v2.0/token', form(`grant_type=client_credentials&${ok}&${scope}`)],
    ['JSON instead of a form', T, { body: JSON.stringify({ grant_type: 'client_credentials', client_id: CLIENT_ID }), headers: { 'Content-Type': 'application/json' } }],
    ['form over 64 kB', T, form(`grant_type=client_credentials&${ok}&pad=${'x'.repeat(70_000)}`)],
    ['bad percent-encoding in the form', T, form(`grant_type=client_credentials&client_id=%zz&client_secret=%E0%A4%A&${scope}`)],
    ['client assertion', T, form(`grant_type=client_credentials&client_id=${CLIENT_ID}&client_assertion_type=x&client_assertion=y&${scope}`)],
    ['device code', `/${TENANT}/oauth2/v2.0/devicecode`, form(`client_id=${CLIENT_ID}&${scope}`)],
    ['ADFS endpoint, nothing', '/adfs/oauth2/token', form('')],
  ];
  return list.map(([what, p, extra]) => ({ what: `token: ${what}`, method: 'POST', path: p, kind: 'oauth' as Kind, refuse: true, ...extra }));
}

function hostileAdmin(): Case[] {
  const json = (body: string): Partial<Case> => ({ body, headers: { 'Content-Type': 'application/json' } });
  const list: [string, string, string, Partial<Case>, boolean][] = [
    ['gates not JSON', 'PUT', '/_emulator/operations/gates', json('{oops'), true],
    ['gates wrong shape', 'PUT', '/_emulator/operations/gates', json('{"rules":"all"}'), true],
    ['gates rule null', 'PUT', '/_emulator/operations/gates', json('{"rules":[null]}'), true],
    ['gate mode unknown', 'POST', '/_emulator/operations/gates', json('{"typeKey":"*","gate":{"mode":"never"}}'), true],
    ['gate polls negative', 'PUT', '/_emulator/operations/gates', json('{"rules":[{"gate":{"mode":"polls","polls":-1}}]}'), true],
    ['gate seconds NaN-ish', 'PUT', '/_emulator/operations/gates', json('{"rules":[{"gate":{"mode":"time","seconds":"1e999"}}]}'), true],
    ['time-scale string', 'PUT', '/_emulator/operations/time-scale', json('{"timeScale":"fast"}'), true],
    ['time-scale negative', 'PUT', '/_emulator/operations/time-scale', json('{"timeScale":-5}'), true],
    ['time-scale body over 1 MB', 'PUT', '/_emulator/operations/time-scale', json(`{"timeScale":1,"pad":"${'x'.repeat(1024 * 1024 + 1)}"}`), true],
    ['unknown site', 'POST', '/_emulator/fabric/sites/%3Cscript%3E/disconnect', {}, true],
    ['bad percent-encoding in a site', 'POST', '/_emulator/fabric/sites/%zz/disconnect', {}, true],
    ['unknown host', 'POST', '/_emulator/fabric/sites/local/hosts/..%2F..%2Fetc/fail', {}, true],
    ['cancel an unknown operation', 'POST', '/_emulator/operations/nope/cancel', {}, true],
    ['unknown operation', 'GET', '/_emulator/operations/%00', {}, true],
    ['owners without id', 'GET', '/_emulator/fabric/owners', {}, true],
    ['foreign Origin', 'POST', '/_emulator/fabric/sites/local/disconnect', { headers: { Origin: 'https://evil.example.com' } }, true],
    ['simple POST from a page (text/plain, no token)', 'PUT', '/_emulator/operations/time-scale', { body: '{"timeScale":9}', headers: { 'Content-Type': 'text/plain', Authorization: '' } }, true],
    ['fabric kind filter garbage', 'GET', '/_emulator/fabric?kind=%27%3B&site[]=x', {}, false],
  ];
  return list.map(([what, method, p, extra, refuse]) => ({ what: `admin: ${what}`, method, path: p, kind: 'admin' as Kind, refuse, ...extra }));
}

describe('bad-input corpus (issue 11): no 5xx, always an envelope, healthy after each batch, nothing stored', function () {
  this.timeout(120_000);
  let emu: TestEmulator;
  const stats = { requests: 0, batches: 0 };

  before(async () => {
    emu = await startTestEmulator([], {
      providers: [...allProviders(), testProvider()],
    });
    assert.equal((await emu.http().put(`${rgPath('corpus')}?${RV}`).send({ location: 'eastus' })).status, 201);
    const base = await emu.http().put(`${rgPath('corpus')}/providers/${NS_CS}/managedClusters/base?${CS}`).send(clusterBody('eastus', { lb: 'standard' }));
    assert.equal(base.status, 201, base.text);
    for (let i = 0; i < 200 && (await emu.http().get(`${rgPath('corpus')}/providers/${NS_CS}/managedClusters/base?${CS}`)).body.properties.provisioningState !== 'Succeeded'; i++) await new Promise((r) => setTimeout(r, 20));
  });
  after(async () => {
    console.log(`      (${stats.requests} bad requests in ${stats.batches} batches)`);
    await emu.close();
  });

  async function runBatch(cases: Case[]): Promise<void> {
    const resourcesBefore = emu.services.store.size('resources');
    const opsBefore = emu.services.asyncOperations.list().length;
    const gatesBefore = JSON.stringify(emu.services.asyncOperations.getGateRules());
    const failures: string[] = [];
    for (const c of cases) {
      let r;
      try {
        r = await send(emu, c);
      } catch (e) {
        failures.push(`${c.what}: connection error ${(e as Error).message}`);
        continue;
      }
      stats.requests++;
      const where = `${c.what} (${c.method} ${c.path.slice(0, 120)}) -> ${r.status} ${r.text.slice(0, 200)}`;
      if (r.status >= 500) failures.push(`5xx: ${where}`);
      if (c.refuse && r.status < 400) failures.push(`not refused: ${where}`);
      if (r.status >= 400 && c.method !== 'HEAD') {
        let body: any;
        try {
          body = JSON.parse(r.text);
        } catch {
          failures.push(`not JSON: ${where}`);
          continue;
        }
        if (c.kind === 'oauth') {
          if (typeof body.error !== 'string' || typeof body.error_description !== 'string') failures.push(`not an OAuth error: ${where}`);
        } else if (typeof body.error?.code !== 'string' || typeof body.error?.message !== 'string') failures.push(`not an ARM envelope: ${where}`);
      }
      if (c.absent && r.status >= 400) {
        const g = await send(emu, { what: 'check', method: 'GET', path: c.absent, kind: 'arm' });
        if (g.status !== 404) failures.push(`stored by a refused request: ${where} -> GET ${g.status}`);
      }
    }
    stats.batches++;
    const health = await send(emu, { what: 'health', method: 'GET', path: '/_emulator/health', kind: 'admin' });
    assert.equal(health.status, 200, 'healthy after the batch');
    assert.equal((await emu.http().get(`${rgPath('corpus')}?${RV}`)).status, 200, 'serving ARM after the batch');
    assert.deepEqual(failures, []);
    const refusedOnly = cases.every((c) => c.refuse);
    if (refusedOnly) {
      assert.equal(emu.services.store.size('resources'), resourcesBefore, 'no resource stored by refused requests');
      assert.equal(emu.services.asyncOperations.list().length, opsBefore, 'no operation started by refused requests');
    }
    assert.equal(JSON.stringify(emu.services.asyncOperations.getGateRules()), gatesBefore, 'admin state unchanged');
    assert.equal(emu.services.config.timeScale, 0);
  }

  it('schema-generated bodies for every schema in schemas/ (wrong types, enums, formats, ranges)', async () => {
    const cases = schemaCases();
    assert.ok(cases.length > 300, `${cases.length} cases`);
    const refused = cases.filter((c) => c.refuse);
    for (let i = 0; i < refused.length; i += 100) await runBatch(refused.slice(i, i + 100));
    await runBatch(cases.filter((c) => !c.refuse)); // shapes a type may accept (an agent pool needs nothing): no 5xx
  });

  it('hostile ARM requests: malformed JSON, encodings, names, paths, queries, verbs, tokens', async () => {
    await runBatch(hostileArm());
  });

  it('hostile token requests get OAuth errors', async () => {
    await runBatch(hostileOauth());
  });

  it('hostile admin requests get ARM envelopes and change nothing', async () => {
    await runBatch(hostileAdmin());
    assert.deepEqual(JSON.parse((await send(emu, { what: 'h', method: 'GET', path: '/_emulator/health', kind: 'admin' })).text).disconnectedSites, []);
  });
});
