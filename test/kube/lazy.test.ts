// The Kubernetes API server is loaded when a cluster exists (src/kube/lazy.ts): an emulator without clusters
// answers the kube paths as the server does, a cluster created afterwards gets its API (credentials at once,
// objects once the server has taken over), and a restart of a store with clusters has the server itself
// from the start, its objects read back in slices (KubeStore.open).
import assert from 'node:assert/strict';
import { after, describe, it } from 'mocha';
import { startTestEmulator, tmpDir, type TestEmulator } from '../support/emulator.js';
import { waitUntil } from '../support/wait.js';
import { aksCluster, raw } from './helpers.js';
import { KubeStore } from '../../src/kube/store.js';
import type { KubeServer } from '../../src/kube/lazy.js';

const kind = (emu: TestEmulator) => (emu.services.kube as object).constructor.name;

describe('kube: the API server is loaded when a cluster exists', () => {
  const dir = tmpDir('kube-lazy-');
  const started: TestEmulator[] = [];
  after(async () => {
    for (const e of started) await e.close().catch(() => undefined);
  });

  it('without clusters: a front answers as the server would; a new cluster gets its API; a restart has the server at once', async () => {
    const emu = await startTestEmulator(['--data-dir', dir]);
    started.push(emu);
    assert.equal(kind(emu), 'LazyKube');
    // kube paths of no cluster: the server's own answer (a Status), loading it on the way
    const none = await emu.http().get('/k8s/0123456789abcdef0123/api/v1/namespaces');
    assert.equal(none.status, 404, JSON.stringify(none.body));
    assert.equal(none.body.kind, 'Status');
    const c = await aksCluster(emu, 'region', 'lazy1', 2);
    const d = emu.services.kube!.describe(c.id);
    assert.ok(d?.serving, JSON.stringify(d));
    assert.equal(c.server, d.server);
    // the cluster's API: nodes from its pool, as with the server loaded from the start
    await waitUntil(
      async () => {
        const r = await raw(c, 'GET', '/api/v1/nodes');
        return r.status === 200 && r.json.items.length === 2;
      },
      { what: 'two nodes listed through the lazily loaded API' },
    );
    assert.equal(emu.services.kube!.listObjects(c.id, 'v1', 'Node').length, 2);
    await emu.close();
    started.pop();

    const again = await startTestEmulator(['--data-dir', dir]);
    started.push(again);
    assert.equal(kind(again), 'KubeService');
    assert.equal(again.services.kube!.listObjects(c.id, 'v1', 'Node').length, 2);
    assert.equal(again.services.kube!.credentials(c.id)?.server, c.server.replace(emu.url, again.url));
  });

  it('KubeStore.open reads in slices what the constructor reads at once', async () => {
    const emu = started[0];
    // the controllers stopped first: a read in slices yields to the loop, where they would write between the two reads
    await (emu.services.kube as KubeServer).close();
    const a = new KubeStore(emu.services.store);
    const b = await KubeStore.open(emu.services.store, 0);
    const [cl] = a.clusters();
    assert.ok(cl);
    for (const gr of ['core/nodes', 'core/pods', 'core/namespaces']) assert.deepEqual(b.list(cl.key, gr), a.list(cl.key, gr));
    assert.deepEqual(b.clusters(), a.clusters());
  });
});
