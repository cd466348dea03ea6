// The emulator's own ARM surface: bodies generated from every schema in schemas/ (wrong types, enums, formats,
// ranges, whole-body shapes), and hand-written hostile requests (malformed JSON, encodings, names, paths,
// queries, verbs, forged tokens) and token-endpoint abuse.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { rgPath, SUB, TENANT, CLIENT_ID, SECRET } from '../../support/emulator.js';
import { TEST_NS } from '../../support/test-provider.js';
import { SCHEMAS_DIR } from '../../../src/framework/schema.js';
import { clusterBody } from '../../containerservice/helpers.js';
import { badValues, schemaLeaves, setDeep, type Case, type Kind } from '../corpus.js';

const RV = 'api-version=2021-04-01';
const CS = 'api-version=2022-11-01';
const WV = 'api-version=2024-01-01';
const NS_CS = 'Microsoft.ContainerService';

export function schemaCases(): Case[] {
  const bases: { file: string; path: (n: string) => string; body: () => any; skip?: RegExp }[] = [
    { file: 'Microsoft.Resources/resourceGroup.json', path: (n) => `${rgPath(n)}?${RV}`, body: () => ({ location: 'eastus' }), skip: /^(id|name|type|managedBy|properties)$/ },
    { file: 'Microsoft.ContainerService/managedCluster.json', path: (n) => `${rgPath('corpus')}/providers/${NS_CS}/managedClusters/${n}?${CS}`, body: () => clusterBody('eastus', { lb: 'standard' }) },
    {
      file: 'Microsoft.ContainerService/agentPool.json',
      path: (n) => `${rgPath('corpus')}/providers/${NS_CS}/managedClusters/base/agentPools/${n}?${CS}`,
      body: () => ({ properties: { count: 1, vmSize: 'Standard_DS2_v2', mode: 'User' } }),
    },
    { file: 'Microsoft.Test/widget.json', path: (n) => `${rgPath('corpus')}/providers/${TEST_NS}/widgets/${n}?${WV}`, body: () => ({ location: 'eastus' }) },
  ];
  // every request schema in schemas/ is covered: those are <Namespace>/<type>.json under a resource provider's
  // namespace folder (Microsoft.X); lower-case folders hold data (the catalogue, kube protobuf tables, built-in roles)
  const all = readdirSync(SCHEMAS_DIR, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.json') && /^[A-Z][A-Za-z0-9]*\.[A-Za-z0-9.]+[\\/][^\\/]+$/.test(f))
    .sort();
  assert.deepEqual(all, bases.map((b) => b.file).sort(), 'a new schema needs a base body in the bad-input corpus');
  const out: Case[] = [];
  let n = 0;
  for (const b of bases) {
    const schema = JSON.parse(readFileSync(path.join(SCHEMAS_DIR, b.file), 'utf8'));
    for (const leaf of schemaLeaves(schema)) {
      if (b.skip?.test(leaf.path.join('.'))) continue;
      for (const v of badValues(leaf.schema)) {
        const name = b.file.includes('resourceGroup') ? `corpus-rg-${n++}` : `c${n++}`;
        out.push({
          what: `${b.file} ${leaf.path.join('.')} = ${JSON.stringify(v).slice(0, 40)}`,
          method: 'PUT',
          path: b.path(name),
          body: JSON.stringify(setDeep(b.body(), leaf.path, v)),
          kind: 'arm',
          refuse: true,
          absent: b.path(name),
        });
      }
    }
    // whole-body shapes
    for (const body of [
      '[]',
      '"text"',
      '42',
      'null',
      'true',
      '{}',
      '{"location":null}',
      '{"location":""}',
      '{"__proto__":{"polluted":1},"location":"eastus"}',
      '{"constructor":{"prototype":{"polluted":1}},"location":1}',
    ]) {
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

export function hostileArm(): Case[] {
  const W = `${rgPath('corpus')}/providers/${TEST_NS}/widgets`;
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  const cases: Case[] = [
    ...['{', '{"location":', '{"location":"eastus",}', "{'location':'eastus'}", '\u0000\u0001', '{"a":1}{"b":2}', 'NaN', '{"location":"eastus"', deep].map((body, i) => ({
      what: `malformed JSON #${i}`,
      method: 'PUT',
      path: `${W}/mal${i}?${WV}`,
      body,
      kind: 'arm' as Kind,
      refuse: true,
      absent: `${W}/mal${i}?${WV}`,
    })),
    { what: 'invalid UTF-8', method: 'PUT', path: `${W}/utf?${WV}`, body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), kind: 'arm', refuse: true, absent: `${W}/utf?${WV}` },
    { what: 'text/plain body', method: 'PUT', path: `${W}/tp?${WV}`, body: 'location=eastus', headers: { 'Content-Type': 'text/plain' }, kind: 'arm', refuse: true, absent: `${W}/tp?${WV}` },
    {
      what: 'body over 4 MB',
      method: 'PUT',
      path: `${W}/big?${WV}`,
      body: JSON.stringify({ location: 'eastus', tags: { a: 'x'.repeat(4 * 1024 * 1024) } }),
      kind: 'arm',
      refuse: true,
      absent: `${W}/big?${WV}`,
    },
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
    {
      what: 'If-Match garbage',
      method: 'PUT',
      path: `${W}/ifm?${WV}`,
      body: '{"location":"eastus"}',
      headers: { 'If-Match': '"nope", W/"x", *,,' },
      kind: 'arm',
      refuse: true,
      absent: `${W}/ifm?${WV}`,
    },
    { what: 'POST unknown action', method: 'POST', path: `${rgPath('corpus')}/providers/${NS_CS}/managedClusters/base/explode?${CS}`, body: '{}', kind: 'arm', refuse: true },
    {
      what: 'action with a non-object body',
      method: 'POST',
      path: `${rgPath('corpus')}/providers/${NS_CS}/managedClusters/base/resetServicePrincipalProfile?${CS}`,
      body: '[1,2]',
      kind: 'arm',
      refuse: true,
    },
    { what: 'operation status of an unknown id', method: 'GET', path: `/subscriptions/${SUB}/providers/${NS_CS}/locations/eastus/operationStatuses/%27%3Bdrop?${CS}`, kind: 'arm', refuse: true },
    { what: 'no Authorization', method: 'GET', path: `${rgPath('corpus')}?${RV}`, headers: { Authorization: '' }, kind: 'arm', refuse: true },
    { what: 'Bearer of garbage', method: 'GET', path: `${rgPath('corpus')}?${RV}`, headers: { Authorization: 'Bearer ' + 'A'.repeat(8000) }, kind: 'arm', refuse: true },
    {
      what: 'Bearer alg none',
      method: 'GET',
      path: `${rgPath('corpus')}?${RV}`,
      headers: {
        Authorization: `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(`{"aud":"https://management.azure.com/","tid":"${TENANT}","appid":"${CLIENT_ID}","exp":9999999999}`).toString('base64url')}.`,
      },
      kind: 'arm',
      refuse: true,
    },
    {
      what: 'Bearer HS256 with the public key',
      method: 'GET',
      path: `${rgPath('corpus')}?${RV}`,
      headers: { Authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQuYXp1cmUuY29tLyJ9.c2ln' },
      kind: 'arm',
      refuse: true,
    },
  ];
  return cases;
}

export function hostileOauth(): Case[] {
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
