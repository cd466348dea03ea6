// The dashboard at /_emulator/ in a real headless browser (Debian's chromium, driven by playwright-core):
// a cluster created on the Hub stamp through the API shows its VMs on the hosts; the page's own buttons
// disconnect and reconnect the stamp (signed in with the service principal, as auth is on) and the page
// shows the site and the cluster change; fault, hold and time-scale controls reach the emulator. Screenshots
// are saved under test-output/ for a person to open.

import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { waitUntil } from '../support/wait.js';
import { CLIENT_ID, SECRET, type TestEmulator } from '../support/emulator.js';
import { startAksEmulator, clusterBody, clusterPath, createGroup, writeAndWait, HUB_API } from '../containerservice/helpers.js';

export const OUTPUT_DIR = path.resolve('test-output');

/** Waits until the locator's text matches (the page updates on its own: live feed or polling); ms guards a hang. */
async function textOf(loc: Locator, want: RegExp, ms = 30_000): Promise<string> {
  let last = '';
  try {
    return await waitUntil(
      async () => {
        last = (
          (await loc
            .first()
            .textContent({ timeout: ms })
            .catch(() => null)) ?? ''
        ).trim();
        return want.test(last) ? last : undefined;
      },
      { what: `text ${want}`, timeoutMs: ms, everyMs: 50 },
    );
  } catch (e) {
    throw new Error(`expected text ${want}, last saw '${last}'`, { cause: e });
  }
}

/** Waits for a condition on the emulator's side (what a click must have caused). */
async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  await waitUntil(check, { what, timeoutMs: ms, everyMs: 20 });
}

describe('dashboard in a real browser (/_emulator/, headless chromium)', function () {
  this.timeout(120_000);
  let emu: TestEmulator;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  const cluster = clusterPath('web', 'c1');

  before(async () => {
    mkdirSync(OUTPUT_DIR, { recursive: true });
    browser = await launchBrowser();
    emu = await startAksEmulator();
    await createGroup(emu, 'web', 'local');
    const { status } = await writeAndWait(emu, 'put', `${cluster}?api-version=${HUB_API}`, clusterBody('local', { count: 2 }));
    assert.equal(status.status, 'Succeeded');
  });
  beforeEach(async () => {
    context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    context.on('console', (m) => {
      // Chromium logs every 4xx answer; a refused change (401 before signing in) is the page's to show, and the
      // 'response' check below catches any read that fails.
      if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    context.on('response', (r) => {
      if (r.status() >= 500 || (r.status() >= 400 && r.request().method() === 'GET')) problems.push(`${r.request().method()} ${r.url()} answered ${r.status()}`);
    });
    context.on('weberror', (e) => problems.push(`page error: ${e.error().message}`));
    context.on('requestfailed', (r) => {
      // The live feed's stream is cut when the page closes; anything else failing is a defect.
      if (!r.url().endsWith('/dashboard/events')) problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
    });
    context.on('request', (r) => {
      if (!/^https:\/\/localhost:\d+\//.test(r.url())) problems.push(`asked something other than the emulator: ${r.url()}`);
    });
  });
  afterEach(async () => {
    await context?.close();
    assert.deepEqual(problems.splice(0), [], 'the page had no errors and fetched nothing from elsewhere');
  });
  after(async () => {
    await browser?.close();
    await emu?.close();
  });

  async function signIn(): Promise<void> {
    await page.locator('input[name="client_id"]').first().fill(CLIENT_ID);
    await page.locator('input[name="client_secret"]').first().fill(SECRET);
    await page.locator('[data-action="sign-in"]').first().click();
    await textOf(page.locator('[data-testid="signed-in"]'), new RegExp(CLIENT_ID));
  }

  it("a cluster created through the API appears with its VMs on the stamp's hosts; the page's buttons disconnect and reconnect the stamp", async () => {
    await page.goto(`${emu.url}/_emulator/`);
    const site = page.locator('[data-site="local"]');
    await textOf(site.locator('[data-testid="site-state"]'), /^Connected$/);
    // Created while the page is open: the page is not reloaded.
    const live = clusterPath('web', 'live');
    const { status } = await writeAndWait(emu, 'put', `${live}?api-version=${HUB_API}`, clusterBody('local', { count: 3 }));
    assert.equal(status.status, 'Succeeded');
    // Every VM of the cluster, on the host the fabric placed it on.
    const vms = emu.services.fabric!.ownerVms(live);
    assert.ok(vms.length >= 4);
    for (const vm of vms) {
      const chip = site.locator(`[data-host="${vm.host}"] [data-vm="${vm.name}"]`);
      await chip.waitFor({ state: 'visible', timeout: 15_000 });
      assert.equal((await chip.getAttribute('data-owner'))?.toLowerCase(), live.toLowerCase());
      // its state in words, once the live feed has brought the VM's last change (the chip may appear while it is made)
      await textOf(chip, /Running/);
    }
    const owner = site.locator(`[data-owner-row="${live}"] [data-testid="owner-state"]`);
    await textOf(owner, /^Running$/);

    await signIn();
    await site.locator('[data-action="disconnect"]').click();
    await textOf(site.locator('[data-testid="site-state"]'), /^Disconnected$/);
    await textOf(owner, /^Unreachable$/);
    assert.equal(emu.services.fabric!.site('local').connected(), false, 'the button disconnected the stamp');
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'dashboard-disconnected.png'), fullPage: true });

    await site.locator('[data-action="connect"]').click();
    await textOf(site.locator('[data-testid="site-state"]'), /^Connected$/);
    await textOf(owner, /^Running$/);
    assert.equal(emu.services.fabric!.site('local').connected(), true, 'the button reconnected the stamp');
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'dashboard.png') });
  });

  it('a control used while signed out asks for a sign-in, and a wrong secret is refused in words', async () => {
    await page.goto(`${emu.url}/_emulator/`);
    const site = page.locator('[data-site="local"]');
    await site.locator('[data-action="disconnect"]').click();
    await page.locator('input[name="client_secret"]').first().waitFor({ state: 'visible' });
    assert.equal(emu.services.fabric!.site('local').connected(), true, 'nothing changed without a token');
    await page.locator('input[name="client_id"]').first().fill(CLIENT_ID);
    await page.locator('input[name="client_secret"]').first().fill('not-the-secret');
    await page.locator('[data-action="sign-in"]').first().click();
    await textOf(page.locator('[data-testid="message"]'), /invalid_client|secret|credential/i);
    assert.equal(emu.services.fabric!.site('local').connected(), true);
  });

  it('fails and recovers a host, sets the time scale, and holds and releases an operation from the page', async () => {
    await page.goto(`${emu.url}/_emulator/`);
    await signIn();
    const site = page.locator('[data-site="local"]');
    // The host with the fewest VMs: its VMs restart on the others.
    const snap = (await emu.services.fabric!.snapshot({ site: 'local' })).sites[0];
    const idle = [...snap.hosts].sort((a, b) => a.vmCount - b.vmCount)[0].name;
    const host = site.locator(`[data-host="${idle}"]`);
    await host.locator('[data-action="fail"]').click();
    await textOf(host.locator('[data-testid="host-state"]'), /^Failed$/);
    assert.equal((await emu.services.fabric!.snapshot({ site: 'local' })).sites[0].hosts.find((h) => h.name === idle)!.state, 'Failed', 'the button failed the host');
    await host.locator('[data-action="recover"]').click();
    await textOf(host.locator('[data-testid="host-state"]'), /^Up$/);

    await page.locator('input[name="timeScale"]').fill('0.02');
    await page.locator('[data-action="set-time-scale"]').click();
    await until('the time scale is 0.02', () => emu.services.config.timeScale === 0.02);

    // An operation that waits for two polls: in flight long enough to hold from the page.
    await emu
      .http()
      .put('/_emulator/operations/gates')
      .send({ rules: [{ typeKey: 'Microsoft.ContainerService/managedClusters/agentPools', operation: '*', gate: { mode: 'polls', polls: 2 } }] })
      .expect(200);
    const res = await emu
      .http()
      .put(`${cluster}/agentPools/nodepool1?api-version=${HUB_API}`)
      .send({ properties: { count: 3, vmSize: 'Standard_DS2_v2', mode: 'System', type: 'VirtualMachineScaleSets' } });
    assert.ok([200, 201].includes(res.status), JSON.stringify(res.body));
    const asyncUrl = new URL(res.headers['azure-asyncoperation']);
    const opId = asyncUrl.pathname.split('/').pop()!;
    await page.locator('[data-tab="operations"]').click();
    const row = page.locator(`[data-operation="${opId}"]`);
    await textOf(row.locator('[data-testid="operation-status"]'), /InProgress/);
    await row.locator('[data-action="hold"]').click();
    await until('the operation is held', () => emu.services.asyncOperations.get(opId)?.held === true);
    for (let i = 0; i < 3; i++)
      await emu
        .http()
        .get(asyncUrl.pathname + asyncUrl.search)
        .expect(200);
    await until("the pool's tasks ran", () => emu.services.asyncOperations.get(opId)!.tasks.every((t) => t.state === 'done'), 60_000);
    assert.equal(emu.services.asyncOperations.get(opId)!.status, 'InProgress', 'held: not finished');
    await row.locator('[data-action="release"]').click();
    await textOf(row.locator('[data-testid="operation-status"]'), /Succeeded/, 30_000);
    await emu.http().delete('/_emulator/operations/gates').expect(200);
    await emu.http().put('/_emulator/operations/time-scale').send({ timeScale: 0 }).expect(200);
  });

  it('with --no-auth the controls work without a sign-in', async () => {
    const open = await startAksEmulator(['--no-auth']);
    const p = await context.newPage();
    try {
      await p.goto(`${open.url}/_emulator/`);
      const site = p.locator('[data-site="hci-site-1"]');
      await textOf(site.locator('[data-testid="site-state"]'), /^Connected$/);
      assert.equal(await p.locator('input[name="client_secret"]').isVisible(), false, 'no sign-in form');
      await site.locator('[data-action="disconnect"]').click();
      await textOf(site.locator('[data-testid="site-state"]'), /^Disconnected$/);
      assert.equal(open.services.fabric!.site('hci-site-1').connected(), false);
      await site.locator('[data-action="connect"]').click();
      await textOf(site.locator('[data-testid="site-state"]'), /^Connected$/);
    } finally {
      // The page first: an emulator closing under an open page cuts its event stream mid-chunk.
      await p.close();
      await open.close();
    }
  });

  it('is usable on a narrow window: no sideways scrolling, states in words', async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto(`${emu.url}/_emulator/`);
    const site = page.locator('[data-site="local"]');
    await textOf(site.locator('[data-testid="site-state"]'), /^Connected$/);
    await site.locator('[data-action="disconnect"]').scrollIntoViewIfNeeded();
    const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: document.documentElement.clientWidth }));
    assert.ok(scroll <= width, `the page scrolls sideways: ${scroll} > ${width}`);
    const box = await site.locator('[data-action="disconnect"]').boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 390 && box.height >= 32, `the button is on screen and big enough: ${JSON.stringify(box)}`);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'dashboard-narrow.png'), fullPage: false });
  });
});
