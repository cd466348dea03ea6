// Template language gaps found deploying real public templates (issue 20): groupBy with a value
// selector, a resource that depends on itself, null for a nullable parameter with allowed values.

import assert from 'node:assert/strict';
import { prepareDeployment } from '../../src/templates/index.js';
import { ev, FakeHost, request } from './helpers.js';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const thing = (name: string, extra: Record<string, unknown> = {}) => ({ type: 'Microsoft.Test/things', apiVersion: '2020-01-01', name, location: 'eastus', properties: {}, ...extra });

describe('template language gaps (issue 20)', () => {
  it('groupBy(array, key, value) maps each element before grouping it, as Bicep compiles it', () => {
    assert.deepEqual(
      ev(
        "[groupBy(createArray(createObject('n', 'a1', 'v', 1), createObject('n', 'b1', 'v', 2), createObject('n', 'a2', 'v', 3)), lambda('x', substring(lambdaVariables('x').n, 0, 1)), lambda('x', lambdaVariables('x').v))]",
      ),
      { a: [1, 3], b: [2] },
    );
    assert.throws(() => ev("[groupBy(createArray(1), lambda('x', 'k'), lambda('x', 1), lambda('x', 2))]"), /function requires 2 to 3 argument/);
  });

  it('a resource that depends on itself is refused as a circular dependency, as ARM does', async () => {
    const host = new FakeHost();
    const t = { $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [thing('a', { dependsOn: ["[resourceId('Microsoft.Test/things', 'a')]"] })] };
    await assert.rejects(
      prepareDeployment(host, request(t)),
      (e: any) => e.code === 'InvalidTemplate' && /Circular dependency detected on resource: '\/subscriptions\/.*\/providers\/Microsoft\.Test\/things\/a'/.test(e.message),
    );
    const byName = { $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [thing('b', { dependsOn: ['b'] })] };
    await assert.rejects(prepareDeployment(host, request(byName)), (e: any) => /Circular dependency detected/.test(e.message));
    const ownLoop = { $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [thing("[concat('c', copyIndex())]", { copy: { name: 'cs', count: 2 }, dependsOn: ['cs'] })] };
    await assert.rejects(prepareDeployment(host, request(ownLoop)), (e: any) => /Circular dependency detected/.test(e.message));
  });

  it('refuses at validation what ARM refuses before accepting a deployment (it used to fail only when running)', async () => {
    const host = new FakeHost();
    const tpl = (t: Record<string, unknown>) => ({ $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [], ...t });
    const nested = (props: Record<string, unknown>) =>
      tpl({ resources: [{ type: 'Microsoft.Resources/deployments', apiVersion: '2021-04-01', name: 'n', properties: { mode: 'Incremental', ...props } }] });
    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      ['mode bogus', { template: tpl({}), mode: 'Sideways' }, 'InvalidRequestContent', /DeploymentMode/],
      ['parameters an array', { template: tpl({}), parameters: [1] }, 'InvalidRequestContent', /properties\.parameters/],
      ['parameters and parametersLink', { template: tpl({}), parameters: {}, parametersLink: { uri: 'https://example.com/p.json' } }, 'InvalidDeployment', /either 'parameters' or 'parametersLink'/],
      ['dependsOn a number', { template: tpl({ resources: [thing('a', { dependsOn: [1] })] }) }, 'InvalidTemplate', /dependsOn/],
      ['copy without a name', { template: tpl({ resources: [thing("[concat('i', copyIndex())]", { copy: { count: 2 } })] }) }, 'InvalidTemplate', /'copy' property must have a 'name'/],
      [
        'copy mode bogus',
        { template: tpl({ resources: [thing("[concat('i', copyIndex())]", { copy: { name: 'c', count: 2, mode: 'Random' } })] }) },
        'InvalidTemplate',
        /copy mode 'Random' is not valid/,
      ],
      ['parameter of unknown type', { template: tpl({ parameters: { p: { type: 'float', defaultValue: 1 } } }) }, 'InvalidTemplate', /type 'float', which is not valid/],
      ['parameters() of an unknown one', { template: tpl({ outputs: { o: { type: 'string', value: "[parameters('nope')]" } } }) }, 'InvalidTemplate', /The template parameter 'nope' is not found/],
      ['variables() of an unknown one', { template: tpl({ outputs: { o: { type: 'string', value: "[variables('nope')]" } } }) }, 'InvalidTemplate', /The template variable 'nope' is not found/],
      ['output of unknown type', { template: tpl({ outputs: { o: { type: 'thing', value: 1 } } }) }, 'InvalidTemplate', /output type 'thing' is not valid/],
      ['languageVersion unknown', { template: tpl({ languageVersion: '9.9' }) }, 'InvalidTemplate', /language version '9\.9' is not supported/],
      ['languageVersion 2.0 resources an array', { template: tpl({ languageVersion: '2.0', resources: [thing('a')] }) }, 'InvalidTemplate', /keyed by symbolic name/],
      ['languageVersion 2.0 bad definitions', { template: tpl({ languageVersion: '2.0', definitions: { t: { type: 'nope' } }, resources: {} }) }, 'InvalidTemplate', /type 'nope', which is not valid/],
      ['apiProfile unknown', { template: tpl({ apiProfile: '1999-01-01-hybrid' }) }, 'InvalidTemplate', /API profile '1999-01-01-hybrid' is not valid/],
      ['nested deployment without a template', { template: nested({}) }, 'InvalidTemplate', /must have a 'template' or a 'templateLink'/],
      [
        'nested deployment evaluation scope bogus',
        { template: nested({ expressionEvaluationOptions: { scope: 'sideways' }, template: tpl({}) }) },
        'InvalidTemplate',
        /evaluation scope 'sideways' is not valid/,
      ],
    ];
    for (const [what, properties, code, message] of cases) {
      const req = { ...request(undefined), properties: { mode: 'Incremental', ...properties } } as any;
      await assert.rejects(
        prepareDeployment(host, req),
        (e: any) => {
          assert.equal(e.status, 400, what);
          assert.equal(e.code, code, `${what}: ${e.message}`);
          assert.match(e.message, message, what);
          return true;
        },
        what,
      );
    }
    // Not refused: variables made by a copy loop, an outer-scope nested template using its parent's parameters.
    const ok = tpl({
      parameters: { p: { type: 'string', defaultValue: 'x' } },
      variables: { copy: [{ name: 'many', count: 2, input: "[copyIndex('many')]" }] },
      resources: [
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2021-04-01',
          name: 'n',
          properties: { mode: 'Incremental', template: tpl({ outputs: { o: { type: 'string', value: "[parameters('p')]" } } }) },
        },
      ],
      outputs: { m: { type: 'array', value: "[variables('many')]" } },
    });
    await prepareDeployment(host, request(ok));
  });
});
