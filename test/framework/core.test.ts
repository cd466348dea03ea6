// The resource manager: a provider folder that exists only in tests (Microsoft.Sample)
// gets a long-running PUT with children and a fabric plan, over HTTP and in process; operations
// always end, whatever a task throws, with what they allocated undone, also across a restart;
// bodies nested too deep are refused before anything is stored; concurrent creates of one name
// get one 201 and 409s.
import assert from 'node:assert/strict';
import { waitUntil } from '../support/wait.js';
import { startTestEmulator, rgPath, tmpDir, waitForOperation, type TestEmulator } from '../support/emulator.js';
import { allProviders } from '../../src/providers/index.js';
import { sampleProvider, SAMPLE_API, SAMPLE_NS } from '../support/providers/Microsoft.Sample/index.js';

const machine = (rg: string, n: string) => `${rgPath(rg)}/providers/${SAMPLE_NS}/machines/${n}`;
const Q = `api-version=${SAMPLE_API}`;

async function start(args: string[] = []): Promise<TestEmulator> {
  return startTestEmulator(args, { providers: [...allProviders(), sampleProvider()] });
}

async function freeCores(emu: TestEmulator, site = 'local'): Promise<number> {
  const snap = await emu.services.fabric!.snapshot({ site });
  return snap.sites[0].hosts.reduce((s, h) => s + h.freeCores, 0);
}

describe('framework: the resource manager', function () {
  this.timeout(60_000);
  let emu: TestEmulator;
  before(async () => {
    emu = await start();
    await emu
      .http()
      .put(`${rgPath('core')}?api-version=2021-04-01`)
      .send({ location: 'local' });
  });
  after(async () => emu.close());

  it('a new type with a long-running PUT, children and a fabric plan works from its own folder alone', async () => {
    const before = await freeCores(emu);
    const r = await emu
      .http()
      .put(`${machine('core', 'm1')}?${Q}`)
      .send({ location: 'local', properties: { vmCount: 2, diskCount: 2 } });
    assert.equal(r.status, 201);
    assert.equal(r.body.properties.provisioningState, 'Creating');
    // children were stored in the same write as the machine
    const kids = await emu.http().get(`${machine('core', 'm1')}/disks?${Q}`);
    assert.deepEqual(
      kids.body.value.map((d: any) => d.name),
      ['disk0', 'disk1'],
    );
    const st = await waitForOperation(emu, r.headers['azure-asyncoperation']);
    assert.equal(st.status, 'Succeeded');
    const d0 = await emu.http().get(`${machine('core', 'm1')}/disks/disk0?${Q}`);
    assert.equal(d0.body.properties.provisioningState, 'Succeeded');
    assert.equal(emu.services.fabric!.ownerVms(r.body.id).length, 2);
    assert.equal(await freeCores(emu), before - 4); // 2 x Standard_DS2_v2
    const del = await emu.http().delete(`${machine('core', 'm1')}?${Q}`);
    assert.equal(del.status, 202);
    assert.equal((await waitForOperation(emu, del.headers['azure-asyncoperation'])).status, 'Succeeded');
    assert.equal((await emu.http().get(`${machine('core', 'm1')}/disks/disk0?${Q}`)).status, 404);
    assert.equal(emu.services.fabric!.ownerVms(r.body.id).length, 0);
    assert.equal(await freeCores(emu), before);
  });

  it('in process: the core changes resources by id with no HTTP request, and waitFor ends with the operation', async () => {
    const id = machine('core', 'inproc');
    const res = await emu.services.resourceManager.put(id, { location: 'local', properties: { vmCount: 1, diskCount: 1 } });
    assert.equal(res.status, 201);
    assert.ok(res.operation);
    const op = await emu.services.resourceManager.waitFor(res.operation!.id);
    assert.equal(op.status, 'Succeeded');
    const got = await emu.services.resourceManager.get(id);
    assert.equal((got.body as any).properties.provisioningState, 'Succeeded');
    const del = await emu.services.resourceManager.delete(id);
    await emu.services.resourceManager.waitFor(del.operation!.id);
    assert.equal((await emu.http().get(`${id}?${Q}`)).status, 404);
  });

  it('a task that throws ends its operation Failed (InternalOperationError), the resource Failed, capacity back', async () => {
    const before = await freeCores(emu);
    const r = await emu
      .http()
      .put(`${machine('core', 'boom')}?${Q}`)
      .send({ location: 'local', properties: { vmCount: 3, diskCount: 1, explode: true } });
    assert.equal(r.status, 201);
    const st = await waitForOperation(emu, r.headers['azure-asyncoperation']);
    assert.equal(st.status, 'Failed');
    assert.equal(st.error.code, 'InternalOperationError');
    assert.match(st.error.message, /boom/);
    const g = await emu.http().get(`${machine('core', 'boom')}?${Q}`);
    assert.equal(g.body.properties.provisioningState, 'Failed');
    assert.equal((await emu.http().get(`${machine('core', 'boom')}/disks/disk0?${Q}`)).body.properties.provisioningState, 'Failed');
    assert.equal(emu.services.fabric!.ownerVms(r.body.id).length, 0);
    assert.equal(await freeCores(emu), before);
    // and it can be deleted afterwards
    const del = await emu.http().delete(`${machine('core', 'boom')}?${Q}`);
    assert.equal((await waitForOperation(emu, del.headers['azure-asyncoperation'])).status, 'Succeeded');
  });

  it('a body nested deeper than 64 levels is refused with 400 before anything is stored', async () => {
    let kind: any = 'x';
    for (let i = 0; i < 2000; i++) kind = { k: kind };
    const path = `${rgPath('core')}/providers/Microsoft.ContainerService/managedClusters/deep?api-version=2022-11-01`;
    const r = await emu
      .http()
      .put(path)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ location: 'local', kind, properties: {} }));
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'InvalidRequestContent');
    assert.match(r.body.error.message, /64 levels/);
    assert.equal((await emu.http().get(path)).status, 404);
  });

  it('concurrent creates of one new name: the first gets 201, the rest 409 while its operation runs', async () => {
    emu.services.asyncOperations.setGateRules([{ typeKey: 'microsoft.sample/machines', operation: 'create', gate: { mode: 'polls', polls: 1000 } }]);
    try {
      const rs = await Promise.all(
        Array.from({ length: 6 }, () =>
          emu
            .http()
            .put(`${machine('core', 'race')}?${Q}`)
            .send({ location: 'local', properties: { vmCount: 0 } }),
        ),
      );
      const codes = rs.map((r) => r.status).sort();
      assert.deepEqual(codes, [201, 409, 409, 409, 409, 409]);
      for (const r of rs.filter((x) => x.status === 409)) assert.equal(r.body.error.code, 'AnotherOperationInProgress');
      assert.equal(emu.services.asyncOperations.list().filter((o) => o.resourceId.toLowerCase() === machine('core', 'race').toLowerCase()).length, 1);
    } finally {
      emu.services.asyncOperations.setGateRules([]);
    }
  });

  it('resource-group lists honour $filter and refuse a malformed one', async () => {
    await emu
      .http()
      .put(`${rgPath('tagged')}?api-version=2021-04-01`)
      .send({ location: 'eastus', tags: { team: 'a' } });
    const f = await emu.http().get(`/subscriptions/${rgPath('x').split('/')[2]}/resourcegroups?api-version=2021-04-01&$filter=${encodeURIComponent("tagName eq 'team'")}`);
    assert.equal(f.status, 200);
    assert.deepEqual(
      f.body.value.map((g: any) => g.name),
      ['tagged'],
    );
    const bad = await emu.http().get(`/subscriptions/${rgPath('x').split('/')[2]}/resourcegroups?api-version=2021-04-01&$filter=(((`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'InvalidFilterInQueryString');
  });
});

describe('framework: operations end across a restart', function () {
  this.timeout(60_000);
  it('a completion that cannot be stored ends the operation Failed with its VMs undone, not InProgress forever', async () => {
    const emu = await start(['--data-dir', tmpDir()]);
    try {
      await emu
        .http()
        .put(`${rgPath('uns')}?api-version=2021-04-01`)
        .send({ location: 'local' });
      const before = await freeCores(emu);
      const r = await emu
        .http()
        .put(`${machine('uns', 'm')}?${Q}`)
        .send({ location: 'local', properties: { vmCount: 2, unstorable: true } });
      assert.equal(r.status, 201);
      const st = await waitForOperation(emu, r.headers['azure-asyncoperation']);
      assert.equal(st.status, 'Failed');
      assert.equal(st.error.code, 'InternalOperationError');
      const g = await emu.http().get(`${machine('uns', 'm')}?${Q}`);
      assert.equal(g.status, 200);
      assert.equal(g.body.properties.provisioningState, 'Failed');
      assert.equal(emu.services.fabric!.ownerVms(r.body.id).length, 0);
      assert.equal(await freeCores(emu), before);
    } finally {
      await emu.close();
    }
  });

  it('an operation whose task throws after a restart ends Failed with its VMs undone', async () => {
    const dir = tmpDir();
    let emu = await start(['--data-dir', dir, '--time-scale', '1']);
    let before: number | undefined;
    try {
      await emu
        .http()
        .put(`${rgPath('rs')}?api-version=2021-04-01`)
        .send({ location: 'local' });
      before = await freeCores(emu);
      // the VMs are made at once; the exploding task waits a minute of simulated time
      const r = await emu
        .http()
        .put(`${machine('rs', 'm')}?${Q}`)
        .send({ location: 'local', properties: { vmCount: 2, explode: true, finishMs: 60_000 } });
      assert.equal(r.status, 201);
      const running = emu;
      await waitUntil(() => running.services.fabric!.ownerVms(r.body.id).length >= 2, { what: 'the two VMs', everyMs: 1 });
      assert.equal(emu.services.fabric!.ownerVms(r.body.id).length, 2);
    } finally {
      await emu.close();
    }
    emu = await start(['--data-dir', dir, '--time-scale', '0']);
    try {
      const op = emu.services.asyncOperations.list().find((o) => o.resourceId.toLowerCase() === machine('rs', 'm').toLowerCase())!;
      const done = await emu.services.resourceManager.waitFor(op.id);
      assert.equal(done.status, 'Failed');
      assert.equal(done.error?.code, 'InternalOperationError');
      assert.equal((await emu.http().get(`${machine('rs', 'm')}?${Q}`)).body.properties.provisioningState, 'Failed');
      assert.equal(emu.services.fabric!.ownerVms(op.resourceId).length, 0);
      assert.equal(await freeCores(emu), before);
    } finally {
      await emu.close();
    }
  });
});
