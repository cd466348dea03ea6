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
      ev("[groupBy(createArray(createObject('n', 'a1', 'v', 1), createObject('n', 'b1', 'v', 2), createObject('n', 'a2', 'v', 3)), lambda('x', substring(lambdaVariables('x').n, 0, 1)), lambda('x', lambdaVariables('x').v))]"),
      { a: [1, 3], b: [2] },
    );
    assert.throws(() => ev("[groupBy(createArray(1), lambda('x', 'k'), lambda('x', 1), lambda('x', 2))]"), /function requires 2 to 3 argument/);
  });

  it('a resource that depends on itself is refused as a circular dependency, as ARM does', async () => {
    const host = new FakeHost();
    const t = { $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [thing('a', { dependsOn: ["[resourceId('Microsoft.Test/things', 'a')]"] })] };
    await assert.rejects(prepareDeployment(host, request(t)), (e: any) => e.code === 'InvalidTemplate' && /Circular dependency detected on resource: '\/subscriptions\/.*\/providers\/Microsoft\.Test\/things\/a'/.test(e.message));
    const byName = { $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [thing('b', { dependsOn: ['b'] })] };
    await assert.rejects(prepareDeployment(host, request(byName)), (e: any) => /Circular dependency detected/.test(e.message));
    const ownLoop = { $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [thing("[concat('c', copyIndex())]", { copy: { name: 'cs', count: 2 }, dependsOn: ['cs'] })] };
    await assert.rejects(prepareDeployment(host, request(ownLoop)), (e: any) => /Circular dependency detected/.test(e.message));
  });
});
