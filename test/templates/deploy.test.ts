// The executor against an in-memory host: ordering and parallelism, copy (serial, batchSize), condition,
// nested deployments (inner/outer scope, other groups), failures nested as ARM nests them, Complete
// mode, cancellation, outputs through reference()/list*(), and the validation errors ARM gives.

import assert from 'node:assert/strict';
import { ArmError } from '../../src/arm/errors.js';
import { deploy, prepareDeployment, validateDeployment } from '../../src/templates/index.js';
import { FakeHost, RG_ID, SUB, request } from './helpers.js';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const thing = (name: string, extra: Record<string, unknown> = {}) => ({ type: 'Microsoft.Test/things', apiVersion: '2020-01-01', name, location: 'eastus', properties: {}, ...extra });
const tid = (name: string) => `${RG_ID}/providers/Microsoft.Test/things/${name}`;

async function rejects(p: Promise<unknown>, code: string, message: RegExp): Promise<ArmError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ArmError, `expected an ArmError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    return e;
  }
  assert.fail('expected a rejection');
}

describe('template executor: ordering, copy, condition', () => {
  it('deploys in dependency order, independent resources in parallel', async () => {
    const host = new FakeHost();
    host.delay = 20;
    const t = { $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [thing('c', { dependsOn: ['a', "[resourceId('Microsoft.Test/things', 'b')]"] }), thing('a'), thing('b')] };
    const seen: string[] = [];
    const r = await deploy(host, request(t), { onOperation: (op) => seen.push(`${op.targetResource.resourceName}:${op.provisioningState}`) });
    assert.equal(r.provisioningState, 'Succeeded', JSON.stringify(r.error));
    assert.ok(seen.includes('a:Running') && seen.includes('a:Succeeded') && seen.indexOf('c:Running') > seen.indexOf('a:Succeeded'));
    const at = (s: string) => host.log.indexOf(s);
    assert.ok(at(`PUT ${tid('c')}`) > at(`DONE ${tid('a')}`));
    assert.ok(at(`PUT ${tid('c')}`) > at(`DONE ${tid('b')}`));
    assert.equal(host.maxActive, 2, 'a and b ran together');
    assert.equal(r.operations.length, 3);
    assert.ok(r.operations.every((o) => o.provisioningState === 'Succeeded' && o.provisioningOperation === 'Create'));
    assert.ok(r.operations.every((o) => /^[0-9A-F]{16}$/.test(o.operationId) && /^PT[\d.]+S$/.test(o.duration) && o.statusCode === 'OK'));
    assert.deepEqual(r.outputResources.map((o) => o.id).sort(), [tid('a'), tid('b'), tid('c')].sort());
    assert.deepEqual(r.dependencies[0].dependsOn.map((d) => d.resourceName).sort(), ['a', 'b']);
  });

  it('random dependency graphs: every resource starts only after all it depends on are done', async () => {
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let round = 0; round < 5; round++) {
      const host = new FakeHost();
      host.delay = 1 + Math.floor(rnd() * 4);
      const n = 40;
      const deps: string[][] = [];
      const resources = [];
      for (let i = 0; i < n; i++) {
        const d = [...new Set(Array.from({ length: Math.floor(rnd() * 3) }, () => (i ? `r${Math.floor(rnd() * i)}` : '')).filter(Boolean))];
        deps.push(d);
        resources.push(thing(`r${i}`, d.length ? { dependsOn: d } : {}));
      }
      resources.reverse(); // template order must not matter
      const r = await deploy(host, request({ resources }));
      assert.equal(r.provisioningState, 'Succeeded');
      for (let i = 0; i < n; i++) {
        for (const d of deps[i]) assert.ok(host.log.indexOf(`PUT ${tid(`r${i}`)}`) > host.log.indexOf(`DONE ${tid(d)}`), `r${i} after ${d}`);
      }
      assert.ok(host.maxActive > 1);
    }
  });

  it('dependsOn by Type/name and resourceId; a dependency not in the template is an error', async () => {
    const host = new FakeHost();
    const ok = { resources: [thing('x'), thing('y', { dependsOn: ['Microsoft.Test/things/x'] })] };
    assert.equal((await deploy(host, request(ok))).provisioningState, 'Succeeded');
    const bad = { resources: [thing('y', { dependsOn: ['Microsoft.Test/things/nope'] })] };
    await rejects(prepareDeployment(host, request(bad)), 'InvalidTemplate', /The resource 'Microsoft.Test\/things\/nope' is not defined in the template/);
  });

  it('serial copy honours batchSize; copyIndex names the instances', async () => {
    const host = new FakeHost();
    host.delay = 10;
    const t = { resources: [thing("[concat('t', copyIndex(1))]", { copy: { name: 'loop', count: 6, mode: 'Serial', batchSize: 2 } })] };
    const r = await deploy(host, request(t));
    assert.equal(r.provisioningState, 'Succeeded');
    assert.equal(host.maxActive, 2);
    const puts = host.putOrder.map((id) => id.split('/').pop());
    assert.deepEqual(puts.slice(0, 2).sort(), ['t1', 't2']);
    assert.deepEqual(puts.slice(2, 4).sort(), ['t3', 't4']);
    assert.ok(host.log.indexOf(`PUT ${tid('t3')}`) > host.log.indexOf(`DONE ${tid('t2')}`));
  });

  it('parallel copy, dependsOn the loop name waits for the whole loop, count 0 is fine', async () => {
    const host = new FakeHost();
    const t = {
      resources: [
        thing("[concat('p', copyIndex())]", { copy: { name: 'many', count: 5 } }),
        thing('after', { dependsOn: ['many'] }),
        thing("[concat('none', copyIndex())]", { copy: { name: 'zero', count: 0 } }),
      ],
    };
    const r = await deploy(host, request(t));
    assert.equal(r.provisioningState, 'Succeeded');
    assert.equal(host.maxActive, 5);
    for (let i = 0; i < 5; i++) assert.ok(host.log.indexOf(`PUT ${tid('after')}`) > host.log.indexOf(`DONE ${tid('p' + i)}`));
  });

  it('condition false: not deployed, and dependents still run', async () => {
    const host = new FakeHost();
    const t = { parameters: { make: { type: 'bool', defaultValue: false } }, resources: [thing('maybe', { condition: "[parameters('make')]" }), thing('always', { dependsOn: ['maybe'] })] };
    const r = await deploy(host, request(t));
    assert.equal(r.provisioningState, 'Succeeded');
    assert.deepEqual(host.putOrder, [tid('always')]);
    assert.equal(r.operations.length, 1);
  });

  it('property copy and variable copy (both forms)', async () => {
    const host = new FakeHost();
    const t = {
      variables: {
        copy: [{ name: 'names', count: 3, input: "[concat('n', copyIndex('names'))]" }],
        disks: { copy: [{ name: 'list', count: 2, input: { lun: "[copyIndex('list')]" } }] },
      },
      resources: [
        thing('pc', {
          properties: { copy: [{ name: 'subnets', count: 2, input: { name: "[concat('sn', copyIndex('subnets'))]" } }], names: "[variables('names')]", disks: "[variables('disks').list]" },
        }),
      ],
    };
    const r = await deploy(host, request(t));
    assert.equal(r.provisioningState, 'Succeeded', JSON.stringify(r.error));
    const body = (await host.get(tid('pc'))) as any;
    assert.deepEqual(body.properties.subnets, [{ name: 'sn0' }, { name: 'sn1' }]);
    assert.deepEqual(body.properties.names, ['n0', 'n1', 'n2']);
    assert.deepEqual(body.properties.disks, [{ lun: 0 }, { lun: 1 }]);
  });
});

describe('template executor: outputs, reference(), list*()', () => {
  it('outputs read the deployed resource through reference() (full and plain) and listKeys()', async () => {
    const host = new FakeHost();
    const t = {
      resources: [{ type: 'Microsoft.Storage/storageAccounts', apiVersion: '2022-09-01', name: 'sa1', location: 'eastus', properties: { tier: 'Hot' } }],
      outputs: {
        tier: { type: 'string', value: "[reference('sa1').tier]" },
        loc: { type: 'string', value: "[reference(resourceId('Microsoft.Storage/storageAccounts', 'sa1'), '2022-09-01', 'Full').location]" },
        key: { type: 'string', value: "[listKeys('sa1', '2022-09-01').keys[0].value]" },
        names: { type: 'array', copy: { count: 2, input: "[concat('o', copyIndex())]" } },
        n: { type: 'int', value: 3 },
      },
    };
    const r = await deploy(host, request(t));
    assert.equal(r.provisioningState, 'Succeeded', JSON.stringify(r.error));
    assert.deepEqual(r.outputs, {
      tier: { type: 'String', value: 'Hot' },
      loc: { type: 'String', value: 'eastus' },
      key: { type: 'String', value: 'secret-key-1' },
      names: { type: 'Array', value: ['o0', 'o1'] },
      n: { type: 'Int', value: 3 },
    });
  });

  it('reference() by name in properties makes an implicit dependency', async () => {
    const host = new FakeHost();
    host.delay = 15;
    const t = { resources: [thing('reader', { properties: { seen: "[reference('source').provisioningState]" } }), thing('source')] };
    const r = await deploy(host, request(t));
    assert.equal(r.provisioningState, 'Succeeded', JSON.stringify(r.error));
    assert.equal(((await host.get(tid('reader'))) as any).properties.seen, 'Succeeded');
  });

  it('if() keeps reference() lazy', async () => {
    const host = new FakeHost();
    const t = { resources: [thing('a')], outputs: { o: { type: 'string', value: "[if(false(), reference('missing1', '2020-01-01').x, 'fine')]" } } };
    const r = await deploy(host, request(t));
    assert.equal(r.provisioningState, 'Succeeded', JSON.stringify(r.error));
    assert.equal(r.outputs!.o.value, 'fine');
  });
});

describe('template executor: failures', () => {
  it('a resource that fails asynchronously fails the deployment with nested details; dependents never start; the rest stays', async () => {
    const host = new FakeHost();
    host.failAsync.add('/things/bad');
    const t = { resources: [thing('bad'), thing('good'), thing('child', { dependsOn: ['bad'] })] };
    const r = await deploy(host, request(t));
    assert.equal(r.provisioningState, 'Failed');
    assert.equal(r.error!.code, 'DeploymentFailed');
    assert.equal(
      r.error!.message,
      'At least one resource deployment operation failed. Please list deployment operations for details. Please see https://aka.ms/arm-deployment-operations for usage details.',
    );
    assert.equal(r.error!.details!.length, 1);
    const d = r.error!.details![0];
    assert.equal(d.code, 'ResourceDeploymentFailure');
    assert.equal(d.target, tid('bad'));
    assert.equal(d.message, "The resource write operation failed to complete successfully, because it reached terminal provisioning state 'Failed'.");
    assert.deepEqual(d.details, [{ code: 'InternalOperationError', message: "Creating 'bad' failed." }]);
    assert.ok(!host.putOrder.includes(tid('child')), 'dependent never started');
    assert.ok(await host.get(tid('good')), 'what succeeded stays');
    assert.equal(r.outputs, undefined);
    const bad = r.operations.find((o) => o.targetResource.resourceName === 'bad')!;
    assert.equal(bad.provisioningState, 'Failed');
    assert.equal((bad.statusMessage as any).error.code, 'ResourceDeploymentFailure');
  });

  it('a refused PUT puts the provider error itself in the details', async () => {
    const host = new FakeHost();
    host.refuse.add('/things/nope');
    const r = await deploy(host, request({ resources: [thing('nope')] }));
    assert.equal(r.provisioningState, 'Failed');
    assert.deepEqual(r.error!.details, [{ code: 'InvalidParameter', message: "The value of parameter 'sku' is invalid for 'nope'.", target: 'sku' }]);
    assert.equal(r.operations[0].statusCode, 'BadRequest');
  });

  it('preflight: a provider refusal fails validate and the deployment at once with InvalidTemplateDeployment; nothing is written', async () => {
    const host = new FakeHost();
    (host as any).preflight = async (_id: string, _api: string, body: any) => {
      if (body.properties?.lb === 'standard') {
        throw new ArmError(400, 'FeatureNotSupportedOnTarget', "Azure Stack Hub stamp 'local' supports only the basic load balancer; pass --load-balancer-sku basic.", {
          target: 'properties.networkProfile.loadBalancerSku',
        });
      }
    };
    const t = { resources: [thing('ok'), thing('hub', { properties: { lb: 'standard' } }), thing('later', { properties: { x: "[reference('ok').provisioningState]" } })] };
    const e = await rejects(
      validateDeployment(host, request(t)),
      'InvalidTemplateDeployment',
      /^The template deployment 'dep1' is not valid according to the validation procedure. The tracking id is '[0-9a-f-]{36}'. See inner errors for details.$/,
    );
    assert.deepEqual(e.details, [
      {
        code: 'FeatureNotSupportedOnTarget',
        message: "Azure Stack Hub stamp 'local' supports only the basic load balancer; pass --load-balancer-sku basic.",
        target: 'properties.networkProfile.loadBalancerSku',
      },
    ]);
    await rejects(deploy(host, request(t)), 'InvalidTemplateDeployment', /not valid according to the validation procedure/);
    assert.equal(host.putOrder.length, 0);
  });

  it('a reference() to a missing resource fails that resource with ResourceNotFound', async () => {
    const host = new FakeHost();
    const t = { resources: [thing('r', { properties: { x: "[reference(resourceId('Microsoft.Test/things', 'ghost'), '2020-01-01').y]" } })] };
    const r = await deploy(host, request(t));
    assert.equal(r.provisioningState, 'Failed');
    assert.equal(r.error!.details![0].code, 'ResourceNotFound');
    assert.match(r.error!.details![0].message, /The Resource 'Microsoft.Test\/things\/ghost' under resource group 'rgtmpl' was not found/);
  });

  it('cancellation via AbortSignal: nothing new starts, the deployment is Canceled', async () => {
    const host = new FakeHost();
    host.delay = 30;
    const ac = new AbortController();
    const t = { resources: [thing('first'), thing('second', { dependsOn: ['first'] })] };
    // abort while the first resource's operation is in flight (as it is accepted), not after a guessed time
    const put = host.put.bind(host);
    host.put = async (id, apiVersion, body) => {
      const out = await put(id, apiVersion, body);
      if (id === tid('first')) ac.abort();
      return out;
    };
    const r = await deploy(host, request(t), { signal: ac.signal });
    assert.equal(r.provisioningState, 'Canceled');
    assert.ok(!host.putOrder.includes(tid('second')));
    assert.equal(r.operations[0].provisioningState, 'Canceled');
  });
});

describe('template executor: Complete mode', () => {
  it('deletes what the group has and the template does not, including condition-false resources', async () => {
    const host = new FakeHost();
    host.seed(tid('stray'), { location: 'eastus' });
    host.seed(tid('off'), { location: 'eastus' });
    host.seed(tid('keep'), { location: 'eastus' });
    const t = { resources: [thing('keep'), thing('off', { condition: false })] };
    const r = await deploy(host, request(t, {}, { mode: 'Complete' }));
    assert.equal(r.provisioningState, 'Succeeded', JSON.stringify(r.error));
    assert.ok(host.log.includes(`DELETE ${tid('stray')}`));
    assert.ok(host.log.includes(`DELETE ${tid('off')}`));
    assert.ok(!host.log.includes(`DELETE ${tid('keep')}`));
    assert.deepEqual(
      r.operations
        .filter((o) => o.provisioningOperation === 'Delete')
        .map((o) => o.targetResource.resourceName)
        .sort(),
      ['off', 'stray'],
    );
  });
  it('Incremental leaves other resources alone', async () => {
    const host = new FakeHost();
    host.seed(tid('stray'), { location: 'eastus' });
    await deploy(host, request({ resources: [thing('keep')] }));
    assert.ok(await host.get(tid('stray')));
  });
});

describe('template executor: nested deployments', () => {
  it('outer scope uses the parent variables; inner scope its own parameters; outputs flow back via reference()', async () => {
    const host = new FakeHost();
    const t = {
      variables: { prefix: 'px' },
      resources: [
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2021-04-01',
          name: 'outerDep',
          properties: { mode: 'Incremental', template: { $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [thing("[concat(variables('prefix'), '-outer')]")] } },
        },
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2021-04-01',
          name: 'innerDep',
          resourceGroup: 'other-rg',
          properties: {
            mode: 'Incremental',
            expressionEvaluationOptions: { scope: 'inner' },
            parameters: { n: { value: "[concat(variables('prefix'), '-inner')]" } },
            template: {
              $schema: SCHEMA,
              contentVersion: '1.0.0.0',
              parameters: { n: { type: 'string' } },
              variables: { prefix: 'shadowed' },
              resources: [thing("[parameters('n')]", { location: '[resourceGroup().location]' })],
              outputs: { fromChild: { type: 'string', value: "[concat(parameters('n'), '@', resourceGroup().name)]" } },
            },
          },
        },
      ],
      outputs: { fromGrandChild: { type: 'string', value: "[reference('innerDep').outputs.fromchild.value]" } },
    };
    const events: string[] = [];
    const r = await deploy(host, request(t), { onNestedDeployment: (e) => events.push(`${e.phase}:${e.name}:${e.scopeId.split('/').pop()}:${e.result?.provisioningState ?? ''}`) });
    assert.equal(r.provisioningState, 'Succeeded', JSON.stringify(r.error));
    assert.ok(events.includes('start:innerDep:other-rg:') && events.includes('end:innerDep:other-rg:Succeeded'), events.join(' '));
    assert.ok(await host.get(tid('px-outer')));
    const inner = `/subscriptions/${SUB}/resourceGroups/other-rg/providers/Microsoft.Test/things/px-inner`;
    const body = (await host.get(inner)) as any;
    assert.ok(body, 'inner resource deployed into the other group');
    assert.equal(body.location, 'westus');
    assert.equal(r.outputs!.fromGrandChild.value, 'px-inner@other-rg');
    const op = r.operations.find((o) => o.targetResource.resourceName === 'innerDep')!;
    assert.equal(op.targetResource.id, `/subscriptions/${SUB}/resourceGroups/other-rg/providers/Microsoft.Resources/deployments/innerDep`);
    assert.equal(op.nested!.provisioningState, 'Succeeded');
  });

  it('into another subscription and group', async () => {
    const host = new FakeHost();
    host.groups.set('cccccccc-0000-0000-0000-000000000009/far-rg', { location: 'northeurope' });
    const t = {
      resources: [
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2021-04-01',
          name: 'far',
          subscriptionId: 'cccccccc-0000-0000-0000-000000000009',
          resourceGroup: 'far-rg',
          properties: {
            mode: 'Incremental',
            expressionEvaluationOptions: { scope: 'inner' },
            template: { resources: [thing('remote', { location: '[resourceGroup().location]' })], outputs: { sub: { type: 'string', value: '[subscription().subscriptionId]' } } },
          },
        },
      ],
      outputs: { sub: { type: 'string', value: "[reference('far').outputs.sub.value]" } },
    };
    const r = await deploy(host, request(t));
    assert.equal(r.provisioningState, 'Succeeded', JSON.stringify(r.error));
    const remote = (await host.get('/subscriptions/cccccccc-0000-0000-0000-000000000009/resourceGroups/far-rg/providers/Microsoft.Test/things/remote')) as any;
    assert.equal(remote.location, 'northeurope');
    assert.equal(r.outputs!.sub.value, 'cccccccc-0000-0000-0000-000000000009');
  });

  it('a failing nested deployment nests its error in the parent', async () => {
    const host = new FakeHost();
    host.failAsync.add('/things/deep');
    const t = { resources: [{ type: 'Microsoft.Resources/deployments', apiVersion: '2021-04-01', name: 'n1', properties: { mode: 'Incremental', template: { resources: [thing('deep')] } } }] };
    const r = await deploy(host, request(t));
    assert.equal(r.provisioningState, 'Failed');
    assert.equal(r.error!.details![0].code, 'DeploymentFailed');
    assert.equal(r.error!.details![0].details![0].code, 'ResourceDeploymentFailure');
  });

  it('templateLink to an https URL, with relativePath resolved against the parent link', async () => {
    const host = new FakeHost();
    host.templates.set('https://example.com/t/main.json?sv=1', {
      resources: [{ type: 'Microsoft.Resources/deployments', apiVersion: '2021-04-01', name: 'child', properties: { mode: 'Incremental', templateLink: { relativePath: 'nested/child.json' } } }],
    });
    host.templates.set('https://example.com/t/nested/child.json?sv=1', { resources: [thing('linked')] });
    const r = await deploy(host, { ...request(undefined), properties: { templateLink: { uri: 'https://example.com/t/main.json?sv=1' } } });
    assert.equal(r.provisioningState, 'Succeeded', JSON.stringify(r.error));
    assert.ok(await host.get(tid('linked')));
    await rejects(
      prepareDeployment(host, { ...request(undefined), properties: { templateLink: { uri: 'https://example.com/missing.json' } } }),
      'InvalidContentLink',
      /Unable to download deployment content from 'https:\/\/example.com\/missing.json'/,
    );
  });
});

describe('template executor: more language', () => {
  it('providers() answers from the type catalogue, even in variables (Hub quickstarts use it for apiVersion)', async () => {
    const host = new FakeHost();
    const t = { variables: { api: "[providers('Microsoft.Test', 'things').apiVersions[0]]" }, resources: [thing('pv', { apiVersion: "[variables('api')]" })] };
    const r = await deploy(host, request(t));
    assert.equal(r.provisioningState, 'Succeeded', JSON.stringify(r.error));
    assert.equal(r.operations[0].targetResource.apiVersion, '2020-01-01');
  });
  it('a copied nested deployment with outer scope sees its copyIndex()', async () => {
    const host = new FakeHost();
    const t = {
      resources: [
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2021-04-01',
          name: "[concat('nd', copyIndex())]",
          copy: { name: 'nds', count: 2 },
          properties: { mode: 'Incremental', template: { resources: [thing("[concat('from-nested-', copyIndex('nds'))]")] } },
        },
      ],
    };
    const r = await deploy(host, request(t));
    assert.equal(r.provisioningState, 'Succeeded', JSON.stringify(r.error));
    assert.ok(await host.get(tid('from-nested-0')));
    assert.ok(await host.get(tid('from-nested-1')));
  });
  it('a resource defined twice is refused', async () => {
    const host = new FakeHost();
    await rejects(prepareDeployment(host, request({ resources: [thing('dup'), thing('dup')] })), 'InvalidTemplate', /is defined multiple times in a template/);
    assert.ok(await prepareDeployment(host, request({ resources: [thing('dup'), thing('dup', { condition: false })] })));
  });
  it('child resources nested in their parent: type and name qualified, reachable by their own name', async () => {
    const host = new FakeHost();
    const t = {
      resources: [
        thing('parent', { resources: [{ type: 'children', apiVersion: '2020-01-01', name: 'kid', properties: { n: 1 } }] }),
        { type: 'Microsoft.Test/things/children', apiVersion: '2020-01-01', name: 'parent/kid2', dependsOn: ["[resourceId('Microsoft.Test/things/children', 'parent', 'kid')]"], properties: {} },
      ],
      outputs: { n: { type: 'int', value: "[reference('kid').n]" } },
    };
    const r = await deploy(host, request(t));
    assert.equal(r.provisioningState, 'Succeeded', JSON.stringify(r.error));
    assert.deepEqual(host.putOrder, [tid('parent'), `${tid('parent')}/children/kid`, `${tid('parent')}/children/kid2`]);
    assert.equal(r.outputs!.n.value, 1);
  });
  it('user-defined functions in a template', async () => {
    const host = new FakeHost();
    const t = {
      functions: [
        {
          namespace: 'contoso',
          members: { uniqueName: { parameters: [{ name: 'namePrefix', type: 'string' }], output: { type: 'string', value: "[concat(toLower(parameters('namePrefix')), 'x')]" } } },
        },
      ],
      resources: [thing("[contoso.uniqueName('ABC')]")],
    };
    const r = await deploy(host, request(t));
    assert.equal(r.provisioningState, 'Succeeded', JSON.stringify(r.error));
    assert.ok(await host.get(tid('abcx')));
  });
  it('subscription-scope deployment creating a resource group and deploying into it', async () => {
    const host = new FakeHost();
    host.groups.set(`${SUB}/newrg`.toLowerCase(), { location: 'westus' });
    const t = {
      resources: [
        { type: 'Microsoft.Resources/resourceGroups', apiVersion: '2021-04-01', name: 'newrg', location: 'westus' },
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2021-04-01',
          name: 'intoRg',
          resourceGroup: 'newrg',
          dependsOn: ["[subscriptionResourceId('Microsoft.Resources/resourceGroups', 'newrg')]"],
          properties: { mode: 'Incremental', expressionEvaluationOptions: { scope: 'inner' }, template: { resources: [thing('in-new-rg', { location: '[resourceGroup().location]' })] } },
        },
      ],
    };
    const rq = { ...request(t), scope: { tenantId: 'aaaaaaaa-0000-0000-0000-000000000001', subscriptionId: SUB }, location: 'westus' };
    const knownType = host.knownType.bind(host);
    host.knownType = (ns: string, type: string) => (`${ns}/${type}`.toLowerCase() === 'microsoft.resources/resourcegroups' ? { apiVersions: ['2021-04-01'], locations: [] } : knownType(ns, type));
    const r = await deploy(host, rq);
    assert.equal(r.provisioningState, 'Succeeded', JSON.stringify(r.error));
    assert.equal(host.putOrder[0], `/subscriptions/${SUB}/resourceGroups/newrg`);
    assert.equal(((await host.get(`/subscriptions/${SUB}/resourceGroups/newrg/providers/Microsoft.Test/things/in-new-rg`)) as any).location, 'westus');
  });
});

describe('template validation errors (ARM codes and messages)', () => {
  const host = new FakeHost();
  it('circular dependency', async () => {
    const t = { resources: [thing('a', { dependsOn: ['b'] }), thing('b', { dependsOn: ['a'] })] };
    await rejects(
      prepareDeployment(host, request(t)),
      'InvalidTemplate',
      /^Deployment template validation failed: 'Circular dependency detected on resource: '\/subscriptions\/.*\/providers\/Microsoft.Test\/things\/[ab]'. Please see https:\/\/aka.ms\/arm-syntax-resources for usage details.'.$/,
    );
  });
  it('missing parameter', async () => {
    const t = { parameters: { adminPassword: { type: 'securestring' } }, resources: [] };
    await rejects(
      prepareDeployment(host, request(t)),
      'InvalidTemplate',
      /^Deployment template validation failed: 'The value for the template parameter 'adminPassword' at line '\d+' and column '\d+' is not provided. Please see https:\/\/aka.ms\/arm-create-parameter-file for usage details.'.$/,
    );
  });
  it('disallowed value, type mismatch, range, undeclared parameter', async () => {
    const t = { parameters: { sku: { type: 'string', allowedValues: ['Standard_LRS', 'Premium_LRS'] }, n: { type: 'int', defaultValue: 1, minValue: 1, maxValue: 3 } }, resources: [] };
    await rejects(
      prepareDeployment(host, request(t, { sku: 'Basic' })),
      'InvalidTemplate',
      /The provided value 'Basic' for the template parameter 'sku' at line '\d+' and column '\d+' is not valid. The parameter value is not part of the allowed value\(s\): 'Standard_LRS,Premium_LRS'./,
    );
    assert.ok(await prepareDeployment(host, request(t, { sku: 'standard_lrs' })), 'allowedValues compare strings case-insensitively');
    await rejects(prepareDeployment(host, request(t, { sku: 'Standard_LRS', n: '2' })), 'InvalidTemplate', /Template parameter JToken type is not valid. Expected 'Integer'. Actual 'String'./);
    await rejects(
      prepareDeployment(host, request(t, { sku: 'Standard_LRS', n: 9 })),
      'InvalidTemplate',
      /The provided value for the template parameter 'n' at line '\d+' and column '\d+' is not valid. Value should be less than or equal to '3'/,
    );
    const long = { parameters: { vmssName: { type: 'string', maxLength: 9 } }, resources: [] };
    await rejects(
      prepareDeployment(host, request(long, { vmssName: 'muchtoolongname' })),
      'InvalidTemplate',
      /The provided value for the template parameter 'vmssName' at line '\d+' and column '\d+' is not valid. Length of the value should be less than '9'./,
    );
    await rejects(
      prepareDeployment(host, request(t, { sku: 'Standard_LRS', extra: 1 })),
      'InvalidTemplate',
      /The template parameters 'extra' in the parameters file are not valid; they are not present in the original template/,
    );
  });
  it('unknown function', async () => {
    const t = { resources: [thing('a', { properties: { x: "[fooBar('x')]" } })] };
    const e = await rejects(
      prepareDeployment(host, request(t)),
      'InvalidTemplate',
      /^Deployment template validation failed: 'The template resource 'a' at line '\d+' and column '\d+' is not valid: The template function 'fooBar' is not valid. Please see https:\/\/aka.ms\/arm-template-expressions for usage details.. Please see https:\/\/aka.ms\/arm-template-expressions for usage details.'.$/,
    );
    assert.deepEqual((e.toDetail() as any).additionalInfo[0].info.path, 'properties.template.resources[0]');
  });
  it('bad expression syntax', async () => {
    const t = { resources: [thing("[concat('a', ]")] };
    await rejects(
      prepareDeployment(host, request(t)),
      'InvalidTemplate',
      /The template resource .* is not valid: Unable to parse language expression 'concat\('a', ': expected token 'Identifier' and actual 'EndOfData'.. Please see/,
    );
  });
  it('reference() where it is not allowed', async () => {
    const t = { resources: [thing("[reference('x').name]")] };
    await rejects(prepareDeployment(host, request(t)), 'InvalidTemplate', /The template function 'reference' is not expected at this location/);
  });
  it('unknown resource type and namespace, unsupported api-version', async () => {
    await rejects(
      prepareDeployment(host, request({ resources: [{ type: 'Microsoft.Test/nothing', apiVersion: '2020-01-01', name: 'x' }] })),
      'InvalidResourceType',
      /The resource type 'nothing' could not be found in the namespace 'Microsoft.Test' for api version '2020-01-01'./,
    );
    await rejects(
      prepareDeployment(host, request({ resources: [{ type: 'Microsoft.Nope/things', apiVersion: '2020-01-01', name: 'x' }] })),
      'InvalidResourceNamespace',
      /The resource namespace 'Microsoft.Nope' is invalid./,
    );
    await rejects(prepareDeployment(host, request({ resources: [thing('x', { apiVersion: '1999-01-01' })] })), 'NoRegisteredProviderFound', /API version '1999-01-01'/);
  });
  it('unknown template members and a missing resources section are InvalidRequestContent', async () => {
    await rejects(prepareDeployment(host, request({ resources: [], resource: [] })), 'InvalidRequestContent', /Could not find member 'resource' on object of type 'Template'/);
    await rejects(prepareDeployment(host, request({ parameters: {} })), 'InvalidRequestContent', /Required property 'resources' not found in JSON/);
  });
  it('segment lengths', async () => {
    await rejects(prepareDeployment(host, request({ resources: [thing('a/b')] })), 'InvalidTemplate', /has incorrect segment lengths/);
  });
  it('more than 800 resources in one template are refused', async () => {
    const t = { resources: [thing("[concat('a', copyIndex())]", { copy: { name: 'a', count: 500 } }), thing("[concat('b', copyIndex())]", { copy: { name: 'b', count: 301 } })] };
    await rejects(prepareDeployment(host, request(t)), 'InvalidTemplate', /resources limit exceeded. Limit: '800' and actual '801'/);
  });
  it('copy count beyond 800 is refused', async () => {
    await rejects(prepareDeployment(host, request({ resources: [thing('[string(copyIndex())]', { copy: { name: 'big', count: 801 } })] })), 'InvalidTemplate', /copy count/);
  });
  it('validate checks inline nested templates too', async () => {
    const t = {
      resources: [
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2021-04-01',
          name: 'n',
          properties: { mode: 'Incremental', expressionEvaluationOptions: { scope: 'inner' }, template: { resources: [thing('x', { properties: { y: '[nope()]' } })] } },
        },
      ],
    };
    await rejects(validateDeployment(host, request(t)), 'InvalidTemplate', /The template function 'nope' is not valid/);
    const ok = { resources: [{ type: 'Microsoft.Resources/deployments', apiVersion: '2021-04-01', name: 'n', properties: { mode: 'Incremental', template: { resources: [thing('x')] } } }] };
    const v = await validateDeployment(host, request(ok));
    assert.deepEqual(
      v.validatedResources.map((x) => x.type),
      ['Microsoft.Resources/deployments', 'Microsoft.Test/things'],
    );
  });
  it('validate has no side effects and lists what it validated', async () => {
    const h = new FakeHost();
    const v = await validateDeployment(h, request({ resources: [thing('a'), thing('b', { dependsOn: ['a'] })] }));
    assert.equal(v.provisioningState, 'Succeeded');
    assert.deepEqual(
      v.validatedResources.map((x) => x.id),
      [tid('a'), tid('b')],
    );
    assert.equal(h.log.length, 0);
  });
});
