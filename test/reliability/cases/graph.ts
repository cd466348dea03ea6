// Bad Graph requests: malformed bodies and keys for every route, unknown objects, duplicates, filters, tokens,
// and every change by a principal with no directory role (403 Authorization_RequestDenied).
import type { Case } from '../corpus.js';

export interface GraphCtx {
  admin: string; // Graph token of the configured principal (Global Administrator)
  nobody: string; // Graph token of a principal with no role
  armToken: string; // an ARM token (wrong audience for Graph)
  appId: string; // an application the admin made (with a password)
  appObjectId: string;
  spId: string; // its service principal
  keyId: string; // its password's keyId
}

const G = '/graph/v1.0';
const j = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

export function graphCases(c: GraphCtx): Case[] {
  const out: Case[] = [];
  const add = (what: string, method: string, path: string, body: unknown, extra: Partial<Case> = {}) =>
    out.push({ what: `graph: ${what}`, method, path: `${G}${path}`, body: body === undefined ? undefined : j(body), kind: 'graph', token: c.admin, refuse: true, ...extra });
  const badBodies: [string, unknown][] = [
    ['not JSON', '{oops'],
    ['an array', '[1]'],
    ['a string', '"x"'],
    ['a number', '42'],
    ['null', 'null'],
    ['deeply nested', `${'{"a":'.repeat(300)}1${'}'.repeat(300)}`],
  ];
  // applications
  for (const [w, b] of badBodies) add(`create application, body ${w}`, 'POST', '/applications', b);
  for (const v of [undefined, '', '   ', 1, true, [], {}, null]) add(`create application, displayName ${JSON.stringify(v)}`, 'POST', '/applications', { displayName: v });
  add('create application over 1 MB', 'POST', '/applications', { displayName: 'x', description: 'y'.repeat(1024 * 1024 + 10) }, { status: 413 });
  for (const id of ['00000000-0000-0000-0000-000000000000', 'not-a-guid', "(appId='nope')", '%zz', '..%2F..', "x'or'1'='1"]) {
    add(`get application ${id}`, 'GET', `/applications/${id}`, undefined);
    add(`patch application ${id}`, 'PATCH', `/applications/${id}`, { displayName: 'x' });
    add(`delete application ${id}`, 'DELETE', `/applications/${id}`, undefined);
    add(`addPassword to application ${id}`, 'POST', `/applications/${id}/addPassword`, {});
    add(`owners of application ${id}`, 'GET', `/applications/${id}/owners`, undefined);
  }
  for (const key of ["(appId='')", "(appId='x'", "(appid='x')x", "(appId='00000000-0000-0000-0000-000000000000')"]) add(`alternate key ${key}`, 'GET', `/applications${key}`, undefined);
  // (an object with no known property changes nothing and is accepted: az sends properties the emulator does not keep)
  for (const [w, b] of badBodies) add(`patch application, body ${w}`, 'PATCH', `/applications/${c.appObjectId}`, b, { refuse: w !== 'deeply nested' });
  for (const [w, b] of badBodies.slice(0, 4)) add(`addPassword, body ${w}`, 'POST', `/applications/${c.appObjectId}/addPassword`, b);
  for (const k of [undefined, '', 'nope', 1, null, [c.keyId]]) add(`removePassword keyId ${JSON.stringify(k)}`, 'POST', `/applications/${c.appObjectId}/removePassword`, { keyId: k });
  for (const ref of [
    undefined,
    '',
    1,
    'https://graph.microsoft.com/v1.0/directoryObjects/',
    'https://graph.microsoft.com/v1.0/directoryObjects/00000000-0000-0000-0000-000000000000',
    'https://graph.microsoft.com/v1.0/directoryObjects/%zz',
    'not a url',
  ]) {
    add(`add owner ${JSON.stringify(ref)}`, 'POST', `/applications/${c.appObjectId}/owners/$ref`, { '@odata.id': ref });
  }
  add('remove an owner that is none', 'DELETE', `/applications/${c.appObjectId}/owners/00000000-0000-0000-0000-000000000000/$ref`, undefined);
  add('patch a configured application', 'PATCH', `/applications(appId='cccccccc-0000-0000-0000-000000000001')`, { displayName: 'x' });
  add('addPassword to a configured application', 'POST', `/applications(appId='cccccccc-0000-0000-0000-000000000001')/addPassword`, {});
  add('delete a configured application', 'DELETE', `/applications(appId='cccccccc-0000-0000-0000-000000000001')`, undefined);
  // service principals
  for (const [w, b] of badBodies) add(`create service principal, body ${w}`, 'POST', '/servicePrincipals', b);
  for (const v of [undefined, '', 1, 'nope', null, [c.appId]]) add(`create service principal, appId ${JSON.stringify(v)}`, 'POST', '/servicePrincipals', { appId: v });
  add('create a second service principal for an application', 'POST', '/servicePrincipals', { appId: c.appId }, { status: 409 });
  for (const id of ['00000000-0000-0000-0000-000000000000', 'nope', "(appId='nope')"]) {
    add(`get service principal ${id}`, 'GET', `/servicePrincipals/${id}`, undefined);
    add(`delete service principal ${id}`, 'DELETE', `/servicePrincipals/${id}`, undefined);
    add(`ownedObjects of ${id}`, 'GET', `/servicePrincipals/${id}/ownedObjects`, undefined);
  }
  for (const v of ['no', 1, null, [false], {}]) add(`patch service principal accountEnabled ${JSON.stringify(v)}`, 'PATCH', `/servicePrincipals/${c.spId}`, { accountEnabled: v });
  add('disable a configured service principal', 'PATCH', `/servicePrincipals(appId='cccccccc-0000-0000-0000-000000000001')`, { accountEnabled: false });
  add('delete a configured service principal', 'DELETE', `/servicePrincipals(appId='cccccccc-0000-0000-0000-000000000001')`, undefined);
  // lists and filters
  for (const f of ["displayName eq 'a", 'displayName gt 1', "displayName eq 'a' or 1 eq 1", 'startswith(displayName)', "tags/any(t:t ne 'x')", '((', "' ; DROP"])
    add(`filter ${f}`, 'GET', `/applications?$filter=${encodeURIComponent(f)}`, undefined);
  add('$top garbage', 'GET', '/servicePrincipals?$top=-5', undefined, { refuse: false });
  // directory objects and roles
  for (const b of [{}, { ids: 'x' }, { ids: null }, '[]']) add(`getByIds ${j(b)}`, 'POST', '/directoryObjects/getByIds', b);
  add('getByIds with odd ids and types', 'POST', '/directoryObjects/getByIds', { ids: [1, null, {}, 'x'], types: [1, 'user'] }, { refuse: false });
  for (const b of [
    {},
    { principalId: c.spId },
    { principalId: 'x', roleDefinitionId: '62e90394-69f5-4237-9190-012177145e10' },
    { principalId: c.spId, roleDefinitionId: 'nope' },
    { principalId: c.spId, roleDefinitionId: '00000000-0000-0000-0000-000000000000' },
    { principalId: '00000000-0000-0000-0000-000000000000', roleDefinitionId: '62e90394-69f5-4237-9190-012177145e10' },
    { principalId: c.spId, roleDefinitionId: '62e90394-69f5-4237-9190-012177145e10', directoryScopeId: '/administrativeUnits/x' },
    '"x"',
  ]) {
    add(`role assignment ${j(b).slice(0, 60)}`, 'POST', '/roleManagement/directory/roleAssignments', b);
  }
  add('role definition unknown', 'GET', '/roleManagement/directory/roleDefinitions/nope', undefined);
  add('role assignment unknown', 'GET', '/roleManagement/directory/roleAssignments/nope', undefined);
  add('delete role assignment unknown', 'DELETE', '/roleManagement/directory/roleAssignments/nope', undefined);
  add('/me', 'GET', '/me', undefined);
  add('unknown segment', 'GET', '/users', undefined);
  add('unknown deep path', 'POST', '/applications/x/y/z', '{}');
  add('beta', 'GET', '/../beta/applications', undefined);
  add('TRACE', 'TRACE', '/applications', undefined);
  // tokens
  add('no token', 'GET', '/applications', undefined, { token: '', status: 401 });
  add('an ARM token', 'GET', '/applications', undefined, { token: c.armToken, status: 401 });
  add('a garbage token', 'GET', '/applications', undefined, { token: 'x.y.z', status: 401 });
  add('Basic auth', 'GET', '/applications', undefined, { token: '', headers: { Authorization: 'Basic eDp5' }, status: 401 });
  // a principal with no directory role: every read and change of others' objects is 403, before any 404
  const nobody = (what: string, method: string, path: string, body?: unknown) => add(`no role: ${what}`, method, path, body, { token: c.nobody, status: 403, code: 'Authorization_RequestDenied' });
  nobody('list applications', 'GET', '/applications');
  nobody('list service principals', 'GET', '/servicePrincipals');
  nobody('create an application', 'POST', '/applications', { displayName: 'x' });
  nobody('create a service principal', 'POST', '/servicePrincipals', { appId: c.appId });
  for (const p of [`/applications/${c.appObjectId}`, `/applications(appId='${c.appId}')`, '/applications/00000000-0000-0000-0000-000000000000']) {
    nobody(`read ${p}`, 'GET', p);
    nobody(`patch ${p}`, 'PATCH', p, { displayName: 'mine' });
    nobody(`delete ${p}`, 'DELETE', p);
    nobody(`addPassword ${p}`, 'POST', `${p}/addPassword`, {});
    nobody(`removePassword ${p}`, 'POST', `${p}/removePassword`, { keyId: c.keyId });
    nobody(`owners ${p}`, 'GET', `${p}/owners`);
    nobody(`take ownership ${p}`, 'POST', `${p}/owners/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${c.spId}` });
  }
  nobody('delete a service principal', 'DELETE', `/servicePrincipals/${c.spId}`);
  nobody('disable a service principal', 'PATCH', `/servicePrincipals/${c.spId}`, { accountEnabled: false });
  nobody('owners of a service principal', 'GET', `/servicePrincipals/${c.spId}/owners`);
  nobody('getByIds', 'POST', '/directoryObjects/getByIds', { ids: [c.spId] });
  nobody('role definitions', 'GET', '/roleManagement/directory/roleDefinitions');
  nobody('role assignments', 'GET', '/roleManagement/directory/roleAssignments');
  nobody('become Global Administrator', 'POST', '/roleManagement/directory/roleAssignments', { principalId: c.spId, roleDefinitionId: '62e90394-69f5-4237-9190-012177145e10', directoryScopeId: '/' });
  nobody('organization', 'GET', '/organization');
  return out;
}
