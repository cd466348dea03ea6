// The public REST specs' examples (x-ms-examples) replayed against the emulator: 29 PUT examples of 24 namespaces
// (test/fixtures/spec-examples/examples.json names each one's file and commit in Azure/azure-rest-api-specs). Each
// example's request is sent as its file gives it (ids in the example's subscription moved to the test's, as a user
// replaying it does); the status code must be one the example's responses declare, the response must have the
// example's top-level members that the emulator can know (the envelope, what the request gave where the type's
// schema for that api-version has it, and the etag of a type whose responses carry one), and every property the
// request gave that the example's response returns must come back. A GET afterwards answers 200 with the same members.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { rgPath, startTestEmulator, SUB, waitForOperation, type TestEmulator } from '../support/emulator.js';
import { Catalogue } from '../../src/catalogue/catalogue.js';

interface Example {
  source: string;
  commit: string;
  /** After /providers/ in the resource id: namespace, then type and name pairs. */
  path: string;
  apiVersion: string;
  request: Record<string, unknown>;
  /** The status codes the example's responses declare. */
  responses: number[];
  /** Where the example shows fewer codes than its operation declares: the operation's (from its SDK). */
  specResponses?: number[];
  /** Top-level members of the example's create response (201, else 200). */
  responseTop: string[];
  /** Members of that response's 'properties'. */
  responseProperties: string[];
}

const FIXTURE = path.resolve('test/fixtures/spec-examples/examples.json');
const { examples } = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { examples: Example[] };
const ENVELOPE = ['id', 'name', 'type', 'properties'];
const catalogue = new Catalogue();
/** Ids of the example's own subscription ('subid', '34adfa4f-...') in the test's, so that linked resources are ours. */
const ours = (v: unknown): unknown => JSON.parse(JSON.stringify(v).replace(/\/subscriptions\/[^/"]+\//gi, `/subscriptions/${SUB}/`));
/** The top-level members a type's schema has at an api-version (lower-cased). */
function declared(ex: Example): Set<string> {
  const [ns, ...rest] = ex.path.split('/');
  const s = catalogue.schema(ns, rest.filter((_, i) => i % 2 === 0).join('/'), ex.apiVersion) as { nodes: unknown[]; body?: number } | undefined;
  const root = s?.body === undefined ? undefined : (s.nodes[s.body] as [string, Record<string, unknown>]);
  return new Set(Object.keys(root?.[1] ?? {}).map((k) => k.toLowerCase()));
}
const has = (o: unknown, k: string) => !!o && typeof o === 'object' && Object.keys(o).some((x) => x.toLowerCase() === k.toLowerCase());

describe("the REST specs' examples (x-ms-examples) replayed: status codes and the responses' shape", function () {
  this.timeout(120_000);
  let emu: TestEmulator;
  const group = 'spec-examples';
  before(async () => {
    emu = await startTestEmulator();
    const g = await emu
      .http()
      .put(`${rgPath(group)}?api-version=2021-04-01`)
      .send({ location: 'eastus' });
    assert.ok([200, 201].includes(g.status), JSON.stringify(g.body));
  });
  after(async () => emu?.close());

  it('the sample covers at least 25 types of at least 20 namespaces', () => {
    const types = new Set(
      examples.map((e) =>
        e.path
          .split('/')
          .filter((_, i) => i === 0 || i % 2 === 1)
          .join('/')
          .toLowerCase(),
      ),
    );
    const namespaces = new Set(examples.map((e) => e.path.split('/')[0].toLowerCase()));
    assert.ok(types.size >= 25 && namespaces.size >= 20, `${types.size} types, ${namespaces.size} namespaces`);
  });

  for (const ex of examples) {
    it(`${ex.path} @ ${ex.apiVersion} (${path.basename(ex.source)})`, async () => {
      const id = `${rgPath(group)}/providers/${ex.path}`;
      const put = await emu
        .http()
        .put(`${id}?api-version=${ex.apiVersion}`)
        .send(ours(ex.request) as object);
      const codes = [...new Set([...ex.responses, ...(ex.specResponses ?? [])])];
      assert.ok(codes.includes(put.status), `PUT answered ${put.status} (the example declares ${codes.join(', ')}): ${JSON.stringify(put.body)}`);
      if (put.headers['azure-asyncoperation']) await waitForOperation(emu, put.headers['azure-asyncoperation']);
      const get = await emu.http().get(`${id}?api-version=${ex.apiVersion}`);
      assert.equal(get.status, 200, JSON.stringify(get.body));
      const body = put.status === 202 ? get.body : put.body;

      // the example's top-level members that do not depend on the service's own work
      // (a member the type's schema for this api-version lacks is dropped, as the provider's deserializer does: the
      // Container Apps example of 2023-05-01 sends an identity that version does not have)
      const schema = declared(ex);
      const expected = ex.responseTop.filter((k) => ENVELOPE.includes(k) || (has(ex.request, k) && schema.has(k.toLowerCase())) || k.toLowerCase() === 'etag');
      for (const k of expected) assert.ok(has(body, k), `'${k}' missing from ${JSON.stringify(Object.keys(body))}`);
      assert.equal(body.id.toLowerCase(), id.toLowerCase());
      assert.equal(body.name, ex.path.split('/').pop());
      const segs = ex.path.split('/');
      assert.equal(
        body.type.toLowerCase(),
        segs
          .filter((_, i) => i === 0 || i % 2 === 1)
          .join('/')
          .toLowerCase(),
      );
      // what the request gave and the example's response returns comes back
      const given = Object.keys((ex.request.properties as Record<string, unknown> | undefined) ?? {});
      for (const k of given.filter((p) => ex.responseProperties.includes(p))) assert.ok(has(body.properties, k), `properties.${k} missing from ${JSON.stringify(Object.keys(body.properties ?? {}))}`);
      assert.equal(body.properties?.provisioningState ?? 'Succeeded', 'Succeeded');
      // a GET shows the same members
      assert.deepEqual(Object.keys(get.body).sort(), Object.keys(body).sort());
    });
  }
});
