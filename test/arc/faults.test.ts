// Site faults reach the Arc resources (disconnect → bridge Offline, work fails with SiteDisconnected
// after the bounded wait, reconnect → Running), and a crash in the middle of a bridge or extension
// install ends, after a restart, in a terminal state with nothing leaked.
import assert from 'node:assert/strict';
import { startTestEmulator, tmpDir, waitForOperation, type TestEmulator } from '../support/emulator.js';
import { onFirstRefusal } from '../support/refusals.js';
import { waitUntil } from '../support/wait.js';
import { applianceBody, applianceId, buildPlatform, extensionBody, extensionId, put, rg, site, V } from './helpers.js';

const admin = (emu: TestEmulator, what: 'disconnect' | 'connect') => emu.http().post(`/_emulator/fabric/sites/hci-site-1/${what}`);

describe('Arc platform: site faults and restarts', function () {
  this.timeout(60_000);

  it('disconnect → bridge Offline and installs fail with SiteDisconnected; reconnect → Running', async () => {
    const emu = await startTestEmulator();
    try {
      const { app } = await buildPlatform(emu);
      assert.equal((await admin(emu, 'disconnect')).status, 200);
      let a = (await emu.http().get(`${app}?api-version=${V.appliance}`)).body;
      assert.equal(a.properties.status, 'Offline');
      assert.equal(a.properties.provisioningState, 'Succeeded');
      // an install on the disconnected site waits (bounded; 0 at --time-scale 0), then fails, leaving no package
      const ext = extensionId(app, 'late');
      const r = await put(emu, ext, V.extension, extensionBody('Microsoft.HybridAKSOperator'), 201);
      const st = await waitForOperation(emu, r.headers['azure-asyncoperation']);
      assert.equal(st.status, 'Failed');
      assert.equal(st.error.code, 'SiteDisconnected');
      assert.match(st.error.message, /hci-site-1.*disconnected/);
      const e = (await emu.http().get(`${ext}?api-version=${V.extension}`)).body;
      assert.equal(e.properties.provisioningState, 'Failed');
      assert.equal(e.properties.errorInfo.code, 'SiteDisconnected');
      // a custom location cannot be made on an offline bridge
      const cl = await put(
        emu,
        `${rg()}/providers/Microsoft.ExtendedLocation/customLocations/cl-off`,
        V.customLocation,
        { location: 'eastus', properties: { hostResourceId: app, namespace: 'x' } },
        400,
      );
      assert.match(cl.body.error.message, /offline/);
      // an update of the bridge fails the same way
      const u = await put(emu, app, V.appliance, applianceBody(), 200);
      assert.equal((await waitForOperation(emu, u.headers['azure-asyncoperation'])).error.code, 'SiteDisconnected');
      assert.equal((await admin(emu, 'connect')).status, 200);
      a = (await emu.http().get(`${app}?api-version=${V.appliance}`)).body;
      assert.equal(a.properties.status, 'Running');
      // the failed update is retried once the site is back
      const u2 = await put(emu, app, V.appliance, applianceBody(), 200);
      assert.equal((await waitForOperation(emu, u2.headers['azure-asyncoperation'])).status, 'Succeeded');
      const s = await site(emu);
      assert.ok(!s.packages.some((p: any) => p.owner === ext));
      // the failed extension can be retried once the site is back
      const again = await put(emu, ext, V.extension, extensionBody('Microsoft.HybridAKSOperator'), 200);
      assert.equal((await waitForOperation(emu, again.headers['azure-asyncoperation'])).status, 'Succeeded');
    } finally {
      await emu.close();
    }
  });

  it('an install waiting on a disconnected site carries on when the site reconnects within the bounded wait', async () => {
    const emu = await startTestEmulator();
    try {
      const { app } = await buildPlatform(emu);
      // install: 20 s x 0.05 = 1 s of work, then the site. At the site's first refusal the scale goes to 1 before
      // anything else runs (the wait for a disconnected site, 30 s then, follows the scale in force), whatever the
      // machine's load: the test looks at the extension and reconnects the site within that wait.
      await emu.http().put('/_emulator/operations/time-scale').send({ timeScale: 0.05 });
      await admin(emu, 'disconnect');
      const ext = extensionId(app, 'patient');
      // when the site first refuses the install, the operation is in its wait: the extension is still Creating,
      // and the site reconnects then
      let during: string | undefined;
      const reconnected = onFirstRefusal(emu.services.fabric!.site('hci-site-1'), 'SiteDisconnected', async () => {
        emu.services.asyncOperations.setTimeScale(1);
        during = (await emu.http().get(`${ext}?api-version=${V.extension}`)).body.properties.provisioningState;
        assert.equal((await admin(emu, 'connect')).status, 200);
        emu.services.asyncOperations.setTimeScale(0);
      });
      const r = await put(emu, ext, V.extension, extensionBody('Microsoft.HybridAKSOperator'), 201);
      await reconnected;
      assert.equal(during, 'Creating');
      const st = await waitForOperation(emu, r.headers['azure-asyncoperation']);
      assert.equal(st.status, 'Succeeded', JSON.stringify(st.error));
    } finally {
      await emu.close();
    }
  });

  it('the bridge status moves WaitingForHeartbeat → Validating → Connecting → Running as the fabric brings it up', async () => {
    const emu = await startTestEmulator(['--time-scale', '0.01']);
    try {
      await put(emu, rg(), V.rg, { location: 'eastus' }, 201);
      const id = applianceId();
      const first = await put(emu, id, V.appliance, applianceBody(), 201);
      const seen = [first.body.properties.status];
      await waitUntil(
        async () => {
          const g = (await emu.http().get(`${id}?api-version=${V.appliance}`)).body.properties;
          if (seen[seen.length - 1] !== g.status) seen.push(g.status);
          return g.provisioningState === 'Succeeded';
        },
        { what: 'the bridge to be Succeeded' },
      );
      assert.deepEqual(
        seen.filter((x, i) => seen.indexOf(x) === i),
        ['WaitingForHeartbeat', 'Validating', 'Connecting', 'Running'],
      );
    } finally {
      await emu.close();
    }
  });

  for (const what of ['bridge', 'extension'] as const) {
    it(`a crash in the middle of a ${what} install: after restart the operation is resumed and finishes it, with nothing leaked`, async () => {
      const dir = tmpDir();
      let emu = await startTestEmulator(['--data-dir', dir, '--time-scale', '0']);
      let id: string;
      const opOf = (e: TestEmulator) => e.services.asyncOperations.list().find((o) => o.resourceId.toLowerCase() === id.toLowerCase());
      try {
        if (what === 'extension') {
          const { app } = await buildPlatform(emu);
          id = extensionId(app, 'crashy');
        } else {
          await put(emu, rg(), V.rg, { location: 'eastus' }, 201);
          id = applianceId();
        }
        // Simulated time drives where the crash lands, whatever the machine's load.
        if (what === 'extension') {
          // The install is one 20 s task (its wait comes before its work): at time scale 1 the crash lands inside it.
          await emu.http().put('/_emulator/operations/time-scale').send({ timeScale: 1 });
          await put(emu, id, V.extension, extensionBody('Microsoft.AZStackHCI.Operator'), 201);
          await waitUntil(() => opOf(emu)?.tasks.some((t) => t.state === 'running'), { what: 'the install to start' });
        } else {
          // The bridge: its VM (30 s), then validate and connect (10 s each). The VM's wait is taken at 0.02 (0.6 s);
          // the moment the site has made the VM the scale goes to 1 (durations under way follow it), so the crash
          // lands in the 10 s after the VM is up, before the bridge connects, however long the PUT's answer takes.
          const hci = emu.services.fabric!.site('hci-site-1') as unknown as { createVm: (...a: unknown[]) => Promise<unknown> };
          const createVm = hci.createVm.bind(hci);
          hci.createVm = async (...a: unknown[]) => {
            const vm = await createVm(...a);
            emu.services.asyncOperations.setTimeScale(1);
            return vm;
          };
          await emu.http().put('/_emulator/operations/time-scale').send({ timeScale: 0.02 });
          await put(emu, id, V.appliance, applianceBody(), 201);
          await waitUntil(() => emu.services.fabric!.ownerVms(id).length > 0, { what: "the bridge's VM" });
          assert.equal(emu.services.fabric!.ownerVms(id).length, 1);
        }
        const mid = opOf(emu)!;
        assert.equal(mid.status, 'InProgress', 'the crash comes in the middle of the install');
        assert.ok(
          mid.tasks.some((t) => t.state !== 'done'),
          'tasks remain when the emulator stops',
        );
      } finally {
        await emu.close();
      }
      emu = await startTestEmulator(['--data-dir', dir, '--time-scale', '0']);
      try {
        const op = opOf(emu);
        assert.ok(op, 'the interrupted operation survives the restart');
        const done = await emu.services.resourceManager.waitFor(op.id);
        // resumed by the engine (not dropped, not failed for want of a driver), and the install completed
        assert.ok((done.resumed ?? 0) >= 1, `resumed ${done.resumed}`);
        assert.equal(done.status, 'Succeeded', JSON.stringify(done.error));
        const v = what === 'bridge' ? V.appliance : V.extension;
        const r = (await emu.http().get(`${id}?api-version=${v}`)).body;
        assert.equal(r.properties.provisioningState, 'Succeeded');
        const s = await site(emu);
        if (what === 'bridge') {
          assert.equal(s.vms.filter((x: any) => x.role === 'appliance' && x.owner === id).length, 1, 'one VM: the resumed install did not make a second');
          assert.equal(r.properties.status, 'Running');
        } else {
          assert.equal(s.packages.filter((p: any) => p.owner === id).length, 1, 'one package: the resumed install did not make a second');
        }
        assert.equal(emu.services.asyncOperations.list().filter((o) => o.status === 'InProgress').length, 0);
      } finally {
        await emu.close();
      }
    });
  }
});
