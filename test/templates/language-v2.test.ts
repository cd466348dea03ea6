// languageVersion 2.0 (symbolic names, existing, typed definitions), apiProfile, template text with
// comments, secure parameters never echoed, and what-if.

import assert from 'node:assert/strict';
import { deploy, parseTemplateText, prepareDeployment, redactorFor, redactParameters, whatIf } from '../../src/templates/index.js';
import { profileApiVersion } from '../../src/templates/api-profiles.js';
import { FakeHost, RG_ID, request } from './helpers.js';

const tid = (name: string) => `${RG_ID}/providers/Microsoft.Test/things/${name}`;

describe('languageVersion 2.0', () => {
  it('symbolic names: dependsOn and reference() by symbol, existing resources are read not written, typed definitions', async () => {
    const host = new FakeHost();
    host.seed(tid('pre'), { location: 'eastus', properties: { color: 'blue' } });
    const t = {
      languageVersion: '2.0',
      contentVersion: '1.0.0.0',
      definitions: { cfg: { type: 'object', properties: { size: { type: 'int' } } } },
      parameters: { cfg: { $ref: '#/definitions/cfg' }, tag: { type: 'string', nullable: true } },
      resources: {
        pre: { type: 'Microsoft.Test/things', apiVersion: '2020-01-01', name: 'pre', existing: true },
        missing: { type: 'Microsoft.Test/things', apiVersion: '2020-01-01', name: 'never', existing: true },
        second: {
          type: 'Microsoft.Test/things',
          apiVersion: '2020-01-01',
          name: 'second',
          location: 'eastus',
          dependsOn: ['first'],
          properties: { from: "[reference('first').size]", color: "[reference('pre').color]" },
        },
        first: { type: 'Microsoft.Test/things', apiVersion: '2020-01-01', name: 'first', location: 'eastus', properties: { size: "[parameters('cfg').size]" } },
        many: { copy: { name: 'many', count: 2 }, type: 'Microsoft.Test/things', apiVersion: '2020-01-01', name: "[format('m{0}', copyIndex())]", location: 'eastus', properties: {} },
      },
      outputs: {
        size: { type: 'int', value: "[reference('second').from]" },
        n: { type: 'int', value: "[length(references('many'))]" },
        info: { type: 'string', value: "[resourceInfo('first').id]" },
        tag: { type: 'string', nullable: true, value: "[coalesce(parameters('tag'), 'none')]" },
      },
    };
    const r = await deploy(host, request(t, { cfg: { size: 7 } }));
    assert.equal(r.provisioningState, 'Succeeded', JSON.stringify(r.error));
    assert.ok(!host.putOrder.includes(tid('pre')), 'existing resources are never written');
    assert.equal(r.outputs!.size.value, 7);
    assert.equal(r.outputs!.n.value, 2);
    assert.equal(r.outputs!.info.value, tid('first'));
    assert.equal(r.outputs!.tag.value, 'none');
    assert.equal(((await host.get(tid('second'))) as any).properties.color, 'blue');
    assert.ok(host.log.indexOf(`PUT ${tid('second')}`) > host.log.indexOf(`DONE ${tid('first')}`));
  });

  it('extension resources: scope by symbol (declared later) or relative Type/name; existing resources in another group', async () => {
    const host = new FakeHost();
    host.seed(`/subscriptions/${'bbbbbbbb-0000-0000-0000-000000000001'}/resourceGroups/shared/providers/Microsoft.Test/things/elsewhere`, { properties: { v: 42 } });
    const t = {
      languageVersion: '2.0',
      resources: {
        ra: { type: 'Microsoft.Authorization/roleAssignments', apiVersion: '2022-04-01', name: "[guid('x')]", scope: 'sa', dependsOn: ['sa'], properties: { principalId: "[reference('other').v]" } },
        ra2: { type: 'Microsoft.Authorization/roleAssignments', apiVersion: '2022-04-01', name: "[guid('y')]", scope: 'Microsoft.Storage/storageAccounts/sa1', dependsOn: ['sa'], properties: {} },
        sa: { type: 'Microsoft.Storage/storageAccounts', apiVersion: '2022-09-01', name: 'sa1', location: 'eastus', properties: {} },
        other: { type: 'Microsoft.Test/things', apiVersion: '2020-01-01', name: 'elsewhere', existing: true, resourceGroup: 'shared' },
      },
      outputs: { untyped: { value: "[reference('other').v]" } },
    };
    const r = await deploy(host, request(t));
    assert.equal(r.provisioningState, 'Succeeded', JSON.stringify(r.error));
    const sa = `${RG_ID}/providers/Microsoft.Storage/storageAccounts/sa1`;
    const ras = host.putOrder.filter((id) => id.includes('roleAssignments'));
    assert.equal(ras.length, 2);
    assert.ok(ras.every((id) => id.startsWith(`${sa}/providers/Microsoft.Authorization/roleAssignments/`)));
    const bodies = await Promise.all(ras.map((id) => host.get(id)));
    assert.ok(
      bodies.some((b: any) => b.properties.principalId === 42),
      'reference() read the existing resource in the other group',
    );
    assert.deepEqual(r.outputs!.untyped, { type: 'Int', value: 42 });
  });

  it('shapes the Bicep compiler emits: dotted variable names, a __bicep function namespace, $ref outputs, modules read by id', async () => {
    const host = new FakeHost();
    const t = {
      languageVersion: '2.0',
      definitions: { word: { type: 'string', minLength: 2 }, choice: { type: 'string', allowedValues: ['left', 'right'] } },
      functions: [{ namespace: '__bicep', members: { shout: { parameters: [{ type: 'string', name: 'w' }], output: { type: 'string', value: "[format('{0}!', toUpper(parameters('w')))]" } } } }],
      parameters: { side: { $ref: '#/definitions/choice' } },
      variables: {
        copy: [{ name: '_1.items', count: "[length(range(0, variables('_1.n')))]", input: { i: "[copyIndex('_1.items')]", w: "[variables('_1.words')[mod(copyIndex('_1.items'), 2)]]" } }],
        '_1.n': 4,
        '_1.words': ['even', 'odd'],
      },
      resources: {
        mod: {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2022-09-01',
          name: 'mod',
          properties: {
            mode: 'Incremental',
            expressionEvaluationOptions: { scope: 'inner' },
            parameters: { side: { value: "[parameters('side')]" } },
            template: { languageVersion: '2.0', parameters: { side: { type: 'string' } }, resources: {}, outputs: { echoed: { type: 'string', value: "[parameters('side')]" } } },
          },
        },
      },
      outputs: {
        word: { $ref: '#/definitions/word', value: "[variables('_1.items')[3].w]" },
        loud: { type: 'string', value: "[__bicep.shout(reference(resourceId('Microsoft.Resources/deployments', 'mod'), '2022-09-01').outputs.echoed.value)]" },
      },
    };
    const r = await deploy(host, request(t, { side: 'left' }));
    assert.equal(r.provisioningState, 'Succeeded', JSON.stringify(r.error));
    assert.deepEqual(r.outputs, { word: { type: 'String', value: 'odd' }, loud: { type: 'String', value: 'LEFT!' } });
    await assert.rejects(prepareDeployment(host, request(t, { side: 'up' })), /not part of the allowed value/);
  });

  it('needs deployments api-version 2020-09-01 or later', async () => {
    const host = new FakeHost();
    await assert.rejects(prepareDeployment(host, { ...request({ languageVersion: '2.0', resources: {} }), apiVersion: '2019-10-01' }), (e: any) => e.code === 'InvalidDeployment');
  });
});

describe('apiProfile', () => {
  it('resources without apiVersion take the profile version', async () => {
    assert.equal(profileApiVersion('2020-09-01-hybrid', 'Microsoft.Network/virtualNetworks'), '2018-11-01');
    assert.equal(profileApiVersion('2020-09-01-hybrid', 'Microsoft.Network/virtualNetworks/subnets'), '2018-11-01');
    assert.equal(profileApiVersion('2019-03-01-hybrid', 'Microsoft.Storage/storageAccounts'), '2017-10-01');
    assert.equal(profileApiVersion('2018-03-01-hybrid', 'Microsoft.Compute/virtualMachines'), '2017-03-30');
    const host = new FakeHost();
    const t = { apiProfile: '2020-09-01-hybrid', resources: [{ type: 'Microsoft.Network/virtualNetworks', name: 'vnet', location: 'local', properties: {} }] };
    const p = await prepareDeployment(host, request(t));
    assert.equal(p.exp.instances[0].apiVersion, '2018-11-01');
  });
});

describe('template text as az sends it', () => {
  it('accepts // and /* */ comments and trailing commas, keeps // inside strings', () => {
    const t = parseTemplateText('{\n // comment\n "a": "http://x", /* block */ "b": [1, 2,],\n}');
    assert.deepEqual(t, { a: 'http://x', b: [1, 2] });
  });
});

describe('secure parameters', () => {
  it('are never echoed: GET parameters show only the type; errors that echo them are scrubbed', async () => {
    const host = new FakeHost();
    host.refuse.add('/things/pw');
    const t = {
      parameters: { pw: { type: 'securestring' }, obj: { type: 'secureObject' }, plain: { type: 'string' } },
      resources: [{ type: 'Microsoft.Test/things', apiVersion: '2020-01-01', name: 'pw', location: 'eastus', properties: { password: "[parameters('pw')]" } }],
    };
    const r = await deploy(host, request(t, { pw: 'S3cret-Passw0rd', obj: { k: 'hidden-value' }, plain: 'visible' }));
    assert.deepEqual(r.parameters, { pw: { type: 'SecureString' }, obj: { type: 'SecureObject' }, plain: { type: 'String', value: 'visible' } });
    assert.ok(!JSON.stringify(r).includes('S3cret-Passw0rd'));
    const p = await prepareDeployment(host, request(t, { pw: 'S3cret-Passw0rd', obj: { k: 'hidden-value' }, plain: 'visible' }));
    assert.equal(redactorFor(p)({ message: 'bad password S3cret-Passw0rd and hidden-value' }).message, 'bad password *** and ***');
    assert.deepEqual(redactParameters(p).pw, { type: 'SecureString' });
  });
});

describe('Key Vault parameter references', () => {
  it('resolve through the host, and are never echoed', async () => {
    const host = new FakeHost();
    const vault = `${RG_ID}/providers/Microsoft.KeyVault/vaults/kv1`;
    (host as any).keyVaultSecret = async (id: string, name: string) => (id === vault && name === 'adminPassword' ? 'from-the-vault-123' : undefined);
    const t = {
      parameters: { pw: { type: 'string' } },
      resources: [{ type: 'Microsoft.Test/things', apiVersion: '2020-01-01', name: 'kvuser', location: 'eastus', properties: { p: "[parameters('pw')]" } }],
    };
    const rq = request(t);
    rq.properties.parameters = { pw: { reference: { keyVault: { id: vault }, secretName: 'adminPassword' } } };
    const r = await deploy(host, rq);
    assert.equal(r.provisioningState, 'Succeeded', JSON.stringify(r.error));
    assert.equal(((await host.get(tid('kvuser'))) as any).properties.p, 'from-the-vault-123');
    assert.deepEqual(r.parameters.pw, { type: 'String' });
    rq.properties.parameters = { pw: { reference: { keyVault: { id: vault }, secretName: 'nope' } } };
    await assert.rejects(prepareDeployment(host, rq), (e: any) => e.code === 'KeyVaultParameterReferenceSecretRetrieveFailed');
  });
});

describe('what-if', () => {
  it('Create, Modify with property deltas, NoChange, Ignore, and Delete in Complete mode', async () => {
    const host = new FakeHost();
    host.seed(tid('same'), { location: 'eastus', properties: { size: 1, provisioningState: 'Succeeded' } });
    host.seed(tid('changed'), { location: 'eastus', properties: { size: 1, tags: ['a'] } });
    host.seed(tid('stray'), { location: 'eastus' });
    const mk = (name: string, properties: unknown, extra = {}) => ({ type: 'Microsoft.Test/things', apiVersion: '2020-01-01', name, location: 'eastus', properties, ...extra });
    const t = { resources: [mk('new', { size: 1 }), mk('same', { size: 1 }), mk('changed', { size: 2, tags: ['a', 'b'] }), mk('off', {}, { condition: false })] };
    const inc = await whatIf(host, request(t));
    const by = (res: typeof inc, name: string) => res.properties!.changes.find((c) => c.resourceId.endsWith('/' + name))!;
    assert.equal(by(inc, 'new').changeType, 'Create');
    assert.equal(by(inc, 'same').changeType, 'NoChange');
    assert.equal(by(inc, 'changed').changeType, 'Modify');
    const props = by(inc, 'changed').delta!;
    assert.deepEqual(
      props.find((d) => d.path === 'properties.size'),
      { path: 'properties.size', propertyChangeType: 'Modify', before: 1, after: 2 },
    );
    assert.deepEqual(
      props.find((d) => d.path === 'properties.tags'),
      { path: 'properties.tags', propertyChangeType: 'Array', children: [{ path: '1', propertyChangeType: 'Create', after: 'b' }] },
    );
    assert.equal(by(inc, 'off').changeType, 'Ignore');
    assert.equal(by(inc, 'stray').changeType, 'Ignore');
    const complete = await whatIf(host, request(t, {}, { mode: 'Complete' }), { resultFormat: 'ResourceIdOnly' });
    assert.deepEqual(by(complete, 'stray'), { resourceId: tid('stray'), changeType: 'Delete' });
    assert.equal(by(complete, 'off').changeType, 'Ignore', 'absent condition-false resources are ignored');
    host.seed(tid('off'), { location: 'eastus' });
    assert.equal(by(await whatIf(host, request(t, {}, { mode: 'Complete' })), 'off').changeType, 'Delete');
    assert.equal(by(await whatIf(host, request(t)), 'off').changeType, 'Ignore');
    assert.equal(host.putOrder.length, 0, 'what-if writes nothing');
  });
  it('expands inline nested deployments and keeps unevaluable properties as their expressions', async () => {
    const host = new FakeHost();
    const t = {
      resources: [
        { type: 'Microsoft.Test/things', apiVersion: '2020-01-01', name: 'src', location: 'eastus', properties: {} },
        { type: 'Microsoft.Test/things', apiVersion: '2020-01-01', name: 'dst', location: 'eastus', dependsOn: ['src'], properties: { from: "[reference('src').provisioningState]" } },
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2021-04-01',
          name: 'nest',
          properties: { mode: 'Incremental', template: { resources: [{ type: 'Microsoft.Test/things', apiVersion: '2020-01-01', name: 'innerThing', location: 'eastus', properties: {} }] } },
        },
      ],
    };
    const res = await whatIf(host, request(t));
    const changes = res.properties!.changes;
    assert.deepEqual(
      changes.map((c) => [c.resourceId.split('/').pop(), c.changeType]),
      [
        ['src', 'Create'],
        ['dst', 'Create'],
        ['innerThing', 'Create'],
      ],
    );
    assert.equal((changes[1].after as any).properties.from, "[reference('src').provisioningState]");
  });
});
