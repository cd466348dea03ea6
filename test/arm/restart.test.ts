// Nothing lost: state survives a restart, and an operation in flight when the process stopped (or
// was killed) completes after the next start, never leaving its resource in a non-terminal state.
import assert from 'node:assert/strict';
import { waitUntil } from '../support/wait.js';
import { spawn } from 'node:child_process';
import path from 'node:path';
import request from 'supertest';
import { startTestEmulator, rgPath, waitForOperation, durableStore, STORE_KINDS, TLS_DIR, CLIENT_ID, SECRET, TENANT } from '../support/emulator.js';
import { testProvider, TEST_NS } from '../support/test-provider.js';
import { allProviders } from '../../src/providers/index.js';

const V = 'api-version=2024-01-01';
const RV = 'api-version=2021-04-01';

for (const kind of STORE_KINDS)
  describe(`restart and crash recovery (${kind} store)`, () => {
    it('state survives a restart', async () => {
      const store = await durableStore(kind);
      let emu = await startTestEmulator([...store]);
      for (let i = 0; i < 20; i++)
        await emu
          .http()
          .put(`${rgPath(`keep-${i}`)}?${RV}`)
          .send({ location: 'eastus', tags: { i: String(i) } });
      await emu.close();
      emu = await startTestEmulator([...store]);
      try {
        const r = await emu.http().get(`${rgPath('KEEP-7')}?${RV}`);
        assert.equal(r.status, 200);
        assert.deepEqual(r.body.tags, { i: '7' });
        assert.equal((await emu.http().get(`/subscriptions/${emu.config.subscriptions[0].subscriptionId}/resourcegroups?${RV}`)).body.value.length, 20);
      } finally {
        await emu.close();
      }
    });

    it('an operation interrupted by a stop resumes and completes at the next start', async () => {
      const store = await durableStore(kind);
      const providers = () => [...allProviders(), testProvider()];
      let emu = await startTestEmulator([...store, '--time-scale', '1'], { providers: providers() });
      await emu
        .http()
        .put(`${rgPath('r')}?${RV}`)
        .send({ location: 'eastus' });
      const put = await emu
        .http()
        .put(`${rgPath('r')}/providers/${TEST_NS}/widgets/w?${V}`)
        .send({ location: 'eastus', properties: { workMs: 60_000 } });
      assert.equal(put.status, 201);
      await emu.close(); // mid-operation
      emu = await startTestEmulator([...store, '--time-scale', '0'], { providers: providers() });
      try {
        const st = await waitForOperation(emu, put.headers['azure-asyncoperation']);
        assert.equal(st.status, 'Succeeded');
        const g = await emu.http().get(`${rgPath('r')}/providers/${TEST_NS}/widgets/w?${V}`);
        assert.equal(g.body.properties.provisioningState, 'Succeeded');
        assert.equal(emu.services.asyncOperations.get(st.name)!.resumed, 1);
      } finally {
        await emu.close();
      }
    });

    it('a resource group delete interrupted by SIGKILL of the emulator process completes after restart', async function () {
      this.timeout(60_000);
      const store = await durableStore(kind);
      const main = path.resolve('dist/src/main.js');
      const start = (scale: string) => {
        const child = spawn(process.execPath, [main, '--port', '0', '--quiet', ...store, '--time-scale', scale, '--cert', path.join(TLS_DIR, 'cert.pem'), '--key', path.join(TLS_DIR, 'key.pem')], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        return new Promise<{ child: typeof child; url: string }>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (d) => {
            out += d;
            const m = /listening on (https:\/\/\S+)/.exec(out);
            if (m) resolve({ child, url: m[1] });
          });
          child.once('exit', (c) => reject(new Error(`emulator exited ${c}: ${out}`)));
        });
      };
      const token = async (url: string) =>
        (
          await request(url)
            .post(`/${TENANT}/oauth2/v2.0/token`)
            .type('form')
            .send({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET, scope: 'https://management.azure.com/.default' })
        ).body.access_token;
      // At time scale 1 a group's delete takes seconds of simulated time: kill the process inside it.
      let { child, url } = await start('1');
      let t = await token(url);
      const api = () => request.agent(url).set('Authorization', `Bearer ${t}`);
      await api()
        .put(`${rgPath('crash')}?${RV}`)
        .send({ location: 'eastus' });
      assert.equal(
        (
          await api()
            .put(`${rgPath('crash')}?${RV}`)
            .send({ location: 'eastus' })
        ).status,
        200,
      );
      const d = await api().delete(`${rgPath('crash')}?${RV}`);
      assert.equal(d.status, 202);
      const inflight = new URL(d.headers['azure-asyncoperation']);
      assert.equal((await api().get(inflight.pathname + inflight.search)).body.status, 'InProgress');
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      ({ child, url } = await start('0'));
      t = await token(url);
      try {
        const opPath = new URL(d.headers['azure-asyncoperation']);
        const status = await waitUntil(
          async () => {
            const s: string = (await api().get(opPath.pathname + opPath.search)).body.status;
            return s === 'InProgress' ? undefined : s;
          },
          { what: 'the resumed delete to finish', everyMs: 20 },
        );
        assert.equal(status, 'Succeeded');
        assert.equal((await api().get(`${rgPath('crash')}?${RV}`)).status, 404);
      } finally {
        child.kill('SIGTERM');
      }
    });
  });
