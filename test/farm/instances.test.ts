// Several emulator instances on one PostgreSQL database (issue 23): each serves from its own memory, yet reads
// see writes made through any instance, tokens of one are accepted by all, ETags hold across them, fabric
// capacity stays exact under concurrent creates split over both, and admin resets and snapshots reach all.
import assert from 'node:assert/strict';
import { waitUntil } from '../support/wait.js';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { startTestEmulator, rgPath, waitForOperation, SUB, CA_PATH, type TestEmulator } from '../support/emulator.js';
import { sharedPostgres, TestPostgres } from '../support/postgres.js';
import { clusterBody, clusterPath, createGroup, startAksEmulator } from '../containerservice/helpers.js';
import { holdsCapacity } from '../../src/fabric/model.js';

const RV = 'api-version=2021-04-01';
const AKS = 'api-version=2022-11-01';

describe('two instances on one PostgreSQL database', function () {
  this.timeout(180_000);
  let a: TestEmulator;
  let b: TestEmulator;
  before(async () => {
    const url = await (await sharedPostgres()).createDatabase('farm');
    a = await startAksEmulator(['--store', url]);
    b = await startAksEmulator(['--store', url]);
  });
  after(async () => {
    await a?.close();
    await b?.close();
  });

  it('reads on one instance see writes made through the other, and a token of one is accepted by the other', async () => {
    const put = await a
      .http()
      .put(`${rgPath('shared')}?${RV}`)
      .send({ location: 'eastus', tags: { by: 'a' } });
    assert.equal(put.status, 201);
    const got = await b.http().get(`${rgPath('shared')}?${RV}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body.tags, { by: 'a' });
    // b's own client, with a's token
    const withA = await b
      .http()
      .get(`${rgPath('shared')}?${RV}`)
      .set('Authorization', `Bearer ${a.token}`);
    assert.equal(withA.status, 200);
    const del = await b.http().delete(`${rgPath('shared')}?${RV}`);
    assert.ok([200, 202].includes(del.status));
    if (del.status === 202) await waitForOperation(b, del.headers['azure-asyncoperation'] ?? del.headers.location, Infinity);
    assert.equal((await a.http().get(`${rgPath('shared')}?${RV}`)).status, 404);
  });

  it("the dashboard's live feed on one instance hears of a write made through the other (LISTEN/NOTIFY, no request to it)", async () => {
    const u = new URL(`${b.url}/_emulator/dashboard/events`);
    const versions: number[] = [];
    let more: () => void = () => undefined;
    const req = https.get({ hostname: u.hostname, port: u.port, path: u.pathname, ca: readFileSync(CA_PATH) }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        for (const m of chunk.matchAll(/data: \{"version":(\d+)\}/g)) versions.push(Number(m[1]));
        more();
      });
    });
    try {
      const next = () => new Promise<void>((r) => (more = r));
      while (versions.length === 0) await next();
      const first = versions[0];
      assert.equal(
        (
          await a
            .http()
            .put(`${rgPath('live')}?${RV}`)
            .send({ location: 'eastus' })
        ).status,
        201,
      );
      while (!versions.some((v) => v > first)) await next();
    } finally {
      req.destroy();
    }
  });

  it('If-Match holds across instances: an ETag superseded through one instance is refused on the other', async () => {
    const first = await a
      .http()
      .put(`${rgPath('etag')}?${RV}`)
      .send({ location: 'eastus' });
    const etag = first.headers.etag;
    assert.ok(etag);
    const second = await b
      .http()
      .put(`${rgPath('etag')}?${RV}`)
      .set('If-Match', etag)
      .send({ location: 'eastus', tags: { v: '2' } });
    assert.equal(second.status, 200);
    const stale = await a
      .http()
      .put(`${rgPath('etag')}?${RV}`)
      .set('If-Match', etag)
      .send({ location: 'eastus', tags: { v: '3' } });
    assert.equal(stale.status, 412);
    assert.equal(stale.body.error.code, 'PreconditionFailed');
    assert.deepEqual((await a.http().get(`${rgPath('etag')}?${RV}`)).body.tags, { v: '2' });
  });

  it('20 concurrent cluster creates split over both instances use exactly the capacity of the ones that succeeded', async () => {
    await createGroup(a, 'cap', 'local');
    const names = Array.from({ length: 20 }, (_, i) => `c${i}`);
    const puts = await Promise.all(
      names.map((n, i) =>
        (i % 2 ? b : a)
          .http()
          .put(`${clusterPath('cap', n)}?${AKS}`)
          .send(clusterBody('local', { count: 3 })),
      ),
    );
    const started = names.filter((_, i) => puts[i].status === 201);
    for (const [i, r] of puts.entries()) assert.ok([201, 409].includes(r.status), `${names[i]}: ${r.status} ${JSON.stringify(r.body)}`);
    const finals = await Promise.all(
      names.map(async (n, i) => {
        if (puts[i].status !== 201) return 'Refused';
        return (await waitForOperation(i % 2 ? b : a, puts[i].headers['azure-asyncoperation'], Infinity)).status as string;
      }),
    );
    const ok = names.filter((_, i) => finals[i] === 'Succeeded');
    assert.ok(ok.length > 0, 'some clusters fit');
    assert.ok(ok.length < 20, `the Hub stamp cannot hold 20 such clusters (${started.length} started, ${ok.length} succeeded)`);
    await a.services.store.sync();
    await b.services.store.sync();
    for (const emu of [a, b]) {
      const site = await emu.services.fabric!.site('local').snapshot();
      const vms = site.vms.filter((v) => v.owner.toLowerCase().includes('/resourcegroups/cap/'));
      const owners = new Set(vms.map((v) => v.owner.toLowerCase().split('/').pop()));
      assert.deepEqual([...owners].sort(), ok.map((n) => n.toLowerCase()).sort(), 'only the clusters that succeeded hold VMs');
      // used capacity = exactly what the stored VMs hold, host by host, on both instances
      const all = emu.services.fabric!.site('local').allVms();
      for (const h of site.hosts) {
        const held = all.filter((v) => v.host === h.name && holdsCapacity(v)).reduce((s, v) => s + v.cores, 0);
        assert.equal(h.cores - h.freeCores, h.state === 'Up' ? held : h.cores - h.freeCores, `host ${h.name}`);
        assert.ok(h.freeCores >= 0, `host ${h.name} over-committed`);
      }
    }
    // Both views converge (each instance caught up with the other: work the failed creates leave behind, such as
    // their rollbacks, may still be landing through either instance).
    const free = async (emu: TestEmulator) => {
      await emu.services.store.sync();
      return JSON.stringify((await emu.services.fabric!.site('local').snapshot()).hosts.map((h) => h.freeCores));
    };
    let last: string[] = [];
    await waitUntil(async () => (last = [await free(a), await free(b)])[0] === last[1], { what: 'both instances to see the same free capacity', everyMs: 50 }).catch(() => {
      assert.fail(`both instances see the same free capacity: ${last[0]} against ${last[1]}`);
    });
  });

  it('a subscription created through one instance is usable on the other with its own principal; reset empties it atomically', async () => {
    const made = await a.http().post('/_emulator/subscriptions').send({ displayName: 'job-1', servicePrincipal: true });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const { subscriptionId, servicePrincipal } = made.body;
    assert.ok(servicePrincipal.clientSecret);
    // the job's principal signs in on b and works in its subscription
    const tok = await b
      .http()
      .post(`/${servicePrincipal.tenantId}/oauth2/v2.0/token`)
      .type('form')
      .send({ grant_type: 'client_credentials', client_id: servicePrincipal.clientId, client_secret: servicePrincipal.clientSecret, scope: `${b.url}/.default` });
    assert.equal(tok.status, 200, JSON.stringify(tok.body));
    const job = (emu: TestEmulator) => (m: 'get' | 'put' | 'delete', p: string) => emu.http()[m](p).set('Authorization', `Bearer ${tok.body.access_token}`);
    const rg = `/subscriptions/${subscriptionId}/resourceGroups/work`;
    assert.equal((await job(b)('put', `${rg}?${RV}`).send({ location: 'local' })).status, 201);
    const put = await job(b)('put', `${rg}/providers/Microsoft.ContainerService/managedClusters/k?${AKS}`).send(clusterBody('local', { count: 1 }));
    assert.equal(put.status, 201, JSON.stringify(put.body));
    assert.equal((await waitForOperation(b, put.headers['azure-asyncoperation'], Infinity)).status, 'Succeeded');
    // the job's principal cannot see the default subscription's groups
    assert.equal((await job(a)('get', `${rgPath('etag')}?${RV}`)).status, 403);
    const usedBefore = (await a.services.fabric!.site('local').snapshot()).capacity!.freeCores;
    const r = await a.http().post(`/_emulator/subscriptions/${subscriptionId}/reset`).send();
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal((await job(b)('get', `${rg}?${RV}`)).status, 404);
    assert.equal((await job(a)('get', `${rg}?${RV}`)).status, 404);
    const freed = (await b.services.fabric!.site('local').snapshot()).capacity!.freeCores;
    assert.ok(freed > usedBefore, 'its fabric allocations are released');
    assert.equal(
      b.services
        .fabric!.site('local')
        .allVms()
        .filter((v) => v.owner.toLowerCase().startsWith(`/subscriptions/${subscriptionId}`)).length,
      0,
    );
    // the subscription and its principal stay usable
    assert.equal((await job(b)('put', `${rg}?${RV}`).send({ location: 'eastus' })).status, 201);
  });

  it('a snapshot exported through one instance imports through the other; a damaged one is refused and changes nothing', async () => {
    await a
      .http()
      .put(`${rgPath('snap')}?${RV}`)
      .send({ location: 'eastus', tags: { at: 'export' } });
    const exp = await a
      .http()
      .get(`/_emulator/snapshots?subscriptionId=${SUB}`)
      .buffer(true)
      .parse((res, cb) => {
        let t = '';
        res.on('data', (c) => (t += c));
        res.on('end', () => cb(null, t));
      });
    assert.equal(exp.status, 200);
    const text = exp.body as string;
    await a
      .http()
      .put(`${rgPath('snap')}?${RV}`)
      .send({ location: 'eastus', tags: { at: 'later' } });
    await a
      .http()
      .put(`${rgPath('after-export')}?${RV}`)
      .send({ location: 'eastus' });
    const damaged = text.replace('"export"', '"exporT"');
    const bad = await b.http().post('/_emulator/snapshots').set('Content-Type', 'application/json').send(damaged);
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /checksum/);
    assert.equal((await b.http().get(`${rgPath('after-export')}?${RV}`)).status, 200, 'nothing changed');
    const foreign = await b
      .http()
      .post('/_emulator/snapshots')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ format: 'something-else', version: 1 }));
    assert.equal(foreign.status, 400);
    // The import replaces the subscription in one write, whatever the other instance's background work (the
    // Kubernetes controllers of the clusters earlier tests made) writes meanwhile: never a 409.
    const imp = await b.http().post('/_emulator/snapshots').set('Content-Type', 'application/json').send(text);
    assert.equal(imp.status, 200, JSON.stringify(imp.body));
    assert.deepEqual((await a.http().get(`${rgPath('snap')}?${RV}`)).body.tags, { at: 'export' });
    assert.equal((await a.http().get(`${rgPath('after-export')}?${RV}`)).status, 404);
  });
});

describe('a single instance on PostgreSQL', function () {
  this.timeout(120_000);
  it('answers 503 with Retry-After while its database is away, loses nothing acknowledged, and serves again when it is back', async () => {
    const server = await TestPostgres.start();
    const emu = await startTestEmulator(['--store', await server.createDatabase('away')]);
    try {
      assert.equal(
        (
          await emu
            .http()
            .put(`${rgPath('kept')}?${RV}`)
            .send({ location: 'eastus' })
        ).status,
        201,
      );
      await server.stop();
      const during = await emu.http().get(`${rgPath('kept')}?${RV}`);
      assert.equal(during.status, 503);
      assert.equal(during.body.error.code, 'ServiceUnavailable');
      assert.ok(Number(during.headers['retry-after']) > 0);
      const write = await emu
        .http()
        .put(`${rgPath('lost')}?${RV}`)
        .send({ location: 'eastus' });
      assert.equal(write.status, 503);
      await server.resume();
      await waitUntil(async () => (await emu.http().get(`${rgPath('kept')}?${RV}`)).status === 200, { what: 'the emulator to read from the database again', everyMs: 50 });
      assert.equal((await emu.http().get(`${rgPath('lost')}?${RV}`)).status, 404, 'the refused write did not happen');
      assert.equal(
        (
          await emu
            .http()
            .put(`${rgPath('after')}?${RV}`)
            .send({ location: 'eastus' })
        ).status,
        201,
      );
    } finally {
      await emu.close();
      await server.stop();
    }
  });

  it('starts with a clear error naming a database that is down', async () => {
    await assert.rejects(
      startTestEmulator(['--store', 'postgres://nobody:pw@127.0.0.1:1/none']),
      (e: Error) => /postgres:\/\/nobody@127\.0\.0\.1:1\/none/.test(e.message) && !e.message.includes(':pw@'),
    );
  });
});
