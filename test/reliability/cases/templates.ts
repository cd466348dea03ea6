// Bad templates: every template function called with missing and wrongly typed arguments (in variables,
// evaluated before the deployment is accepted, and in outputs, evaluated when it runs), broken template
// structure, parameters, copy loops, nested deployments and links, and the deployment API's actions.
import { functionNames } from '../../../src/templates/functions/index.js';
import { rgPath, SUB } from '../../support/emulator.js';
import type { Case } from '../corpus.js';

const V = 'api-version=2021-04-01';
const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const dep = (scope: string, n: string) => `${scope}/providers/Microsoft.Resources/deployments/${n}`;
const tpl = (t: Record<string, unknown>) => ({ $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [], ...t });

/** Argument lists for a function: none, one of each JSON kind, and two mixed pairs. */
const ARGS = ['', "'x'", '1', 'true()', 'createArray()', 'createObject()', 'null()', "'x', 1", "1, 'x'"];

let n = 0;
const name = (p: string) => `${p}${n++}`;

function put(rg: string, what: string, body: unknown, extra: Partial<Case> = {}): Case {
  const d = dep(rgPath(rg), name('t'));
  return { what: `template: ${what}`, method: 'PUT', path: `${d}?${V}`, body: typeof body === 'string' ? body : JSON.stringify(body), kind: 'arm', ...extra };
}

/** Every function with every argument list, in a variable (checked before acceptance). */
export function functionVariableCases(rg: string): Case[] {
  const out: Case[] = [];
  for (const f of functionNames()) {
    for (const a of ARGS) {
      out.push(
        put(rg, `variable ${f}(${a})`, {
          properties: { mode: 'Incremental', template: tpl({ variables: { v: `[${f}(${a})]` }, outputs: { o: { type: 'object', value: "[createObject('v', variables('v'))]" } } }) },
        }),
      );
    }
  }
  return out;
}

/** Every function with a few argument lists, in an output (evaluated when the deployment runs). */
export function functionOutputCases(rg: string): Case[] {
  const out: Case[] = [];
  for (const f of functionNames()) {
    for (const a of ['', "'x'", '1', 'createObject()']) {
      out.push(put(rg, `output ${f}(${a})`, { properties: { mode: 'Incremental', template: tpl({ outputs: { o: { type: 'string', value: `[${f}(${a})]` } } }) } }));
    }
  }
  return out;
}

/**
 * Templates that are not errors before the deployment runs, in ARM either (a string that starts with '[' but
 * does not end with ']' is a literal; a group that does not exist is found when the nested deployment runs):
 * accepted (201), checked for no 5xx and an ending deployment. Every other case here is refused at once (400).
 */
export const ACCEPTED = new Set([
  // not errors before the deployment runs, in ARM either
  'resource name an expression error',
  'unterminated expression',
  'nested deployment into a missing group',
]);

/** Structure, parameters, loops, conditions, dependencies, nested deployments, links: refused with a 400 (but ACCEPTED). */
export function structureCases(rg: string): Case[] {
  const r = (extra: Record<string, unknown> = {}) => ({ type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name: 'id1', location: 'eastus', ...extra });
  const bad: [string, unknown][] = [
    ['body not an object', '[1,2]'],
    ['body a string', '"template"'],
    ['no properties', {}],
    ['properties a string', { properties: 'x' }],
    ['no template', { properties: { mode: 'Incremental' } }],
    ['template a string', { properties: { mode: 'Incremental', template: 'resources' } }],
    ['template an array', { properties: { mode: 'Incremental', template: [] } }],
    ['mode bogus', { properties: { mode: 'Sideways', template: tpl({}) } }],
    ['template and templateLink', { properties: { mode: 'Incremental', template: tpl({}), templateLink: { uri: 'https://127.0.0.1:1/t.json' } } }],
    ['templateLink http', { properties: { mode: 'Incremental', templateLink: { uri: 'http://example.com/t.json' } } }],
    ['templateLink not a URL', { properties: { mode: 'Incremental', templateLink: { uri: '::::' } } }],
    ['templateLink refused connection', { properties: { mode: 'Incremental', templateLink: { uri: 'https://127.0.0.1:1/t.json' } } }],
    ['templateLink id (template specs)', { properties: { mode: 'Incremental', templateLink: { id: '/subscriptions/x/templateSpecs/y' } } }],
    ['parametersLink refused connection', { properties: { mode: 'Incremental', template: tpl({}), parametersLink: { uri: 'https://127.0.0.1:1/p.json' } } }],
    ['parameters an array', { properties: { mode: 'Incremental', template: tpl({}), parameters: [1] } }],
    ['parameters and parametersLink', { properties: { mode: 'Incremental', template: tpl({}), parameters: {}, parametersLink: { uri: 'https://127.0.0.1:1/p.json' } } }],
    ['resources an object', { properties: { mode: 'Incremental', template: tpl({ resources: { a: 1 } }) } }],
    ['resource null', { properties: { mode: 'Incremental', template: tpl({ resources: [null] }) } }],
    ['resource without type', { properties: { mode: 'Incremental', template: tpl({ resources: [{ name: 'a', apiVersion: '2023-01-31' }] }) } }],
    ['resource without name', { properties: { mode: 'Incremental', template: tpl({ resources: [r({ name: undefined })] }) } }],
    ['resource without apiVersion', { properties: { mode: 'Incremental', template: tpl({ resources: [r({ apiVersion: undefined })] }) } }],
    ['resource unknown namespace', { properties: { mode: 'Incremental', template: tpl({ resources: [r({ type: 'Microsoft.Nope/things' })] }) } }],
    ['resource unknown type', { properties: { mode: 'Incremental', template: tpl({ resources: [r({ type: 'Microsoft.ManagedIdentity/nothings' })] }) } }],
    ['resource type without a slash', { properties: { mode: 'Incremental', template: tpl({ resources: [r({ type: 'identities' })] }) } }],
    ['resource api-version garbage', { properties: { mode: 'Incremental', template: tpl({ resources: [r({ apiVersion: 'yesterday' })] }) } }],
    ['resource api-version unknown', { properties: { mode: 'Incremental', template: tpl({ resources: [r({ apiVersion: '1999-01-01' })] }) } }],
    ['resource name with a slash too many', { properties: { mode: 'Incremental', template: tpl({ resources: [r({ name: 'a/b' })] }) } }],
    ['resource name an expression error', { properties: { mode: 'Incremental', template: tpl({ resources: [r({ name: "[concat('a'" })] }) } }],
    ['duplicate resources', { properties: { mode: 'Incremental', template: tpl({ resources: [r(), r()] }) } }],
    ['dependsOn unknown', { properties: { mode: 'Incremental', template: tpl({ resources: [r({ dependsOn: ['nothing'] })] }) } }],
    ['dependsOn itself', { properties: { mode: 'Incremental', template: tpl({ resources: [r({ dependsOn: ['id1'] })] }) } }],
    ['dependsOn cycle', { properties: { mode: 'Incremental', template: tpl({ resources: [r({ name: 'a', dependsOn: ['b'] }), r({ name: 'b', dependsOn: ['a'] })] }) } }],
    ['dependsOn a number', { properties: { mode: 'Incremental', template: tpl({ resources: [r({ dependsOn: [1] })] }) } }],
    ['condition a string', { properties: { mode: 'Incremental', template: tpl({ resources: [r({ condition: 'maybe' })] }) } }],
    ['copy count negative', { properties: { mode: 'Incremental', template: tpl({ resources: [r({ name: "[concat('i', copyIndex())]", copy: { name: 'c', count: -1 } })] }) } }],
    ['copy count over 800', { properties: { mode: 'Incremental', template: tpl({ resources: [r({ name: "[concat('i', copyIndex())]", copy: { name: 'c', count: 801 } })] }) } }],
    ['copy count a string', { properties: { mode: 'Incremental', template: tpl({ resources: [r({ name: "[concat('i', copyIndex())]", copy: { name: 'c', count: 'many' } })] }) } }],
    ['copy without a name', { properties: { mode: 'Incremental', template: tpl({ resources: [r({ name: "[concat('i', copyIndex())]", copy: { count: 2 } })] }) } }],
    ['copy mode bogus', { properties: { mode: 'Incremental', template: tpl({ resources: [r({ name: "[concat('i', copyIndex())]", copy: { name: 'c', count: 2, mode: 'Random' } })] }) } }],
    ['copyIndex outside a loop', { properties: { mode: 'Incremental', template: tpl({ resources: [r({ name: '[copyIndex()]' })] }) } }],
    ['property copy count over 800', { properties: { mode: 'Incremental', template: tpl({ variables: { copy: [{ name: 'v', count: 801, input: "[copyIndex('v')]" }] } }) } }],
    ['missing required parameter', { properties: { mode: 'Incremental', template: tpl({ parameters: { p: { type: 'string' } } }) } }],
    ['parameter of unknown type', { properties: { mode: 'Incremental', template: tpl({ parameters: { p: { type: 'float', defaultValue: 1 } } }) } }],
    ['parameter wrong type', { properties: { mode: 'Incremental', template: tpl({ parameters: { p: { type: 'int' } } }), parameters: { p: { value: 'one' } } } }],
    ['parameter not in allowedValues', { properties: { mode: 'Incremental', template: tpl({ parameters: { p: { type: 'string', allowedValues: ['a'] } } }), parameters: { p: { value: 'b' } } } }],
    ['parameter below minValue', { properties: { mode: 'Incremental', template: tpl({ parameters: { p: { type: 'int', minValue: 3 } } }), parameters: { p: { value: 1 } } } }],
    ['parameter over maxLength', { properties: { mode: 'Incremental', template: tpl({ parameters: { p: { type: 'string', maxLength: 2 } } }), parameters: { p: { value: 'abc' } } } }],
    ['parameter not declared', { properties: { mode: 'Incremental', template: tpl({}), parameters: { nope: { value: 1 } } } }],
    ['parameter value missing', { properties: { mode: 'Incremental', template: tpl({ parameters: { p: { type: 'string' } } }), parameters: { p: {} } } }],
    [
      'parameter a Key Vault reference to nothing',
      {
        properties: {
          mode: 'Incremental',
          template: tpl({ parameters: { p: { type: 'securestring' } } }),
          parameters: { p: { reference: { keyVault: { id: '/subscriptions/x/resourceGroups/y/providers/Microsoft.KeyVault/vaults/z' }, secretName: 's' } } },
        },
      },
    ],
    ['parameters() of an unknown one', { properties: { mode: 'Incremental', template: tpl({ outputs: { o: { type: 'string', value: "[parameters('nope')]" } } }) } }],
    ['variables() of an unknown one', { properties: { mode: 'Incremental', template: tpl({ outputs: { o: { type: 'string', value: "[variables('nope')]" } } }) } }],
    ['variable refers to itself', { properties: { mode: 'Incremental', template: tpl({ variables: { a: "[variables('a')]" } }) } }],
    ['variables in a cycle', { properties: { mode: 'Incremental', template: tpl({ variables: { a: "[variables('b')]", b: "[variables('a')]" } }) } }],
    ['output of unknown type', { properties: { mode: 'Incremental', template: tpl({ outputs: { o: { type: 'thing', value: 1 } } }) } }],
    ['output without value', { properties: { mode: 'Incremental', template: tpl({ outputs: { o: { type: 'string' } } }) } }],
    ['unknown function', { properties: { mode: 'Incremental', template: tpl({ outputs: { o: { type: 'string', value: '[nosuchfunction()]' } } }) } }],
    ['unterminated expression', { properties: { mode: 'Incremental', template: tpl({ outputs: { o: { type: 'string', value: "[concat('a', 'b'" } } }) } }],
    ['unbalanced quotes', { properties: { mode: 'Incremental', template: tpl({ outputs: { o: { type: 'string', value: "[concat('a, 'b')]" } } }) } }],
    ['user function namespace unknown', { properties: { mode: 'Incremental', template: tpl({ outputs: { o: { type: 'string', value: "[nope.fn('a')]" } } }) } }],
    [
      'user function with bad parameters',
      { properties: { mode: 'Incremental', template: tpl({ functions: [{ namespace: 'ns', members: { f: { parameters: 'x', output: { type: 'string', value: 'a' } } } }] }) } },
    ],
    ['languageVersion unknown', { properties: { mode: 'Incremental', template: tpl({ languageVersion: '9.9' }) } }],
    ['languageVersion 2.0 resources an array', { properties: { mode: 'Incremental', template: tpl({ languageVersion: '2.0', resources: [r()] }) } }],
    ['languageVersion 2.0 bad definitions', { properties: { mode: 'Incremental', template: tpl({ languageVersion: '2.0', definitions: { t: { type: 'nope' } }, resources: {} }) } }],
    ['apiProfile unknown', { properties: { mode: 'Incremental', template: tpl({ apiProfile: '1999-01-01-hybrid' }) } }],
    [
      'nested deployment into a missing group',
      {
        properties: {
          mode: 'Incremental',
          template: tpl({
            resources: [{ type: 'Microsoft.Resources/deployments', apiVersion: '2021-04-01', name: 'n', resourceGroup: 'no-such-group', properties: { mode: 'Incremental', template: tpl({}) } }],
          }),
        },
      },
    ],
    [
      'nested deployment without a template',
      { properties: { mode: 'Incremental', template: tpl({ resources: [{ type: 'Microsoft.Resources/deployments', apiVersion: '2021-04-01', name: 'n', properties: { mode: 'Incremental' } }] }) } },
    ],
    [
      'nested deployment evaluation scope bogus',
      {
        properties: {
          mode: 'Incremental',
          template: tpl({
            resources: [
              {
                type: 'Microsoft.Resources/deployments',
                apiVersion: '2021-04-01',
                name: 'n',
                properties: { mode: 'Incremental', expressionEvaluationOptions: { scope: 'sideways' }, template: tpl({}) },
              },
            ],
          }),
        },
      },
    ],
    [
      'nested deployment into an unknown subscription',
      {
        properties: {
          mode: 'Incremental',
          template: tpl({
            resources: [
              {
                type: 'Microsoft.Resources/deployments',
                apiVersion: '2021-04-01',
                name: 'n',
                subscriptionId: '00000000-0000-0000-0000-00000000dead',
                resourceGroup: 'x',
                properties: { mode: 'Incremental', template: tpl({}) },
              },
            ],
          }),
        },
      },
    ],
  ];
  const out: Case[] = bad.map(([what, body]) => put(rg, what, body, { refuse: !ACCEPTED.has(what) }));
  const D = dep(rgPath(rg), 'base');
  out.push(
    {
      what: 'template: deployment name invalid',
      method: 'PUT',
      path: `${dep(rgPath(rg), 'bad%20name!')}?${V}`,
      body: JSON.stringify({ properties: { mode: 'Incremental', template: tpl({}) } }),
      kind: 'arm',
      refuse: true,
    },
    {
      what: 'template: deployment name 65 chars',
      method: 'PUT',
      path: `${dep(rgPath(rg), 'a'.repeat(65))}?${V}`,
      body: JSON.stringify({ properties: { mode: 'Incremental', template: tpl({}) } }),
      kind: 'arm',
      refuse: true,
    },
    {
      what: 'template: subscription deployment without location',
      method: 'PUT',
      path: `${dep(`/subscriptions/${SUB}`, name('s'))}?${V}`,
      body: JSON.stringify({ properties: { mode: 'Incremental', template: tpl({}) } }),
      kind: 'arm',
      refuse: true,
    },
    {
      what: 'template: subscription deployment in Complete mode',
      method: 'PUT',
      path: `${dep(`/subscriptions/${SUB}`, name('s'))}?${V}`,
      body: JSON.stringify({ location: 'eastus', properties: { mode: 'Complete', template: tpl({}) } }),
      kind: 'arm',
    },
    { what: 'template: validate garbage', method: 'POST', path: `${D}/validate?${V}`, body: '{"properties":', kind: 'arm', refuse: true },
    { what: 'template: validate no template', method: 'POST', path: `${D}/validate?${V}`, body: '{"properties":{}}', kind: 'arm', refuse: true },
    {
      what: 'template: validate bad expression',
      method: 'POST',
      path: `${D}/validate?${V}`,
      body: JSON.stringify({ properties: { mode: 'Incremental', template: tpl({ outputs: { o: { type: 'string', value: '[nosuch()]' } } }) } }),
      kind: 'arm',
      refuse: true,
    },
    { what: 'template: whatIf garbage', method: 'POST', path: `${D}/whatIf?${V}`, body: '[]', kind: 'arm', refuse: true },
    {
      what: 'template: whatIf bad template',
      method: 'POST',
      path: `${D}/whatIf?${V}`,
      body: JSON.stringify({ properties: { mode: 'Incremental', template: tpl({ resources: 1 }) } }),
      kind: 'arm',
      refuse: true,
    },
    {
      what: 'template: whatIf resultFormat bogus',
      method: 'POST',
      path: `${D}/whatIf?${V}&resultFormat=Sideways`,
      body: JSON.stringify({ properties: { mode: 'Incremental', template: tpl({}) } }),
      kind: 'arm',
    },
    { what: 'template: cancel a missing deployment', method: 'POST', path: `${dep(rgPath(rg), 'missing')}/cancel?${V}`, kind: 'arm', refuse: true },
    { what: 'template: export a missing deployment', method: 'POST', path: `${dep(rgPath(rg), 'missing')}/exportTemplate?${V}`, kind: 'arm', refuse: true },
    { what: 'template: unknown action', method: 'POST', path: `${D}/explode?${V}`, body: '{}', kind: 'arm', refuse: true },
    { what: 'template: operations of a missing deployment', method: 'GET', path: `${dep(rgPath(rg), 'missing')}/operations?${V}`, kind: 'arm' },
    { what: 'template: PATCH a deployment', method: 'PATCH', path: `${D}?${V}`, body: '{}', kind: 'arm', refuse: true },
    { what: 'template: calculateTemplateHash garbage', method: 'POST', path: `/providers/Microsoft.Resources/calculateTemplateHash?${V}`, body: '"x"', kind: 'arm' },
    {
      what: 'template: deep JSON in a template',
      method: 'PUT',
      path: `${dep(rgPath(rg), name('deep'))}?${V}`,
      body: `{"properties":{"mode":"Incremental","template":${'{"a":'.repeat(200)}1${'}'.repeat(200)}}}`,
      kind: 'arm',
      refuse: true,
    },
    {
      what: 'template: // comments and trailing commas',
      method: 'PUT',
      path: `${dep(rgPath(rg), name('c'))}?${V}`,
      body: '{"properties":{"mode":"Incremental", // a comment\n "template":{"$schema":"' + SCHEMA + '","contentVersion":"1.0.0.0","resources":[],},}}',
      kind: 'arm',
    },
  );
  return out;
}

/**
 * Expression budgets (issue 22, items 1 and 5): values too deep or too large and evaluation that runs too long.
 * In variables they are refused at once (400 naming the limit); in outputs the deployment is accepted and fails.
 * None may crash the process or hold its event loop (template evaluation runs in worker threads).
 */
export function budgetCases(rg: string): Case[] {
  const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
  const doubling = "reduce(range(0, 30), createObject('x', 1), lambda('a', 'i', createObject('l', lambdaVariables('a'), 'r', lambdaVariables('a'))))";
  const replaceLoop = "reduce(range(0, 10000), padLeft('', 1000000, 'a'), lambda('s', 'i', replace(replace(lambdaVariables('s'), 'a', 'b'), 'b', 'a')))";
  const concat = (seed: string) => `reduce(range(0, 40), ${seed}, lambda('a', 'i', concat(lambdaVariables('a'), lambdaVariables('a'))))`;
  const variable = (what: string, expr: string) =>
    put(
      rg,
      `budget: variable ${what}`,
      { properties: { mode: 'Incremental', template: tpl({ variables: { v: `[${expr}]` }, outputs: { o: { type: 'int', value: "[length(string(variables('v')))]" } } }) } },
      { refuse: true },
    );
  return [
    variable('json() of a 10,000-deep array', `json('${deep}')`),
    variable('createObject doubling 30 times', doubling),
    variable('replace loop', replaceLoop),
    variable('concat doubling of strings', concat("'ab'")),
    variable('concat doubling of arrays', concat('createArray(1)')),
    put(rg, 'budget: output json() of a 10,000-deep array', {
      properties: {
        mode: 'Incremental',
        template: tpl({ parameters: { s: { type: 'string' } }, outputs: { o: { type: 'array', value: "[json(parameters('s'))]" } } }),
        parameters: { s: { value: deep } },
      },
    }),
    put(rg, 'budget: output createObject doubling', { properties: { mode: 'Incremental', template: tpl({ outputs: { o: { type: 'object', value: `[${doubling}]` } } }) } }),
  ];
}
