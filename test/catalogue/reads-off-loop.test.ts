// The catalogue's callers outside a routed request read it off the event loop too (Catalogue.prepare): a nested
// deployment's write check, related resources a hook names, and a template worker's type lookups. Each starts
// from a catalogue nobody has read yet, and Catalogue.readsOnLoop counts the files read synchronously instead.
import assert from 'node:assert/strict';
import { startTestEmulator, rgPath, type TestEmulator } from '../support/emulator.js';
import { isArmError } from '../../src/arm/errors.js';
import type { GenericTypes } from '../../src/providers/generic/index.js';
import { TemplateWorkers } from '../../src/templates/worker/pool.js';
import type { TemplateHost } from '../../src/templates/host.js';
import { request } from '../templates/helpers.js';

describe('catalogue: read off the loop outside routed requests', function () {
  this.timeout(60_000);
  let emu: TestEmulator;
  const catalogue = () => (emu.services.registry.catalogue() as GenericTypes).catalogue;
  afterEach(async () => {
    await emu?.close();
  });

  it("a nested deployment's write check (checkWrite) reads the index first, and still refuses what it refused", async () => {
    emu = await startTestEmulator();
    assert.equal(catalogue().readsOnLoop, 0, 'nothing read at start');
    const rm = emu.services.resourceManager;
    await rm.checkWrite({ method: 'PUT', path: `${rgPath('x')}/providers/Microsoft.Maps/accounts/m1`, apiVersion: '2023-06-01' });
    await assert.rejects(
      rm.checkWrite({ method: 'PUT', path: `${rgPath('x')}/providers/Microsoft.Maps/nothings/m1`, apiVersion: '2023-06-01' }),
      (e) => isArmError(e) && e.status === 400 && e.code === 'InvalidResourceType',
    );
    assert.equal(catalogue().readsOnLoop, 0, 'no file read on the event loop');
    assert.equal(catalogue().prepare(''), undefined, 'the index was read (off the loop)');
  });

  it('related resources of a catalogue type are located after the index is read off the loop', async () => {
    emu = await startTestEmulator();
    const id = `${rgPath('x')}/providers/Microsoft.Maps/accounts/m2`;
    await emu.services.resourceManager.seed({ put: [{ resource: { id, name: 'm2', type: 'Microsoft.Maps/accounts', location: 'global' } }] });
    assert.equal(catalogue().readsOnLoop, 0);
    const stored = emu.services.resources.get(id);
    assert.equal(stored?.typeKey, 'microsoft.maps/accounts');
    assert.equal(stored?.resource.type, 'Microsoft.Maps/accounts');
  });

  it("a template worker's type lookups are answered once the host's catalogue is read", async () => {
    // A host whose catalogue is unread until catalogueReady's promise settles: answering the worker before
    // that would say the type is unknown (InvalidResourceType).
    let read = false;
    let asked = 0;
    const fail = () => Promise.reject(new Error('not used'));
    const host: TemplateHost = {
      put: fail,
      waitFor: fail,
      get: fail,
      action: fail,
      delete: fail,
      list: fail,
      knownType: (ns, type) => (read && ns === 'Contoso.Things' && type === 'widgets' ? { apiVersions: ['2024-01-01'] } : undefined),
      knownNamespace: (ns) => read && ns === 'Contoso.Things',
      catalogueReady: () => {
        if (read) return undefined;
        asked++;
        return new Promise<void>((resolve) =>
          setImmediate(() => {
            read = true;
            resolve();
          }),
        );
      },
    };
    const pool = new TemplateWorkers({ size: 1 });
    try {
      const template = {
        $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
        contentVersion: '1.0.0.0',
        resources: [{ type: 'Contoso.Things/widgets', apiVersion: '2024-01-01', name: 'w1', location: 'eastus' }],
      };
      await pool.validate(host, { request: request(template) });
      assert.ok(asked >= 1, 'the pool asked the host to read its catalogue');
      // and an unknown type is still refused after the read
      const bad = { ...template, resources: [{ type: 'Contoso.Things/gadgets', apiVersion: '2024-01-01', name: 'g1' }] };
      await assert.rejects(pool.validate(host, { request: request(bad) }), (e) => isArmError(e) && /InvalidResourceType|gadgets/.test(`${e.code} ${e.message}`));
    } finally {
      await pool.close();
    }
  });
});
