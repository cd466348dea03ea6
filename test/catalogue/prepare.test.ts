// The catalogue read without holding the event loop: Catalogue.prepare reads the index and a namespace's schemas
// off the thread and in slices, and what the lookups answer afterwards is what they answer when they read
// synchronously (a request awaits prepare before it is routed; every other caller still reads on demand).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Catalogue, CATALOGUE_DIR, parseNamespaceSliced } from '../../src/catalogue/catalogue.js';

describe('catalogue: prepared off the event loop', function () {
  this.timeout(120_000);

  it('parses every namespace file in pieces to exactly what JSON.parse gives', async () => {
    const dir = path.join(CATALOGUE_DIR, 'ns');
    const files = readdirSync(dir);
    assert.ok(files.length > 100, `${files.length} namespace files`);
    for (const f of files) {
      const text = gunzipSync(readFileSync(path.join(dir, f))).toString('utf8');
      assert.deepEqual(await parseNamespaceSliced(text), JSON.parse(text), f);
    }
    // odd but valid shapes: nodes empty, nodes last, strings holding the characters the cutter looks for
    for (const text of ['{"namespace":"x","nodes":[],"types":{}}', '{"namespace":"x","types":{"a":{}},"nodes":[["o",{"a\\\\\\"],":[1,2]}],"s,]}",7]}', '{"types":{}}']) {
      assert.deepEqual(await parseNamespaceSliced(text), JSON.parse(text), text);
    }
  });

  it('a prepared catalogue answers as one read synchronously, and a second prepare has nothing to read', async () => {
    const prepared = new Catalogue();
    const reading = prepared.prepare('Microsoft.Network');
    assert.ok(reading, 'the first prepare reads');
    await reading;
    assert.equal(prepared.prepare('microsoft.network'), undefined, 'read once, whatever the casing');
    const plain = new Catalogue();
    const ct = plain.type('Microsoft.Network', 'virtualNetworks')!;
    assert.deepEqual(prepared.type('Microsoft.Network', 'virtualNetworks'), ct);
    assert.deepEqual(prepared.namespaces(), plain.namespaces());
    for (const v of ct.apiVersions.slice(0, 3)) assert.deepEqual(prepared.schema('Microsoft.Network', 'virtualNetworks', v), plain.schema('Microsoft.Network', 'virtualNetworks', v));
    // a namespace the catalogue has no schema file for: prepare settles, the lookup says undefined as before
    await prepared.prepare('Contoso.Nothing');
    assert.equal(prepared.prepare('Contoso.Nothing'), undefined, 'an absent file is remembered, not read again');
    assert.equal(prepared.schema('Contoso.Nothing', 'things', '2020-01-01'), undefined);
  });
});
