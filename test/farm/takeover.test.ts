// kill -9 of the instance driving an operation: another instance on the same database takes the operation
// over and finishes it, nothing lost (emulators as real processes, so the kill is real).
import assert from 'node:assert/strict';
import { waitUntil } from '../support/wait.js';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { TLS_DIR, CLIENT_ID, SECRET, TENANT, SUB } from '../support/emulator.js';
import { sharedPostgres } from '../support/postgres.js';
import { clusterBody } from '../containerservice/helpers.js';

const RV = 'api-version=2021-04-01';
const AKS = 'api-version=2022-11-01';

function startProcess(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const main = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/main.js');
  const child = spawn(process.execPath, [main, '--port', '0', '--quiet', '--in-memory', '--cert', path.join(TLS_DIR, 'cert.pem'), '--key', path.join(TLS_DIR, 'key.pem'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (https:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.stderr!.on('data', (d) => (err += d));
    child.once('exit', (c) => reject(new Error(`emulator exited ${c}: ${err}`)));
  });
}

async function tokenFor(url: string): Promise<string> {
  const r = await request(url)
    .post(`/${TENANT}/oauth2/v2.0/token`)
    .type('form')
    .send({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET, scope: 'https://management.azure.com/.default' });
  return r.body.access_token;
}

describe('kill -9 of the instance driving an operation (PostgreSQL store)', function () {
  this.timeout(120_000);
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) c.kill('SIGKILL');
  });

  it('another instance takes the operation over and finishes it', async () => {
    const db = await (await sharedPostgres()).createDatabase('takeover');
    // The driver works at real durations (a cluster create takes about two minutes); the other finishes fast.
    const driver = await startProcess(['--store', db, '--time-scale', '1']);
    children.push(driver.child);
    const other = await startProcess(['--store', db, '--time-scale', '0']);
    children.push(other.child);
    const ta = await tokenFor(driver.url);
    const A = () => request.agent(driver.url).set('Authorization', `Bearer ${ta}`);
    const B = () => request.agent(other.url).set('Authorization', `Bearer ${ta}`); // a's token works on b
    assert.equal((await A().put(`/subscriptions/${SUB}/resourceGroups/tk?${RV}`).send({ location: 'local' })).status, 201);
    const put = await A()
      .put(`/subscriptions/${SUB}/resourceGroups/tk/providers/Microsoft.ContainerService/managedClusters/k1?${AKS}`)
      .send(clusterBody('local', { count: 2 }));
    assert.equal(put.status, 201, JSON.stringify(put.body));
    const opUrl = new URL(put.headers['azure-asyncoperation']);
    // the other instance sees it in progress (it is not driving it: the lease is held)
    const during = await B().get(opUrl.pathname + opUrl.search);
    assert.equal(during.body.status, 'InProgress');
    driver.child.kill('SIGKILL');
    await new Promise((r) => driver.child.once('exit', r));
    // polled until it ends, however loaded the machine (the guard is against a hang, not a poll count)
    const st = await waitUntil(
      async () => {
        const b = (await B().get(opUrl.pathname + opUrl.search)).body;
        return b.status === 'InProgress' ? undefined : b;
      },
      { what: 'the other instance to take the operation over and finish it', timeoutMs: 120_000, everyMs: 50 },
    );
    assert.equal(st.status, 'Succeeded', JSON.stringify(st));
    const c = await B().get(`/subscriptions/${SUB}/resourceGroups/tk/providers/Microsoft.ContainerService/managedClusters/k1?${AKS}`);
    assert.equal(c.body.properties.provisioningState, 'Succeeded');
    const vms = (await B().get('/_emulator/fabric?site=local')).body.sites[0].vms.filter((v: any) => v.owner.toLowerCase().endsWith('/managedclusters/k1'));
    assert.equal(vms.filter((v: any) => v.role === 'worker').length, 2);
    assert.ok(vms.every((v: any) => v.state === 'Running'));
  });
});
