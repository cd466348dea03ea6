// Every built-in template function against documented ARM results, plus the reference vectors
// (uniqueString, guid) taken from real ARM.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExpressionError } from '../../src/templates/errors.js';
import { uniqueString } from '../../src/templates/unique-string.js';
import { RG_ID, SUB, TENANT, baseContext, ev } from './helpers.js';

const vectors = JSON.parse(readFileSync(join(process.cwd(), 'test/templates/fixtures/template-function-vectors.json'), 'utf8'));

/** Each expression evaluates to its value. */
const evaluates = (cases: [string, unknown][]) => {
  for (const [expr, want] of cases) assert.equal(ev(expr), want, expr);
};
const throwsExpr = (expr: string, re: RegExp, patch = {}) =>
  assert.throws(
    () => ev(expr, patch),
    (e: unknown) => e instanceof ExpressionError && re.test((e as Error).message),
  );

describe('template functions: reference vectors (must pass)', () => {
  it('vectors context matches the test context', () => {
    assert.equal(vectors.context.subscriptionId, SUB);
    assert.equal(vectors.context.tenantId, TENANT);
    assert.equal(vectors.context.resourceGroupId, RG_ID);
  });
  for (const v of vectors.uniqueString) {
    it(`uniqueString(${v.args.join(', ')}) = ${v.out}`, () => {
      assert.equal(uniqueString(...v.args), v.out);
      const expr = `[uniqueString(${v.args.map((a: string) => `'${a}'`).join(', ')})]`;
      assert.equal(ev(expr), v.out);
    });
  }
  it('uniqueString(resourceGroup().id) in the canonical context', () => {
    assert.equal(ev('[uniqueString(resourceGroup().id)]'), 's7nso27shzpdc');
  });
  for (const v of vectors.guid) {
    it(`guid(${v.args.join(', ')}) = ${v.out}`, () => {
      assert.equal(ev(`[guid(${v.args.map((a: string) => `'${a}'`).join(', ')})]`), v.out);
    });
  }
});

describe('template functions: array and object', () => {
  it('array, createArray, createObject', () => {
    assert.deepEqual(ev("[array('a')]"), ['a']);
    assert.deepEqual(ev('[array(createArray(1, 2))]'), [1, 2]);
    assert.deepEqual(ev("[array(createObject('a', 1))]"), [{ a: 1 }]);
    assert.deepEqual(ev("[createObject('a', 1, 'b', createArray(true()))]"), { a: 1, b: [true] });
    throwsExpr("[createObject('a')]", /even number/);
  });
  it('concat strings and arrays', () => {
    assert.equal(ev("[concat('a', 1, 'b', true())]"), 'a1bTrue');
    assert.deepEqual(ev('[concat(createArray(1, 2), createArray(3))]'), [1, 2, 3]);
  });
  it('contains: strings and arrays case-sensitive, object keys not', () => {
    evaluates([
      ["[contains('OneTwoThree', 'e')]", true],
      ["[contains('OneTwoThree', 'z')]", false],
      ["[contains('abc', 'B')]", false],
      ["[contains(createObject('one', 'a'), 'ONE')]", true],
      ["[contains(createArray('one', 'two'), 'two')]", true],
      ["[contains(createArray('one', 'two'), 'TWO')]", false],
    ]);
  });
  it('empty, first, last, length', () => {
    evaluates([
      ['[empty(createArray())]', true],
      ["[empty('')]", true],
      ['[empty(createObject())]', true],
      ['[empty(null())]', true],
      ["[empty('a')]", false],
      ["[first(createArray('one', 'two'))]", 'one'],
      ["[first('One Two')]", 'O'],
      ["[last(createArray('one', 'two'))]", 'two'],
      ["[last('One Two')]", 'o'],
      ["[length('abc')]", 3],
      ['[length(createArray(1, 2))]', 2],
      ["[length(createObject('a', 1))]", 1],
    ]);
  });
  it('indexOf and lastIndexOf (strings case-insensitive, arrays by value)', () => {
    evaluates([
      ["[indexOf('test', 't')]", 0],
      ["[lastIndexOf('test', 't')]", 3],
      ["[indexOf('abcdef', 'CD')]", 2],
      ["[indexOf('abcdef', 'z')]", -1],
      ["[indexOf(createArray('a', 'b', 'a'), 'a')]", 0],
      ["[lastIndexOf(createArray('a', 'b', 'a'), 'a')]", 2],
      ['[indexOf(createArray(1, 2), 3)]', -1],
    ]);
  });
  it('intersection and union', () => {
    assert.deepEqual(ev("[intersection(createArray('one', 'two', 'three'), createArray('two', 'three'))]"), ['two', 'three']);
    assert.deepEqual(ev("[intersection(createObject('one', 'a', 'two', 'b'), createObject('one', 'a', 'two', 'z'))]"), { one: 'a' });
    assert.deepEqual(ev("[union(createArray('one', 'two'), createArray('two', 'three'))]"), ['one', 'two', 'three']);
    assert.deepEqual(ev("[union(createObject('a', 1, 'n', createObject('x', 1, 'arr', createArray(1))), createObject('b', 2, 'n', createObject('y', 2, 'arr', createArray(2))))]"), {
      a: 1,
      n: { x: 1, arr: [2], y: 2 },
      b: 2,
    });
  });
  it('min, max, range, skip, take', () => {
    assert.equal(ev('[min(createArray(0, 3, 2, 5, 4))]'), 0);
    assert.equal(ev('[max(0, 3, 2, 5, 4)]'), 5);
    assert.deepEqual(ev('[range(1, 5)]'), [1, 2, 3, 4, 5]);
    assert.deepEqual(ev("[skip(createArray('one', 'two', 'three'), 2)]"), ['three']);
    assert.equal(ev("[skip('one two three', 4)]"), 'two three');
    assert.deepEqual(ev("[take(createArray('one', 'two', 'three'), 2)]"), ['one', 'two']);
    assert.equal(ev("[take('one two', 3)]"), 'one');
    assert.deepEqual(ev('[take(createArray(1), 5)]'), [1]);
  });
  it('items (sorted by key), join, json, null, objectKeys, shallowMerge', () => {
    assert.deepEqual(ev("[items(createObject('b', 2, 'a', 1))]"), [
      { key: 'a', value: 1 },
      { key: 'b', value: 2 },
    ]);
    assert.equal(ev("[join(createArray('a', 'b', 'c'), ',')]"), 'a,b,c');
    assert.deepEqual(ev(`[json('{"a": [1, true, null]}')]`), { a: [1, true, null] });
    assert.equal(ev("[json('null')]"), null);
    assert.equal(ev('[null()]'), null);
    assert.deepEqual(ev("[objectKeys(createObject('a', 1, 'b', 2))]"), ['a', 'b']);
    assert.deepEqual(ev("[shallowMerge(createArray(createObject('a', 1, 'n', createObject('x', 1)), createObject('n', createObject('y', 2))))]"), { a: 1, n: { y: 2 } });
  });
  it('tryGet, tryIndexFromEnd, distinct, flatten', () => {
    evaluates([
      ["[tryGet(createObject('a', 1), 'b')]", null],
      ["[tryGet(createObject('a', createObject('b', 2)), 'a', 'b')]", 2],
      ['[tryGet(createArray(1, 2), 5)]', null],
      ['[tryIndexFromEnd(createArray(1, 2, 3), 1)]', 3],
      ['[tryIndexFromEnd(createArray(1, 2, 3), 4)]', null],
    ]);
    assert.deepEqual(ev('[distinct(createArray(1, 2, 1))]'), [1, 2]);
    assert.deepEqual(ev('[flatten(createArray(createArray(1), createArray(2, 3)))]'), [1, 2, 3]);
  });
});

describe('template functions: comparison and logical', () => {
  it('coalesce returns the first non-null', () => {
    assert.equal(ev("[coalesce(null(), null(), 'x', 'y')]"), 'x');
    assert.equal(ev('[coalesce(null())]'), null);
  });
  it('equals (deep, case-sensitive), less, greater', () => {
    assert.equal(ev("[equals(createArray(1, createObject('a', 'b')), createArray(1, createObject('a', 'b')))]"), true);
    assert.equal(ev("[equals('a', 'A')]"), false);
    assert.equal(ev('[less(1, 2)]'), true);
    assert.equal(ev("[less('a', 'b')]"), true);
    // MS docs examples: greater('A', 'a') and greaterOrEquals('A', 'a') are true, less('A', 'a') false.
    evaluates([
      ["[greater('A', 'a')]", true],
      ["[greaterOrEquals('A', 'a')]", true],
      ["[less('A', 'a')]", false],
      ["[lessOrEquals('A', 'a')]", false],
      ['[lessOrEquals(2, 2)]', true],
      ['[greater(3, 2)]', true],
      ['[greaterOrEquals(1, 2)]', false],
    ]);
  });
  it('and, or, not, bool, true, false', () => {
    evaluates([
      ['[and(true(), false())]', false],
      ['[or(true(), false())]', true],
      ['[not(true())]', false],
      ["[bool('TRUE')]", true],
      ['[bool(0)]', false],
    ]);
  });
  it('if is lazy: the branch not taken is never evaluated', () => {
    assert.equal(ev("[if(true(), 'yes', fail())]".replace('fail()', "json('not json')")), 'yes');
    assert.equal(ev("[if(false(), variables('missing'), 'no')]"), 'no');
    assert.equal(ev("[and(false(), json('bad'))]"), false);
  });
});

describe('template functions: numeric and conversion', () => {
  it('add sub mul div mod', () => {
    evaluates([
      ['[add(5, 3)]', 8],
      ['[sub(7, 3)]', 4],
      ['[mul(5, 3)]', 15],
      ['[div(8, 3)]', 2],
      ['[div(-7, 2)]', -3],
      ['[mod(7, 3)]', 1],
      ['[mod(-7, 3)]', -1],
    ]);
    throwsExpr('[div(1, 0)]', /divide by zero/);
  });
  it('int, float, string', () => {
    evaluates([
      ["[int('4')]", 4],
      ["[float('1.5')]", 1.5],
      ['[string(true())]', 'True'],
      ["[string(createObject('a', 1))]", '{"a":1}'],
      ['[string(5)]', '5'],
    ]);
  });
});

describe('template functions: strings', () => {
  it('base64, base64ToString, base64ToJson', () => {
    assert.equal(ev("[base64('one, two, three')]"), 'b25lLCB0d28sIHRocmVl');
    assert.equal(ev("[base64ToString('b25lLCB0d28sIHRocmVl')]"), 'one, two, three');
    assert.deepEqual(ev("[base64ToJson('eyJvbmUiOiAiYSIsICJ0d28iOiAiYiJ9')]"), { one: 'a', two: 'b' });
  });
  it('dataUri and dataUriToString', () => {
    assert.equal(ev("[dataUri('Hello')]"), 'data:text/plain;charset=utf8;base64,SGVsbG8=');
    assert.equal(ev("[dataUriToString('data:;base64,SGVsbG8sIFdvcmxkIQ==')]"), 'Hello, World!');
  });
  it('startsWith/endsWith case-insensitive', () => {
    assert.equal(ev("[startsWith('abcdef', 'AB')]"), true);
    assert.equal(ev("[endsWith('abcdef', 'EF')]"), true);
    assert.equal(ev("[endsWith('abcdef', 'e')]"), false);
  });
  it('format: .NET composite format with numeric specifiers', () => {
    evaluates([
      ["[format('{0}, {1}. Formatted number: {2:N0}', 'Hello', 'User', 8175133)]", 'Hello, User. Formatted number: 8,175,133'],
      ["[format('{0:N2}', 1234.5)]", '1,234.50'],
      ["[format('{0:D4}', 42)]", '0042'],
      ["[format('{0:X}', 255)]", 'FF'],
      ["[format('{0:000}', 7)]", '007'],
      ["[format('{{{0}}}', 'x')]", '{x}'],
      ["[format('{0}', true())]", 'True'],
      ["[format('{0,5}|{1,-3}|', 'ab', 'c')]", '   ab|c  |'],
    ]);
  });
  it('padLeft, replace, split, substring, toLower, toUpper, trim', () => {
    assert.equal(ev("[padLeft('123', 10, '0')]"), '0000000123');
    assert.equal(ev("[replace('123-123-1234', '-', '')]"), '1231231234');
    assert.deepEqual(ev("[split('one,two,three', ',')]"), ['one', 'two', 'three']);
    assert.deepEqual(ev("[split('one;two,three', createArray(',', ';'))]"), ['one', 'two', 'three']);
    assert.equal(ev("[substring('hello world', 6, 5)]"), 'world');
    assert.equal(ev("[substring('hello', 2)]"), 'llo');
    throwsExpr("[substring('hello', 3, 5)]", /The index and length parameters must refer to a location within the string/);
    assert.equal(ev("[toLower('One Two')]"), 'one two');
    assert.equal(ev("[toUpper('One Two')]"), 'ONE TWO');
    assert.equal(ev("[trim('    one two three   ')]"), 'one two three');
  });
  it('uri, uriComponent, uriComponentToString', () => {
    evaluates([
      ["[uri('http://contoso.org/firstpath', 'myscript.sh')]", 'http://contoso.org/myscript.sh'],
      ["[uri('http://contoso.org/firstpath/', 'myscript.sh')]", 'http://contoso.org/firstpath/myscript.sh'],
      ["[uriComponent('http://contoso.com/resources/nested/azuredeploy.json')]", 'http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json'],
      ["[uriComponentToString('http%3A%2F%2Fcontoso.com')]", 'http://contoso.com'],
      ["[uriComponent('a b!(c)')]", 'a%20b%21%28c%29'],
    ]);
  });
  it('newGuid and utcNow only in parameter defaults', () => {
    throwsExpr('[utcNow()]', /can only be used with parameter default value/);
    throwsExpr('[newGuid()]', /can only be used with parameter default value/);
    assert.equal(ev('[utcNow()]', { site: 'parameterDefault' }), '20200407T145314Z');
    assert.equal(ev("[utcNow('u')]", { site: 'parameterDefault' }), '2020-04-07 14:53:14Z');
    assert.equal(ev("[utcNow('d')]", { site: 'parameterDefault' }), '4/7/2020');
    assert.match(String(ev('[newGuid()]', { site: 'parameterDefault' })), /^[0-9a-f-]{36}$/);
  });
  it('dateTimeAdd, dateTimeFromEpoch, dateTimeToEpoch', () => {
    evaluates([
      ["[dateTimeAdd('2020-04-07 14:53:14Z', 'P3Y')]", '4/7/2023 2:53:14 PM'],
      ["[dateTimeAdd('2020-04-07 14:53:14Z', '-P9D')]", '3/29/2020 2:53:14 PM'],
      ["[dateTimeAdd('2020-04-07 14:53:14Z', 'PT1H')]", '4/7/2020 3:53:14 PM'],
      ["[dateTimeAdd('20200407T145314Z', 'PT1H')]", '20200407T155314Z'],
      ["[dateTimeAdd('2020-04-07T14:53:14Z', 'P1D', 'yyyy-MM-dd')]", '2020-04-08'],
      ['[dateTimeFromEpoch(1683040573)]', '2023-05-02T15:16:13Z'],
      ["[dateTimeToEpoch('2023-05-02T15:16:13Z')]", 1683040573],
    ]);
  });
  it('toLogicalZone(s)/toPhysicalZone(s) answer the zone given (one zone mapping in the emulator)', () => {
    assert.equal(ev("[toLogicalZone(subscription().subscriptionId, 'eastus', 'eastus-az1', '1')]"), '1');
    assert.deepEqual(ev("[toPhysicalZones(subscription().subscriptionId, 'eastus', 'eastus', createArray('1', '2'))]"), ['1', '2']);
  });
  it('like, parseUri/buildUri', () => {
    assert.equal(ev("[buildUri(createObject('scheme', 'https', 'host', 'example.com', 'port', 8443, 'path', '/a', 'query', '?b=1'))]"), 'https://example.com:8443/a?b=1');
    assert.equal(ev("[like('abcdef', 'a*F')]"), true);
    assert.deepEqual(ev("[parseUri('https://example.com:8443/path?x=1')]"), {
      scheme: 'https',
      host: 'example.com',
      port: 8443,
      path: '/path',
      query: '?x=1',
      absoluteUri: 'https://example.com:8443/path?x=1',
    });
  });
  it('parseCidr, cidrSubnet, cidrHost', () => {
    assert.deepEqual(ev("[parseCidr('10.144.0.0/20')]"), {
      network: '10.144.0.0',
      netmask: '255.255.240.0',
      broadcast: '10.144.15.255',
      firstUsable: '10.144.0.1',
      lastUsable: '10.144.15.254',
      cidr: 20,
    });
    assert.equal(ev("[cidrSubnet('10.144.0.0/20', 24, 3)]"), '10.144.3.0/24');
    assert.equal(ev("[cidrHost('10.144.3.0/24', 0)]"), '10.144.3.1');
  });
});

describe('template functions: deployment and scope', () => {
  it('resourceGroup(), subscription(), tenant()', () => {
    assert.deepEqual(ev('[resourceGroup()]'), { id: RG_ID, name: 'rgtmpl', type: 'Microsoft.Resources/resourceGroups', location: 'eastus', tags: {}, properties: { provisioningState: 'Succeeded' } });
    assert.equal(ev('[resourceGroup().Location]'), 'eastus');
    assert.deepEqual(ev('[subscription()]'), { id: `/subscriptions/${SUB}`, subscriptionId: SUB, tenantId: TENANT, displayName: SUB });
    assert.equal(ev('[tenant().tenantId]'), TENANT);
    throwsExpr('[resourceGroup()]', /not expected at this location/, { scope: { tenantId: TENANT, subscriptionId: SUB } });
  });
  it('managementGroup(), deployer()', () => {
    const mg = { scope: { tenantId: TENANT, managementGroup: 'mg1' } };
    assert.equal(ev('[managementGroup().id]', mg), '/providers/Microsoft.Management/managementGroups/mg1');
    assert.equal(ev('[managementGroup().name]', mg), 'mg1');
    throwsExpr('[managementGroup()]', /not expected at this location/);
    assert.equal(ev('[deployer().tenantId]'), TENANT);
    assert.match(String(ev('[deployer().objectId]')), /^[0-9a-f-]{36}$/);
  });
  it('deployment() and environment()', () => {
    assert.equal(ev('[deployment().name]'), 'dep1');
    assert.equal(ev('[environment().name]'), 'AzureCloud');
    assert.equal(ev('[environment().suffixes.storage]'), 'core.windows.net');
    assert.equal(ev('[environment().authentication.loginEndpoint]'), 'https://login.microsoftonline.com/');
  });
  it('parameters() and variables(), names case-insensitive', () => {
    const parameters = new Map<string, unknown>([['location', 'westus']]);
    assert.equal(ev("[parameters('LOCATION')]", { parameters }), 'westus');
    throwsExpr("[parameters('nope')]", /The template parameter 'nope' is not found/);
    throwsExpr("[variables('nope')]", /The template variable 'nope' is not found/);
  });
});

describe('template functions: resource ids', () => {
  it('resourceId at resource group scope, with group, with subscription and group', () => {
    assert.equal(ev("[resourceId('Microsoft.Storage/storageAccounts', 'sa1')]"), `${RG_ID}/providers/Microsoft.Storage/storageAccounts/sa1`);
    assert.equal(ev("[resourceId('otherRg', 'Microsoft.Storage/storageAccounts', 'sa1')]"), `/subscriptions/${SUB}/resourceGroups/otherRg/providers/Microsoft.Storage/storageAccounts/sa1`);
    assert.equal(ev("[resourceId('s2', 'rg2', 'Microsoft.Storage/storageAccounts', 'sa1')]"), '/subscriptions/s2/resourceGroups/rg2/providers/Microsoft.Storage/storageAccounts/sa1');
    assert.equal(ev("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'sn')]"), `${RG_ID}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/sn`);
    assert.equal(ev("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet/sn')]"), `${RG_ID}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/sn`);
    throwsExpr("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet')]", /requires '2' resource name/);
  });
  it('resourceId at subscription and tenant scope', () => {
    assert.equal(
      ev("[resourceId('Microsoft.Authorization/policyDefinitions', 'p')]", { scope: { tenantId: TENANT, subscriptionId: SUB } }),
      `/subscriptions/${SUB}/providers/Microsoft.Authorization/policyDefinitions/p`,
    );
    assert.equal(ev("[resourceId('Microsoft.Management/managementGroups', 'mg')]", { scope: { tenantId: TENANT } }), '/providers/Microsoft.Management/managementGroups/mg');
  });
  it('subscriptionResourceId, tenantResourceId, extensionResourceId, managementGroupResourceId', () => {
    assert.equal(ev("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'abc')]"), `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/abc`);
    assert.equal(ev("[subscriptionResourceId('s9', 'Microsoft.Resources/resourceGroups', 'rg')]"), '/subscriptions/s9/providers/Microsoft.Resources/resourceGroups/rg');
    assert.equal(ev("[tenantResourceId('Microsoft.Authorization/policyDefinitions', 'p')]"), '/providers/Microsoft.Authorization/policyDefinitions/p');
    assert.equal(
      ev("[extensionResourceId(resourceId('Microsoft.Kubernetes/connectedClusters', 'c'), 'Microsoft.HybridContainerService/provisionedClusterInstances', 'default')]"),
      `${RG_ID}/providers/Microsoft.Kubernetes/connectedClusters/c/providers/Microsoft.HybridContainerService/provisionedClusterInstances/default`,
    );
    assert.equal(
      ev("[managementGroupResourceId('mg1', 'Microsoft.Authorization/policyDefinitions', 'p')]"),
      '/providers/Microsoft.Management/managementGroups/mg1/providers/Microsoft.Authorization/policyDefinitions/p',
    );
  });
  it('reference() and list*() are not allowed outside resource bodies and outputs', () => {
    throwsExpr("[reference('x')]", /The template function 'reference' is not expected at this location/);
    throwsExpr("[listKeys('x', '2020-01-01')]", /The template function 'listKeys' is not expected at this location/);
  });
  it('pickZones', () => {
    assert.deepEqual(ev("[pickZones('Microsoft.Compute', 'virtualMachines', 'westus2')]"), ['1']);
    assert.deepEqual(ev("[pickZones('Microsoft.Compute', 'virtualMachines', 'westus2', 3)]"), ['1', '2', '3']);
    assert.deepEqual(ev("[pickZones('Microsoft.Compute', 'virtualMachines', 'local')]"), []);
  });
  it('copyIndex with loop name and offset', () => {
    const copy = new Map([
      ['outer', 2],
      ['inner', 5],
    ]);
    assert.equal(ev('[copyIndex()]', { copy, innermostCopy: 'inner' }), 5);
    assert.equal(ev("[copyIndex('outer', 1)]", { copy, innermostCopy: 'inner' }), 3);
    assert.equal(ev('[copyIndex(10)]', { copy, innermostCopy: 'inner' }), 15);
    throwsExpr('[copyIndex()]', /copyIndex' is not expected at this location/);
  });
});

describe('template functions: lambdas', () => {
  it('filter, map, reduce, sort, toObject, groupBy, mapValues', () => {
    assert.deepEqual(ev("[filter(createArray(1, 2, 3, 4), lambda('x', greater(lambdaVariables('x'), 2)))]"), [3, 4]);
    assert.deepEqual(ev("[map(createArray(1, 2), lambda('x', mul(lambdaVariables('x'), 10)))]"), [10, 20]);
    assert.deepEqual(ev("[map(createArray('a', 'b'), lambda('x', 'i', concat(lambdaVariables('x'), string(lambdaVariables('i')))))]"), ['a0', 'b1']);
    assert.equal(ev("[reduce(createArray(1, 2, 3), 0, lambda('cur', 'next', add(lambdaVariables('cur'), lambdaVariables('next'))))]"), 6);
    assert.deepEqual(ev("[sort(createArray(3, 1, 2), lambda('a', 'b', less(lambdaVariables('a'), lambdaVariables('b'))))]"), [1, 2, 3]);
    assert.deepEqual(ev("[toObject(createArray(createObject('n', 'a', 'v', 1)), lambda('e', lambdaVariables('e').n), lambda('e', lambdaVariables('e').v))]"), { a: 1 });
    assert.deepEqual(ev("[groupBy(createArray('ab', 'ac', 'b'), lambda('x', substring(lambdaVariables('x'), 0, 1)))]"), { a: ['ab', 'ac'], b: ['b'] });
    assert.deepEqual(ev("[mapValues(createObject('a', 1), lambda('v', add(lambdaVariables('v'), 1)))]"), { a: 2 });
  });
});

describe('template language: parsing and access', () => {
  it('string literals with escaped quotes, [[ escapes, numbers', () => {
    assert.equal(ev("[concat('it''s', ' ok')]"), "it's ok");
    assert.equal(ev('[[not an expression]'), '[not an expression]');
    assert.equal(ev('plain'), 'plain');
    assert.equal(ev('[add(-1, 3)]'), 2);
  });
  it('property and index access, case-insensitive members', () => {
    assert.equal(ev("[createObject('Name', createArray(10, 20)).name[1]]"), 20);
    assert.equal(ev("[createObject('a', 1)['A']]"), 1);
    assert.equal(ev('[resourceGroup().ID]'), RG_ID);
    throwsExpr("[createObject('a', 1).b]", /The language expression property 'b' doesn't exist, available properties are 'a'/);
    throwsExpr('[createArray(1)[3]]', /array index '3' is out of bounds/);
  });
  it('function names are case-insensitive; unknown functions are reported as ARM does', () => {
    assert.equal(ev("[TOUPPER('a')]"), 'A');
    throwsExpr("[notAFunction('a')]", /^The template function 'notAFunction' is not valid\. Please see https:\/\/aka\.ms\/arm-template-expressions for usage details\.$/);
  });
  it('bad syntax is reported with the expression', () => {
    assert.equal(ev("[concat('a'"), "[concat('a'", 'no closing bracket: a literal');
    // Wording observed from ARM: grammar errors "Unable to parse language expression ...", lexical ones
    // "The language expression '...' is not valid: the string character ... is not expected".
    throwsExpr("[concat('a']", /^Unable to parse language expression 'concat\('a'': expected token 'RightParenthesis' and actual 'EndOfData'.$/);
    throwsExpr('[]', /^Unable to parse language expression '': expected token 'Identifier' and actual 'EndOfData'.$/);
    throwsExpr("[concat('a)]", /the string character ''' at position '7' is not terminated/);
    throwsExpr('[ {x} ]', /^The language expression ' \{x\} ' is not valid: the string character '\{' at position '1' is not expected.$/);
  });
  it('user-defined functions see only their own parameters', () => {
    const functions = new Map([
      ['ns.greet', { namespace: 'ns', name: 'greet', parameters: [{ name: 'who', type: 'string' }], output: { type: 'string', value: "[concat('Hello ', parameters('who'))]" } }],
      ['ns.leak', { namespace: 'ns', name: 'leak', parameters: [], output: { type: 'string', value: "[parameters('location')]" } }],
    ]);
    const parameters = new Map<string, unknown>([['location', 'eastus']]);
    assert.equal(ev("[ns.greet('you')]", { functions }), 'Hello you');
    throwsExpr('[ns.leak()]', /The template parameter 'location' is not found/, { functions, parameters });
    throwsExpr('[ns.nope()]', /The template function 'ns.nope' is not valid/, { functions });
  });
  it('arity errors', () => {
    throwsExpr("[substring('a')]", /function requires 2 to 3 argument\(s\) while 1 were provided/);
  });
  it('base context sanity', () => {
    assert.equal(baseContext().scope.resourceGroup!.name, 'rgtmpl');
  });
});
