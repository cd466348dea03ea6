// Expressions that build too much or run too long, through the deployment API (issue 22, items 1 and
// 5): the deployment fails with the limit named (400 at validation, Failed when it runs), never a 500
// or a crash; the emulator keeps answering while such a template is evaluated (evaluation runs in a
// worker thread); and a deployment whose output was json() of a 10,000-deep array is on disk as a
// plain failure, so the emulator restarts from that data directory.

import assert from 'node:assert/strict';
import { rgPath, startTestEmulator, tmpDir, waitForOperation, type TestEmulator } from '../support/emulator.js';
import { waitUntil } from '../support/wait.js';
import { templateWorkers } from '../../src/providers/Microsoft.Resources/deployments.js';

const V = 'api-version=2021-04-01';
const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const dep = (rg: string, n: string) => `${rgPath(rg)}/providers/Microsoft.Resources/deployments/${n}`;
const template = (extra: Record<string, unknown>) => ({ $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [], ...extra });
const DEEP_JSON = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
// Flips a megabyte of 'a' to 'b' and back, 10,000 times: tens of seconds of work, ended by the time limit.
const REPLACE_LOOP = "[reduce(range(0, 10000), padLeft('', 1000000, 'a'), lambda('s', 'i', replace(replace(lambdaVariables('s'), 'a', 'b'), 'b', 'a')))]";

describe('deployments: limits on what expressions build and how long they run', function () {
  this.timeout(120_000);
  let emu: TestEmulator;
  let dir: string;
  before(async () => {
    dir = tmpDir();
    emu = await startTestEmulator(['--data-dir', dir, '--no-fsync', '--template-time-limit', '4']);
    assert.equal(
      (
        await emu
          .http()
          .put(`${rgPath('lim')}?${V}`)
          .send({ location: 'eastus' })
      ).status,
      201,
    );
  });
  after(async () => emu?.close());

  it('a variable that doubles an object 30 times is a 400 naming the size limit, at once', async () => {
    const t = template({
      variables: { big: "[reduce(range(0, 30), createObject('x', 1), lambda('a', 'i', createObject('l', lambdaVariables('a'), 'r', lambdaVariables('a'))))]" },
      outputs: { o: { type: 'object', value: "[variables('big')]" } },
    });
    const r = await emu
      .http()
      .put(`${dep('lim', 'doubling')}?${V}`)
      .send({ properties: { mode: 'Incremental', template: t } });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'InvalidTemplate');
    assert.match(r.body.error.message, /exceeded the size limit\. Limit: '4194304' characters/);
  });

  it('concat doubling of strings and arrays in outputs fails the deployment (DeploymentOutputEvaluationFailed), no 500', async () => {
    for (const [name, seed] of [
      ['strings', "'ab'"],
      ['arrays', 'createArray(1)'],
    ]) {
      const t = template({ outputs: { o: { type: 'object', value: `[createObject('v', reduce(range(0, 40), ${seed}, lambda('a', 'i', concat(lambdaVariables('a'), lambdaVariables('a')))))]` } } });
      const r = await emu
        .http()
        .put(`${dep('lim', `concat-${name}`)}?${V}`)
        .send({ properties: { mode: 'Incremental', template: t } });
      // Outputs are checked up front when they need nothing from the deployment: either way, no 500.
      assert.ok(r.status === 400 || r.status === 201, `${r.status} ${JSON.stringify(r.body)}`);
      const err = r.status === 400 ? r.body.error : (await waitForOperation(emu, r.headers['azure-asyncoperation'])).error;
      assert.match(JSON.stringify(err), /exceeded the size limit/, JSON.stringify(err));
    }
  });

  it('the emulator keeps answering while a runaway replace loop is evaluated; the loop ends with the time limit named', async () => {
    const t = template({ variables: { loop: REPLACE_LOOP }, outputs: { o: { type: 'int', value: "[length(variables('loop'))]" } } });
    let settled = false;
    const put = emu
      .http()
      .put(`${dep('lim', 'replace')}?${V}`)
      .send({ properties: { mode: 'Incremental', template: t } })
      .then((r) => {
        settled = true;
        return r;
      });
    // While the PUT's validation evaluates the loop (seconds, in a template worker), other requests are answered.
    await waitUntil(() => templateWorkers(emu.services).active() > 0, { what: "the PUT's template job to run" });
    for (let i = 0; i < 3; i++) {
      const g = await emu.http().get(`${rgPath('lim')}?${V}`);
      assert.equal(g.status, 200);
      assert.equal(settled, false, 'the GET was answered only after the template evaluation had ended');
    }
    const r = await put;
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'InvalidTemplate');
    assert.match(r.body.error.message, /exceeded the time limit\. Limit: '4000' milliseconds/);
  });

  it('a deployment whose output is json() of a 10,000-deep array fails, and the emulator restarts from its data', async () => {
    const t = template({ outputs: { deep: { type: 'array', value: `[json(parameters('text'))]` } }, parameters: { text: { type: 'string' } } });
    const r = await emu
      .http()
      .put(`${dep('lim', 'deep')}?${V}`)
      .send({ properties: { mode: 'Incremental', template: t, parameters: { text: { value: DEEP_JSON } } } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const st = await waitForOperation(emu, r.headers['azure-asyncoperation']);
    assert.equal(st.status, 'Failed');
    assert.equal(st.error.code, 'DeploymentOutputEvaluationFailed');
    assert.match(JSON.stringify(st.error), /MaxDepth of 64 has been exceeded/);
    await emu.close();
    emu = await startTestEmulator(['--data-dir', dir, '--no-fsync', '--template-time-limit', '4']);
    const g = await emu.http().get(`${dep('lim', 'deep')}?${V}`);
    assert.equal(g.status, 200);
    assert.equal(g.body.properties.provisioningState, 'Failed');
  });
});
