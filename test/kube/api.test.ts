// The Kubernetes API's own semantics over HTTPS, as a client library sees them: discovery, Status errors,
// resourceVersion preconditions, selectors and paging, watches (and 410 for a resourceVersion too old),
// the patch types, Table answers, finalizers and cascading deletes, namespaces, refused exec, service
// account tokens, and the cluster's lifecycle (stopped: 503, deleted: 404, nothing left behind).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { waitForOperation, type TestEmulator } from '../support/emulator.js';
import { aksCluster, eventually, raw, startAksEmulator, watchEvents, type TestCluster } from './helpers.js';
import { StoreConflictError, type StoreChange, type WriteOp } from '../../src/store/store.js';

const CM = '/api/v1/namespaces/default/configmaps';

describe('kube: API semantics', function () {
  this.timeout(120_000);
  let emu: TestEmulator;
  let c: TestCluster;

  before(async () => {
    emu = await startAksEmulator();
    c = await aksCluster(emu, 'region', 'api1', 2);
  });
  after(async () => emu?.close());

  it('serves discovery: version, legacy lists and aggregated discovery', async () => {
    const v = await raw(c, 'GET', '/version');
    assert.equal(v.status, 200);
    assert.match(v.json.gitVersion, /^v1\.\d+\.\d+$/);
    const api = await raw(c, 'GET', '/api');
    assert.deepEqual(api.json.versions, ['v1']);
    const v1 = await raw(c, 'GET', '/api/v1');
    const names = v1.json.resources.map((r: any) => r.name);
    for (const n of ['pods', 'pods/status', 'pods/log', 'nodes', 'services', 'configmaps', 'secrets', 'namespaces', 'events', 'serviceaccounts', 'serviceaccounts/token'])
      assert.ok(names.includes(n), n);
    const apps = await raw(c, 'GET', '/apis/apps/v1');
    const scale = apps.json.resources.find((r: any) => r.name === 'deployments/scale');
    assert.deepEqual([scale.group, scale.version, scale.kind], ['autoscaling', 'v1', 'Scale']);
    const agg = await raw(c, 'GET', '/apis', undefined, { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
    assert.equal(agg.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    assert.ok(agg.json.items.some((g: any) => g.metadata.name === 'apps'));
    const oa = await raw(c, 'GET', '/openapi/v3');
    assert.ok(oa.json.paths['apis/apps/v1'].serverRelativeURL.startsWith('/openapi/v3/apis/apps/v1?hash='));
  });

  it('refuses a missing or foreign credential with 401 Unauthorized', async () => {
    const none = await raw(c, 'GET', '/api/v1/namespaces', undefined, {}, null);
    assert.equal(none.status, 401);
    assert.deepEqual({ kind: none.json.kind, reason: none.json.reason, code: none.json.code }, { kind: 'Status', reason: 'Unauthorized', code: 401 });
    const bad = await raw(c, 'GET', '/api/v1/namespaces', undefined, {}, 'not-a-token');
    assert.equal(bad.status, 401);
    // An ARM token is no Kubernetes credential.
    assert.equal((await raw(c, 'GET', '/api/v1/namespaces', undefined, {}, emu.token)).status, 401);
  });

  it('creates, reads, conflicts, updates and deletes with Kubernetes status codes and Status objects', async () => {
    const made = await raw(c, 'POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm1', labels: { app: 'a' } }, data: { k: 'v' } });
    assert.equal(made.status, 201);
    assert.ok(made.json.metadata.uid && made.json.metadata.resourceVersion && made.json.metadata.creationTimestamp);
    const again = await raw(c, 'POST', CM, { metadata: { name: 'cm1' } });
    assert.equal(again.status, 409);
    assert.equal(again.json.reason, 'AlreadyExists');
    assert.equal(again.json.message, 'configmaps "cm1" already exists');
    const missing = await raw(c, 'GET', `${CM}/nope`);
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json.details, { name: 'nope', kind: 'configmaps' });
    const bad = await raw(c, 'POST', CM, { metadata: { name: 'Bad_Name' } });
    assert.equal(bad.status, 422);
    assert.equal(bad.json.reason, 'Invalid');
    assert.equal(bad.json.details.causes[0].field, 'metadata.name');
    assert.match(bad.json.message, /^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    // resourceVersion is an optimistic lock
    const rv = made.json.metadata.resourceVersion;
    const upd = await raw(c, 'PUT', `${CM}/cm1`, { ...made.json, data: { k: 'v2' } });
    assert.equal(upd.status, 200);
    assert.ok(Number(upd.json.metadata.resourceVersion) > Number(rv));
    const stale = await raw(c, 'PUT', `${CM}/cm1`, { ...made.json, data: { k: 'v3' } });
    assert.equal(stale.status, 409);
    assert.equal(stale.json.reason, 'Conflict');
    assert.match(stale.json.message, /the object has been modified; please apply your changes to the latest version and try again/);
    const del = await raw(c, 'DELETE', `${CM}/cm1`);
    assert.equal(del.status, 200);
    assert.equal(del.json.status, 'Success');
    assert.equal((await raw(c, 'GET', `${CM}/cm1`)).status, 404);
  });

  it('lists with label and field selectors, pages with limit/continue', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await raw(c, 'POST', CM, { metadata: { name: `p${i}`, labels: { tier: i % 2 ? 'odd' : 'even' } } })).status, 201);
    const even = await raw(c, 'GET', `${CM}?labelSelector=tier%3Deven`);
    assert.deepEqual(
      even.json.items.map((x: any) => x.metadata.name),
      ['p0', 'p2', 'p4'],
    );
    assert.equal(even.json.kind, 'ConfigMapList');
    const notIn = await raw(c, 'GET', `${CM}?labelSelector=${encodeURIComponent('tier notin (even),tier')}`);
    assert.deepEqual(
      notIn.json.items.map((x: any) => x.metadata.name),
      ['p1', 'p3'],
    );
    const byName = await raw(c, 'GET', `${CM}?fieldSelector=metadata.name%3Dp3`);
    assert.deepEqual(
      byName.json.items.map((x: any) => x.metadata.name),
      ['p3'],
    );
    assert.equal((await raw(c, 'GET', `${CM}?fieldSelector=spec.nope%3Dx`)).status, 400);
    const seen: string[] = [];
    let cont = '';
    for (let page = 0; page < 10; page++) {
      const r = await raw(c, 'GET', `${CM}?labelSelector=tier&limit=2${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
      seen.push(...r.json.items.map((x: any) => x.metadata.name));
      cont = r.json.metadata.continue ?? '';
      if (!cont) break;
      assert.ok(r.json.metadata.remainingItemCount > 0);
    }
    assert.deepEqual(seen, ['p0', 'p1', 'p2', 'p3', 'p4']);
  });

  it("an in-process apply (an extension's objects) that meets another instance's change to the cluster is run again, not failed", async () => {
    // Another instance on the same PostgreSQL database wins the race for one write: the store refuses it whole.
    const store = emu.services.store;
    const write = store.write.bind(store);
    let refused = 0;
    store.write = (ops: WriteOp[]) => {
      const mine = ops.find((o) => o.key.endsWith('/default/retried'));
      if (mine && refused === 0) {
        refused++;
        return Promise.reject(new StoreConflictError([{ collection: mine.collection, key: mine.key }]));
      }
      return write(ops);
    };
    try {
      await emu.services.kube!.applyObjects(c.id, [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'retried', namespace: 'default' }, data: { a: '1' } }], 'extension');
    } finally {
      store.write = write;
    }
    assert.equal(refused, 1);
    assert.deepEqual((await raw(c, 'GET', `${CM}/retried`)).json.data, { a: '1' });
    await raw(c, 'DELETE', `${CM}/retried`);
  });

  it("a client's write that meets another instance's change to the cluster is served again (201, not 409); a stale resourceVersion is still 409", async () => {
    // The instance driving the cluster's controllers (a farm on PostgreSQL) wins the race for one write.
    const store = emu.services.store;
    const write = store.write.bind(store);
    let refused = 0;
    store.write = (ops: WriteOp[]) => {
      const mine = ops.find((o) => o.key.endsWith('/default/raced'));
      if (mine && refused < 2) {
        refused++;
        // as PostgreSQL's store does with a refused write: nothing written, its keys read back (the committed
        // values) and told to the store's listeners, so the Kubernetes object store forgets what it had placed
        const listeners = (store as unknown as { listeners: Set<(c: StoreChange[]) => void> }).listeners;
        for (const l of listeners) l(ops.map((o) => ({ collection: o.collection, key: o.key, value: store.get(o.collection, o.key) })));
        return Promise.reject(new StoreConflictError([{ collection: mine.collection, key: mine.key }]));
      }
      return write(ops);
    };
    let made: Awaited<ReturnType<typeof raw>>;
    let stale: Awaited<ReturnType<typeof raw>>;
    try {
      made = await raw(c, 'POST', CM, { metadata: { name: 'raced' }, data: { a: '1' } });
      refused = 0;
      stale = await raw(c, 'PUT', `${CM}/raced`, { metadata: { name: 'raced', resourceVersion: '1' }, data: { a: '2' } });
    } finally {
      store.write = write;
    }
    assert.equal(made.status, 201, made.text);
    assert.deepEqual(made.json.data, { a: '1' });
    assert.equal(stale.status, 409, stale.text);
    assert.equal(stale.json.reason, 'Conflict');
    assert.deepEqual((await raw(c, 'GET', `${CM}/raced`)).json.data, { a: '1' });
    await raw(c, 'DELETE', `${CM}/raced`);
  });

  it('watches from a resourceVersion (a reconnecting client gets what it missed)', async () => {
    const list = await raw(c, 'GET', CM);
    const rv = list.json.metadata.resourceVersion;
    const events = watchEvents(c, `${CM}?watch=1&resourceVersion=${rv}`, (evs) => evs.some((e) => e.type === 'DELETED'));
    await raw(c, 'POST', CM, { metadata: { name: 'w1' } });
    await raw(c, 'PATCH', `${CM}/w1`, { data: { a: 'b' } }, { 'Content-Type': 'application/merge-patch+json' });
    await raw(c, 'DELETE', `${CM}/w1`);
    const got = (await events).filter((e) => e.object.metadata.name === 'w1');
    assert.deepEqual(
      got.map((e) => e.type),
      ['ADDED', 'MODIFIED', 'DELETED'],
    );
    assert.deepEqual(got[1].object.data, { a: 'b' });
    const rvs = got.map((e) => Number(e.object.metadata.resourceVersion));
    assert.ok(rvs[0] < rvs[1] && rvs[1] < rvs[2], 'resourceVersions grow');
    // Replay of what happened after rv (a reconnecting client).
    const replay = await watchEvents(c, `${CM}?watch=1&resourceVersion=${rv}`, (evs) => evs.filter((e) => e.object.metadata.name === 'w1').length === 3);
    assert.deepEqual(
      replay.filter((e) => e.object.metadata.name === 'w1').map((e) => e.type),
      ['ADDED', 'MODIFIED', 'DELETED'],
    );
  });

  it('patches: JSON merge, JSON patch (test failures are 422), strategic merge by key, server-side apply with conflicts', async () => {
    const D = '/apis/apps/v1/namespaces/default/deployments';
    const dep = (containers: any[]) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'pt' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'pt' } }, template: { metadata: { labels: { app: 'pt' } }, spec: { containers } } },
    });
    assert.equal(
      (
        await raw(
          c,
          'POST',
          D,
          dep([
            { name: 'a', image: 'nginx' },
            { name: 'b', image: 'busybox' },
          ]),
        )
      ).status,
      201,
    );
    const smp = await raw(c, 'PATCH', `${D}/pt`, { spec: { template: { spec: { containers: [{ name: 'b', image: 'busybox:2' }] } } } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
    assert.equal(smp.status, 200);
    assert.deepEqual(
      smp.json.spec.template.spec.containers.map((x: any) => `${x.name}=${x.image}`),
      ['a=nginx', 'b=busybox:2'],
      'merged by name',
    );
    const merge = await raw(c, 'PATCH', `${D}/pt`, { spec: { template: { spec: { containers: [{ name: 'c', image: 'redis' }] } } } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.deepEqual(
      merge.json.spec.template.spec.containers.map((x: any) => x.name),
      ['c'],
      'a merge patch replaces lists',
    );
    assert.equal(merge.json.metadata.generation, 3);
    const jp = await raw(c, 'PATCH', `${D}/pt`, [{ op: 'replace', path: '/spec/replicas', value: 2 }], { 'Content-Type': 'application/json-patch+json' });
    assert.equal(jp.json.spec.replicas, 2);
    const failed = await raw(c, 'PATCH', `${D}/pt`, [{ op: 'test', path: '/spec/replicas', value: 9 }], { 'Content-Type': 'application/json-patch+json' });
    assert.equal(failed.status, 422);
    assert.equal((await raw(c, 'PATCH', `${D}/pt`, '{}', { 'Content-Type': 'text/plain' })).status, 415);
    // Server-side apply: a field another manager set conflicts, unless forced.
    const A = `${D}/ssa?fieldManager=tool-a`;
    const body = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'ssa' },
      spec: { replicas: 2, selector: { matchLabels: { app: 's' } }, template: { metadata: { labels: { app: 's' } }, spec: { containers: [{ name: 'x', image: 'nginx' }] } } },
    };
    const applied = await raw(c, 'PATCH', A, body, { 'Content-Type': 'application/apply-patch+yaml' });
    assert.equal(applied.status, 201);
    assert.ok(applied.json.metadata.managedFields.some((m: any) => m.manager === 'tool-a' && m.operation === 'Apply'));
    const other = await raw(c, 'PATCH', `${D}/ssa?fieldManager=tool-b`, { ...body, spec: { ...body.spec, replicas: 5 } }, { 'Content-Type': 'application/apply-patch+yaml' });
    assert.equal(other.status, 409);
    assert.equal(other.json.reason, 'Conflict');
    assert.match(other.json.message, /^Apply failed with 1 conflict: conflict with "tool-a" using apps\/v1: \.spec\.replicas/);
    const forced = await raw(c, 'PATCH', `${D}/ssa?fieldManager=tool-b&force=true`, { ...body, spec: { ...body.spec, replicas: 5 } }, { 'Content-Type': 'application/apply-patch+yaml' });
    assert.equal(forced.status, 200);
    assert.equal(forced.json.spec.replicas, 5);
    // A field the manager stops applying is removed.
    const mineNow = { ...body, spec: { ...body.spec, replicas: 5 } };
    const dropped = await raw(c, 'PATCH', A, { ...mineNow, metadata: { name: 'ssa', labels: { a: '1' } } }, { 'Content-Type': 'application/apply-patch+yaml' });
    assert.equal(dropped.status, 200, JSON.stringify(dropped.json));
    assert.deepEqual(dropped.json.metadata.labels, { a: '1' });
    const less = await raw(c, 'PATCH', A, { ...mineNow, metadata: { name: 'ssa' } }, { 'Content-Type': 'application/apply-patch+yaml' });
    assert.equal(less.json.metadata.labels, undefined);
  });

  it('answers Table requests with the server-side columns', async () => {
    const t = await raw(c, 'GET', '/api/v1/nodes', undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    assert.equal(t.json.kind, 'Table');
    assert.deepEqual(
      t.json.columnDefinitions.map((x: any) => x.name),
      ['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP', 'External-IP', 'OS-Image', 'Kernel-Version', 'Container-Runtime'],
    );
    assert.equal(t.json.rows.length, 2);
    assert.equal(t.json.rows[0].cells[1], 'Ready');
    assert.equal(t.json.rows[0].object.kind, 'PartialObjectMetadata');
  });

  it('keeps an object with finalizers until they are removed; cascades deletes in the foreground', async () => {
    await raw(c, 'POST', CM, { metadata: { name: 'fin', finalizers: ['example.com/hold'] } });
    const d = await raw(c, 'DELETE', `${CM}/fin`);
    assert.equal(d.status, 202);
    assert.ok(d.json.metadata.deletionTimestamp);
    assert.equal((await raw(c, 'GET', `${CM}/fin`)).status, 200);
    const rel = await raw(c, 'PATCH', `${CM}/fin`, { metadata: { finalizers: null } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(rel.status, 200);
    assert.equal((await raw(c, 'GET', `${CM}/fin`)).status, 404);

    const D = '/apis/apps/v1/namespaces/default/deployments';
    await raw(c, 'POST', D, {
      metadata: { name: 'fg' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'fg' } }, template: { metadata: { labels: { app: 'fg' } }, spec: { containers: [{ name: 'x', image: 'nginx' }] } } },
    });
    await eventually('fg pods', async () => (await raw(c, 'GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dfg')).json.items.length === 2);
    const fg = await raw(c, 'DELETE', `${D}/fg`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' });
    assert.equal(fg.status, 202);
    assert.ok(fg.json.metadata.finalizers.includes('foregroundDeletion'));
    await eventually('deployment gone after its dependents', async () => (await raw(c, 'GET', `${D}/fg`)).status === 404);
    assert.equal((await raw(c, 'GET', '/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dfg')).json.items.length, 0);
  });

  it('deletes a namespace with its content; refuses the system ones', async () => {
    assert.equal((await raw(c, 'POST', '/api/v1/namespaces', { metadata: { name: 'team' } })).status, 201);
    const sa = await eventually('default service account', async () => (await raw(c, 'GET', '/api/v1/namespaces/team/serviceaccounts/default')).status === 200);
    assert.ok(sa);
    await raw(c, 'POST', '/api/v1/namespaces/team/configmaps', { metadata: { name: 'x' } });
    const d = await raw(c, 'DELETE', '/api/v1/namespaces/team');
    assert.equal(d.json.status.phase, 'Terminating');
    const late = await raw(c, 'POST', '/api/v1/namespaces/team/configmaps', { metadata: { name: 'y' } });
    assert.ok(late.status === 403 || late.status === 404, `${late.status}`);
    await eventually('namespace gone', async () => (await raw(c, 'GET', '/api/v1/namespaces/team')).status === 404);
    const sys = await raw(c, 'DELETE', '/api/v1/namespaces/kube-system');
    assert.equal(sys.status, 403);
    assert.match(sys.json.message, /this namespace may not be deleted/);
  });

  it('refuses exec, attach and port-forward at once with a Status that says why', async () => {
    await raw(c, 'POST', '/api/v1/namespaces/default/pods', { metadata: { name: 'ex' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    for (const sub of ['exec?command=sh&stdout=true', 'attach?stdout=true', 'portforward?ports=80']) {
      const r = await raw(c, 'POST', `/api/v1/namespaces/default/pods/ex/${sub}`, undefined, { Connection: 'Upgrade', Upgrade: 'websocket' });
      assert.equal(r.status, 400, sub);
      assert.equal(r.json.kind, 'Status');
      assert.match(r.json.message, /not available in the emulated cluster/);
    }
  });

  it('issues service account tokens the API accepts as that service account', async () => {
    const t = await raw(c, 'POST', '/api/v1/namespaces/default/serviceaccounts/default/token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } });
    assert.equal(t.status, 201);
    const who = await raw(c, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, {}, t.json.status.token);
    assert.equal(who.status, 201);
    assert.equal(who.json.status.userInfo.username, 'system:serviceaccount:default:default');
    // Without a role binding it may not list secrets.
    const denied = await raw(c, 'GET', '/api/v1/namespaces/default/secrets', undefined, {}, t.json.status.token);
    assert.equal(denied.status, 403);
    assert.match(denied.json.message, /User "system:serviceaccount:default:default" cannot list resource "secrets" in API group "" in the namespace "default"/);
  });

  it('refuses a stopped cluster with 503, and forgets a deleted one', async () => {
    const api = '2024-02-01';
    const stop = await emu.http().post(`${c.id}/stop?api-version=${api}`);
    await waitForOperation(emu, stop.headers['azure-asyncoperation']);
    const r = await raw(c, 'GET', '/api/v1/namespaces');
    assert.equal(r.status, 503);
    assert.match(r.json.message, /is stopped/);
    const start = await emu.http().post(`${c.id}/start?api-version=${api}`);
    await waitForOperation(emu, start.headers['azure-asyncoperation']);
    const back = await raw(c, 'GET', `${CM}/p1`);
    assert.equal(back.status, 200, 'objects survive a stop and start');

    const key = new URL(c.server).pathname.split('/')[2];
    const del = await emu.http().delete(`${c.id}?api-version=${api}`);
    await waitForOperation(emu, del.headers['azure-asyncoperation']);
    await eventually('objects dropped', async () => ![...emu.services.store.entries('kube.objects')].some(([k]) => k.includes(`/kube/${key}/`)));
    assert.ok(![...emu.services.store.entries('kube.clusters')].some(([k]) => k.endsWith(`/kube/${key}`)));
    const gone = await raw(c, 'GET', '/api/v1/namespaces');
    assert.equal(gone.status, 404);
  });
});
