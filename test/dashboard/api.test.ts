// What the dashboard page reads and changes, over HTTPS: the read model (sites, owners, operations,
// resources), the live feed, hold/release of an operation (also across a restart), and the guard on changes.

import assert from 'node:assert/strict';
import { waitUntil } from '../support/wait.js';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { startAksEmulator, clusterBody, clusterPath, createGroup, writeAndWait, HUB_API, SUB } from '../containerservice/helpers.js';
import { CA_PATH, tmpDir, type TestEmulator } from '../support/emulator.js';

const cluster = clusterPath('dash', 'c1');

/** Reads server-sent events until `want` change events arrived (or the time is up); returns their versions. */
function readEvents(emu: TestEmulator, want: number, onOpen: () => void | Promise<void>): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const versions: number[] = [];
    const req = https.get(`${emu.url}/_emulator/dashboard/events`, { ca: readFileSync(CA_PATH) }, (res) => {
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/event-stream/);
      let buf = '';
      let opened = false;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = /^data: (.*)$/m.exec(block);
          if (/^event: change$/m.test(block) && data) versions.push(JSON.parse(data[1]).version);
          if (!opened) {
            opened = true;
            Promise.resolve(onOpen()).catch(reject);
          }
          if (versions.length >= want) {
            req.destroy();
            resolve(versions);
          }
        }
      });
    });
    req.on('error', (e) => (versions.length >= want ? undefined : reject(e)));
    setTimeout(() => {
      req.destroy();
      reject(new Error(`only ${versions.length} change events arrived`));
    }, 10_000);
  });
}

describe('dashboard API (/_emulator/dashboard)', function () {
  this.timeout(60_000);
  let emu: TestEmulator;
  before(async () => {
    emu = await startAksEmulator();
    await createGroup(emu, 'dash', 'local');
    const { status } = await writeAndWait(
      emu,
      'put',
      `${cluster}?api-version=${HUB_API}`,
      clusterBody('local', { count: 2, extra: { windowsProfile: { adminUsername: 'azureuser', adminPassword: 'P@ssw0rd-not-to-be-shown-1234' } } }),
    );
    assert.equal(status.status, 'Succeeded');
  });
  after(async () => emu?.close());

  it('serves the page at /_emulator/ with a policy that lets it load only its own files', async () => {
    await emu.http().get('/_emulator').expect(301).expect('Location', '/_emulator/');
    const page = await emu.http().get('/_emulator/').expect(200);
    assert.match(page.headers['content-type'], /text\/html/);
    assert.match(page.headers['content-security-policy'], /default-src 'self'/);
    assert.match(page.headers['content-security-policy'], /frame-ancestors 'none'/);
    assert.match(page.text, /dashboard\/app\.js/);
    const js = await emu.http().get('/_emulator/dashboard/app.js').expect(200);
    assert.match(js.headers['content-type'], /javascript/);
    // Nothing from the internet: every script and stylesheet the page names is its own.
    for (const m of page.text.matchAll(/(?:src|href)="([^"]+)"/g)) assert.doesNotMatch(m[1], /^(https?:)?\/\//, `${m[1]} is fetched from elsewhere`);
  });

  it('shows the Hub stamp with its hosts, the cluster VMs by owner and role, and the cluster Running', async () => {
    const s = (await emu.http().get('/_emulator/dashboard/state').expect(200)).body;
    assert.equal(typeof s.version, 'number');
    assert.equal(s.auth, true);
    const hub = s.sites.find((x: any) => x.name === 'local');
    assert.equal(hub.kind, 'AzureStackHub');
    assert.equal(hub.connected, true);
    assert.ok(hub.hosts.length > 0 && hub.hosts.every((h: any) => h.state === 'Up' && h.cores >= h.freeCores));
    const mine = hub.vms.filter((v: any) => v.owner.toLowerCase() === cluster.toLowerCase());
    assert.deepEqual([...new Set(mine.map((v: any) => v.role))].sort(), ['controlPlane', 'loadBalancer', 'worker']);
    const used = hub.hosts.reduce((n: number, h: any) => n + (h.cores - h.freeCores), 0);
    assert.ok(used >= mine.reduce((n: number, v: any) => n + v.cores, 0), 'the hosts carry the VMs');
    const owner = hub.owners.find((o: any) => o.id.toLowerCase() === cluster.toLowerCase());
    assert.deepEqual([owner.name, owner.type, owner.kind, owner.state, owner.provisioningState], ['c1', 'Microsoft.ContainerService/managedClusters', 'cluster', 'Running', 'Succeeded']);
    assert.ok(hub.logicalNetworks.every((n: any) => typeof n.usedIps === 'number' && typeof n.freeIps === 'number'));
    // Azure regions with nothing on them are left out unless asked for.
    assert.ok(s.hiddenRegions > 10);
    assert.ok(!s.sites.some((x: any) => x.kind === 'AzureRegion'));
    const all = (await emu.http().get('/_emulator/dashboard/state?allRegions=true').expect(200)).body;
    assert.equal(all.hiddenRegions, 0);
    assert.ok(all.sites.filter((x: any) => x.kind === 'AzureRegion').length > 10);
  });

  it('lists operations with the resource name and type, and resources by subscription and group', async () => {
    const s = (await emu.http().get('/_emulator/dashboard/state').expect(200)).body;
    const op = s.operations.value.find((o: any) => o.resourceId.toLowerCase() === cluster.toLowerCase() && o.kind === 'create');
    assert.deepEqual([op.resourceName, op.resourceType, op.status, op.percentComplete, op.held], ['c1', 'Microsoft.ContainerService/managedClusters', 'Succeeded', 100, false]);
    assert.ok(op.endTime >= op.startTime);
    const detail = (await emu.http().get(`/_emulator/operations/${op.id}`).expect(200)).body;
    assert.ok(detail.tasks.some((t: any) => t.kind.startsWith('fabric.') && t.state === 'done'));

    assert.equal(s.subscriptions.find((x: any) => x.subscriptionId === SUB).resourceGroups, undefined, 'groups only when asked for');
    const withGroups = (await emu.http().get('/_emulator/dashboard/state?resourceGroups=true').expect(200)).body;
    const sub = withGroups.subscriptions.find((x: any) => x.subscriptionId === SUB);
    assert.equal(sub.resourceGroupCount, sub.resourceGroups.length);
    const groups = sub.resourceGroups.map((g: any) => g.name);
    assert.ok(groups.includes('dash') && groups.includes('MC_dash_c1_local'), groups.join());
    const rows = (
      await emu
        .http()
        .get('/_emulator/dashboard/resources')
        .query({ scope: `/subscriptions/${SUB}/resourceGroups/dash` })
        .expect(200)
    ).body.value;
    const c = rows.find((r: any) => r.name === 'c1');
    assert.deepEqual([c.type, c.location, c.provisioningState, c.depth], ['Microsoft.ContainerService/managedClusters', 'local', 'Succeeded', 0]);
    assert.ok(
      rows.some((r: any) => r.type === 'Microsoft.ContainerService/managedClusters/agentPools' && r.depth === 1),
      'pools follow their cluster',
    );
    await emu.http().get('/_emulator/dashboard/resources').query({ scope: 'nope' }).expect(400);
    const gone = await emu
      .http()
      .get('/_emulator/dashboard/resources')
      .query({ scope: `/subscriptions/${SUB}/resourceGroups/none` })
      .expect(404);
    assert.equal(gone.body.error.code, 'ResourceGroupNotFound');
    await emu.http().get('/_emulator/dashboard/resources').query({ scope: '/subscriptions/00000000-0000-0000-0000-00000000dead' }).expect(404);
  });

  it('names the custom location a resource is placed on', async () => {
    const rg = `/subscriptions/${SUB}/resourceGroups/dash`;
    const cl = `${rg}/providers/Microsoft.ExtendedLocation/customLocations/site`;
    const id = `${rg}/providers/Microsoft.AzureStackHCI/logicalNetworks/lnet`;
    // The read model only: stored directly, as the Arc chain would have stored it.
    await emu.services.resources.put({
      resource: {
        id,
        name: 'lnet',
        type: 'Microsoft.AzureStackHCI/logicalNetworks',
        location: 'eastus',
        extendedLocation: { type: 'CustomLocation', name: cl },
        properties: { provisioningState: 'Succeeded' },
      } as any,
      internal: {},
      parent: rg.toLowerCase(),
      typeKey: 'microsoft.azurestackhci/logicalnetworks',
    });
    try {
      const rows = (await emu.http().get('/_emulator/dashboard/resources').query({ scope: rg }).expect(200)).body.value;
      assert.deepEqual(rows.find((r: any) => r.name === 'lnet').extendedLocation, { type: 'CustomLocation', name: cl });
    } finally {
      await emu.services.resources.delete(id);
    }
  });

  it("shows a resource's JSON as ARM's GET does, with no secret in it", async () => {
    const r = await emu.http().get('/_emulator/dashboard/resource').query({ id: cluster }).expect(200);
    assert.equal(r.body.name, 'c1');
    assert.equal(r.body.properties.windowsProfile.adminUsername, 'azureuser');
    assert.doesNotMatch(r.text, /P@ssw0rd-not-to-be-shown|emulator-secret/);
    const missing = await emu
      .http()
      .get('/_emulator/dashboard/resource')
      .query({ id: clusterPath('dash', 'none') })
      .expect(404);
    assert.equal(missing.body.error.code, 'ResourceNotFound');
    await emu.http().get('/_emulator/dashboard/resource').expect(400);
  });

  it('the live feed says when something changed, and a disconnect makes the cluster Unreachable', async () => {
    let before = 0;
    const versions = await readEvents(emu, 2, async () => {
      before = (await emu.http().get('/_emulator/dashboard/state')).body.version;
      await emu.http().post('/_emulator/fabric/sites/local/disconnect').expect(200);
    });
    assert.ok(versions[1] > versions[0] && versions[1] > before, `versions ${versions} after ${before}`);
    try {
      const s = (await emu.http().get('/_emulator/dashboard/state').expect(200)).body;
      const hub = s.sites.find((x: any) => x.name === 'local');
      assert.equal(hub.connected, false);
      const owner = hub.owners.find((o: any) => o.id.toLowerCase() === cluster.toLowerCase());
      assert.equal(owner.state, 'Unreachable');
      assert.match(owner.stateText, /disconnected/);
    } finally {
      await emu.http().post('/_emulator/fabric/sites/local/connect').expect(200);
    }
  });

  it('changes need a service principal token; reads do not', async () => {
    const anon = () => emu.http().set('Authorization', '');
    await anon().get('/_emulator/dashboard/state').unset('Authorization').expect(200);
    const r = await anon().post('/_emulator/fabric/sites/local/disconnect').unset('Authorization').expect(401);
    assert.equal(r.body.error.code, 'AuthenticationFailed');
    await anon().post('/_emulator/operations/00000000-0000-0000-0000-000000000000/hold').unset('Authorization').expect(401);
    const health = (await emu.http().get('/_emulator/health').expect(200)).body;
    assert.deepEqual([health.auth, health.tokenEndpoint, health.audience], [true, '/adfs/oauth2/token', 'https://management.azure.com/']);
  });
});

describe('holding an operation (/_emulator/operations/{id}/hold, /release)', function () {
  this.timeout(60_000);
  let emu: TestEmulator | undefined;
  afterEach(async () => emu?.close());

  /** A create gated on two polls, so it is InProgress until the test polls. */
  async function gatedCreate(e: TestEmulator, name: string): Promise<{ opId: string; asyncUrl: string }> {
    await e
      .http()
      .put('/_emulator/operations/gates')
      .send({ rules: [{ typeKey: 'Microsoft.ContainerService/managedClusters', operation: 'create', gate: { mode: 'polls', polls: 2 } }] })
      .expect(200);
    await createGroup(e, 'dash', 'local');
    const res = await e
      .http()
      .put(`${clusterPath('dash', name)}?api-version=${HUB_API}`)
      .send(clusterBody('local'))
      .expect(201);
    const asyncUrl = new URL(res.headers['azure-asyncoperation']);
    return { opId: asyncUrl.pathname.split('/').pop()!, asyncUrl: asyncUrl.pathname + asyncUrl.search };
  }
  const poll = async (e: TestEmulator, url: string) => (await e.http().get(url).expect(200)).body;
  /** Waits (on the engine's state, not a clock) until every task of the operation has run. */
  async function tasksDone(e: TestEmulator, opId: string): Promise<void> {
    await waitUntil(() => e.services.asyncOperations.get(opId)!.tasks.every((t) => t.state === 'done'), { what: 'the tasks to run' });
  }

  it('a held operation stays InProgress after its tasks are done and its gate is met, until released', async () => {
    emu = await startAksEmulator();
    const { opId, asyncUrl } = await gatedCreate(emu, 'held');
    const held = await emu.http().post(`/_emulator/operations/${opId}/hold`).expect(200);
    assert.equal(held.body.held, true);
    await tasksDone(emu, opId);
    for (let i = 0; i < 4; i++) assert.equal((await poll(emu, asyncUrl)).status, 'InProgress');
    const op = emu.services.asyncOperations.get(opId)!;
    assert.ok(
      op.tasks.every((t) => t.state === 'done'),
      'its tasks ran',
    );
    assert.equal(op.percentComplete, 99);
    const released = await emu.http().post(`/_emulator/operations/${opId}/release`).expect(200);
    assert.equal(released.body.status, 'Succeeded');
    assert.equal((await poll(emu, asyncUrl)).status, 'Succeeded');
    const again = await emu.http().post(`/_emulator/operations/${opId}/hold`).expect(409);
    assert.equal(again.body.error.code, 'OperationNotInProgress');
    await emu.http().post('/_emulator/operations/00000000-0000-0000-0000-000000000000/release').expect(404);
  });

  it('a hold survives a restart', async () => {
    const dir = tmpDir();
    emu = await startAksEmulator(['--data-dir', dir]);
    const { opId, asyncUrl } = await gatedCreate(emu, 'kept');
    await emu.http().post(`/_emulator/operations/${opId}/hold`).expect(200);
    await tasksDone(emu, opId);
    for (let i = 0; i < 3; i++) await poll(emu, asyncUrl);
    await emu.services.store.flush();
    await emu.close();
    emu = await startAksEmulator(['--data-dir', dir]);
    for (let i = 0; i < 3; i++) assert.equal((await poll(emu, asyncUrl)).status, 'InProgress');
    const s = (await emu.http().get('/_emulator/dashboard/state').expect(200)).body;
    assert.equal(s.operations.value.find((o: any) => o.id === opId).held, true);
    await emu.http().post(`/_emulator/operations/${opId}/release`).expect(200);
    assert.equal((await emu.services.asyncOperations.waitFor(opId)).status, 'Succeeded');
  });
});
