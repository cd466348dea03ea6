// Bad RBAC requests: role assignments and custom role definitions with every field wrong, unsupported filters,
// foreign scopes, and writes by a principal without the role to make them.
import { rgPath, SUB } from '../../support/emulator.js';
import type { Case } from '../corpus.js';

const A = 'Microsoft.Authorization';
const V = 'api-version=2022-04-01';
const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
const j = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
const guid = () => crypto.randomUUID();

export interface RbacCtx {
  principalId: string; // an existing principal
  nobodyToken: string; // ARM token of a principal with no role
  readerToken: string; // ARM token of a Reader of the subscription
  assignmentId: string; // an existing assignment (for updates that change its principal)
}

export function rbacCases(c: RbacCtx): Case[] {
  const out: Case[] = [];
  const scopes = [rgPath('corpus'), `/subscriptions/${SUB}`];
  const add = (what: string, method: string, path: string, body?: unknown, extra: Partial<Case> = {}) =>
    out.push({ what: `rbac: ${what}`, method, path, body: body === undefined ? undefined : j(body), kind: 'arm', refuse: true, ...extra });
  const ra = (scope: string, name: string = guid()) => `${scope}/providers/${A}/roleAssignments/${name}?${V}`;
  const rd = (scope: string, name: string = guid()) => `${scope}/providers/${A}/roleDefinitions/${name}?${V}`;
  const roleId = (g: string) => `/subscriptions/${SUB}/providers/${A}/roleDefinitions/${g}`;
  const good = { roleDefinitionId: roleId(READER), principalId: c.principalId, principalType: 'ServicePrincipal' };
  for (const scope of scopes) {
    for (const [w, b] of [
      ['not JSON', '{'],
      ['array', '[]'],
      ['no properties', {}],
      ['properties a string', { properties: 'x' }],
      ['empty properties', { properties: {} }],
    ] as [string, unknown][])
      add(`assignment body ${w}`, 'PUT', ra(scope), b);
    add('assignment name not a GUID', 'PUT', ra(scope, 'not-a-guid'), { properties: good });
    add('assignment name a path', 'PUT', ra(scope, '..%2F..'), { properties: good });
    for (const v of [undefined, '', 1, 'nope', roleId(guid()), '/providers/Microsoft.Authorization/roleDefinitions/%zz', [roleId(READER)]])
      add(`roleDefinitionId ${JSON.stringify(v)}`, 'PUT', ra(scope), { properties: { ...good, roleDefinitionId: v } });
    for (const v of [undefined, '', 1, 'nope', guid(), null, {}]) add(`principalId ${JSON.stringify(v)}`, 'PUT', ra(scope), { properties: { ...good, principalId: v } });
    add('principalType bogus', 'PUT', ra(scope), { properties: { ...good, principalType: 'Dragon' } }, { refuse: false });
    add('condition without version', 'PUT', ra(scope), { properties: { ...good, condition: 1 } }, { refuse: false });
    add('assignment GET unknown', 'GET', ra(scope), undefined);
    add('assignment DELETE unknown', 'DELETE', ra(scope), undefined, { refuse: false });
    for (const f of ["principalId eq 'x' or 1 eq 1", 'atScope(', "assignedTo('x", 'roleName eq 1', "principalId eq ''", '%zz'])
      add(`assignment filter ${f}`, 'GET', `${scope}/providers/${A}/roleAssignments?${V}&$filter=${encodeURIComponent(f)}`, undefined, { refuse: false });
    // custom roles
    const def = { roleName: `corpus-${guid()}`, description: 'x', assignableScopes: [scope], permissions: [{ actions: ['*/read'], notActions: [] }] };
    add('custom role over a built-in one', 'PUT', rd(scope, OWNER), { properties: def });
    add('custom role name not a GUID', 'PUT', rd(scope, 'reader2'), { properties: def });
    for (const [w, p] of [
      ['no roleName', { ...def, roleName: undefined }],
      ['roleName empty', { ...def, roleName: ' ' }],
      ['roleName a number', { ...def, roleName: 7 }],
      ['no assignableScopes', { ...def, assignableScopes: [] }],
      ['assignableScopes a string', { ...def, assignableScopes: scope }],
      ['permissions a string', { ...def, permissions: '*' }],
      ['actions a string', { ...def, permissions: [{ actions: '*' }] }],
      ['permission null', { ...def, permissions: [null] }],
      ['type BuiltInRole', { ...def, type: 'BuiltInRole' }],
    ] as [string, unknown][]) {
      add(`custom role ${w}`, 'PUT', rd(scope), { properties: p });
    }
    add('role definition filter unsupported', 'GET', `${scope}/providers/${A}/roleDefinitions?${V}&$filter=${encodeURIComponent("description eq 'x'")}`, undefined);
    add('permissions at a missing group', 'GET', `${rgPath('no-such-group')}/providers/${A}/permissions?${V}`, undefined, { refuse: false });
    // without the role to do it
    add('no role: assign Owner to itself', 'PUT', ra(scope), { properties: { ...good, roleDefinitionId: roleId(OWNER) } }, { token: c.nobodyToken, status: 403, code: 'AuthorizationFailed' });
    add('Reader: assign Owner', 'PUT', ra(scope), { properties: { ...good, roleDefinitionId: roleId(OWNER) } }, { token: c.readerToken, status: 403, code: 'AuthorizationFailed' });
    add('Reader: custom role', 'PUT', rd(scope), { properties: def }, { token: c.readerToken, status: 403, code: 'AuthorizationFailed' });
    add('no role: list assignments', 'GET', `${scope}/providers/${A}/roleAssignments?${V}`, undefined, { token: c.nobodyToken, status: 403 });
  }
  add('update an assignment to another principal', 'PUT', `${c.assignmentId}?${V}`, { properties: { ...good, principalId: guid() } });
  add('assignment at an unknown subscription', 'PUT', ra('/subscriptions/00000000-0000-0000-0000-00000000dead'), { properties: good });
  add('elevateAccess with a body', 'POST', `/providers/${A}/elevateAccess?api-version=2016-07-01`, '{"x":', { refuse: true });
  add('elevateAccess without a role', 'POST', `/providers/${A}/elevateAccess?api-version=2016-07-01`, undefined, { token: c.nobodyToken, status: 403, code: 'AuthorizationFailed' });
  add('elevateAccess as a Reader', 'POST', `/providers/${A}/elevateAccess?api-version=2016-07-01`, undefined, { token: c.readerToken, status: 403, code: 'AuthorizationFailed' });
  add('elevateAccess GET', 'GET', `/providers/${A}/elevateAccess?api-version=2016-07-01`, undefined, { refuse: false });
  add(
    'no role: create a group',
    'PUT',
    `${rgPath('corpus-nobody')}?api-version=2021-04-01`,
    { location: 'eastus' },
    { token: c.nobodyToken, status: 403, absent: `${rgPath('corpus-nobody')}?api-version=2021-04-01` },
  );
  add(
    'Reader: create a group',
    'PUT',
    `${rgPath('corpus-reader')}?api-version=2021-04-01`,
    { location: 'eastus' },
    { token: c.readerToken, status: 403, absent: `${rgPath('corpus-reader')}?api-version=2021-04-01` },
  );
  add('no role: register a provider', 'POST', `/subscriptions/${SUB}/providers/Microsoft.ContainerService/register?api-version=2021-04-01`, undefined, { token: c.nobodyToken, status: 403 });
  add(
    'no role: a deployment',
    'PUT',
    `${rgPath('corpus')}/providers/Microsoft.Resources/deployments/nobody?api-version=2021-04-01`,
    { properties: { mode: 'Incremental', template: { $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', contentVersion: '1.0.0.0', resources: [] } } },
    { token: c.nobodyToken, status: 403 },
  );
  return out;
}
