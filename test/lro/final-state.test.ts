// An operation is never seen ended before the resource it ends is written: the driver's record (what pollers
// read) changes only once nothing is left to await before the one final write. Before, the catalogue read that
// locates the related resources came between the two: a poll saw the cluster's operation Succeeded and a GET
// the cluster still Creating (the checker's CI, a fresh process finishing an AKS create after a restart or a
// takeover). The read is held here by the test, not raced; it happens for related types the catalogue locates.
import assert from 'node:assert/strict';
import { waitUntil } from '../support/wait.js';
import { clusterBody, clusterPath, createGroup, startAksEmulator } from '../containerservice/helpers.js';

describe('operation end: the record and the resource change together', function () {
  this.timeout(60_000);

  it('while the final write waits for the catalogue, the operation still reads InProgress and the cluster Creating', async () => {
    const emu = await startAksEmulator(['--time-scale', '0']);
    try {
      await createGroup(emu, 'fs', 'local');
      const engine = emu.services.asyncOperations;
      // the create's last step (a worker joining) waits until the test has put the held catalogue read in place
      const site = emu.services.fabric!.site('local') as unknown as { joinNode: (...a: unknown[]) => Promise<unknown> };
      const joinNode = site.joinNode.bind(site);
      let joined!: () => void;
      const joining = new Promise<void>((r) => (joined = r));
      site.joinNode = async (...a: unknown[]) => {
        await joining;
        return joinNode(...a);
      };
      const put = await emu
        .http()
        .put(`${clusterPath('fs', 'c1')}?api-version=2022-11-01`)
        .send(clusterBody('local', { count: 1 }));
      assert.equal(put.status, 201, JSON.stringify(put.body));
      const op = engine.list().find((o) => o.resourceId.toLowerCase() === put.body.id.toLowerCase())!;
      const catalogue = emu.services.registry.catalogue()!;
      const prepare = catalogue.prepare!.bind(catalogue);
      let asked = 0;
      let letGo!: () => void;
      const held = new Promise<void>((r) => (letGo = r));
      catalogue.prepare = (ns: string) => {
        asked++;
        return held.then(() => prepare(ns));
      };
      // The final write reads the catalogue only for a related put of a type no hand-built provider serves (the
      // pools here are hand-built): the registry is told the pools' type is not, so this write takes that path.
      const registry = emu.services.registry;
      const isHandBuilt = registry.isHandBuilt.bind(registry);
      registry.isHandBuilt = (ns: string, type: string) => (type.toLowerCase() === 'managedclusters/agentpools' ? false : isHandBuilt(ns, type));
      joined();
      await waitUntil(() => asked > 0, { what: 'the final write to ask the catalogue' });
      assert.equal(engine.get(op.id)!.status, 'InProgress', 'not ended while its resource is not written');
      const during = await emu.http().get(`${clusterPath('fs', 'c1')}?api-version=2022-11-01`);
      assert.equal(during.body.properties.provisioningState, 'Creating');
      registry.isHandBuilt = isHandBuilt;
      letGo();
      const done = await engine.waitFor(op.id);
      assert.equal(done.status, 'Succeeded', JSON.stringify(done.error));
      const after = await emu.http().get(`${clusterPath('fs', 'c1')}?api-version=2022-11-01`);
      assert.equal(after.body.properties.provisioningState, 'Succeeded');
    } finally {
      await emu.close();
    }
  });
});
