// The pure parts of RBAC: action patterns, NotActions, scope inheritance, action derivation, linked scopes.
import assert from 'node:assert/strict';
import { compileRole, covers, isAllowed, normScope, pattern, roleAllows, type RoleSource } from '../../src/authorization/evaluator.js';
import { BUILTIN_ROLES, builtinRole, builtinRoleByName, CONTRIBUTOR_ID, READER_ID } from '../../src/authorization/builtin-roles.js';
import { actionFor, readActionOfWireType, typeOfResourceId } from '../../src/authorization/actions.js';
import { linkedScopes } from '../../src/authorization/enforce.js';

describe('RBAC evaluator (pure)', () => {
  it('action patterns: case-insensitive, * spans segments, nothing else is special', () => {
    assert.ok(pattern('*/read').test('Microsoft.ContainerService/managedClusters/agentPools/read'));
    assert.ok(pattern('Microsoft.ContainerService/*/read').test('microsoft.containerservice/managedclusters/READ'));
    assert.ok(!pattern('*/read').test('Microsoft.ContainerService/managedClusters/write'));
    assert.ok(pattern('Microsoft.ContainerService/managedClusters/list*/action').test('Microsoft.ContainerService/managedClusters/listClusterUserCredential/action'));
    assert.ok(!pattern('Microsoft.X.Y/read').test('Microsoft/X/Y/read'), "'.' is literal");
  });

  it('Contributor: everything but Microsoft.Authorization writes and deletes; Reader: reads only', () => {
    const c = compileRole(builtinRole(CONTRIBUTOR_ID)!);
    assert.ok(roleAllows(c, 'Microsoft.ContainerService/managedClusters/write'));
    assert.ok(roleAllows(c, 'Microsoft.Authorization/roleAssignments/read'));
    assert.ok(!roleAllows(c, 'Microsoft.Authorization/roleAssignments/write'));
    assert.ok(!roleAllows(c, 'Microsoft.Authorization/roleDefinitions/delete'));
    const r = compileRole(builtinRole(READER_ID)!);
    assert.ok(roleAllows(r, 'Microsoft.Resources/subscriptions/resourceGroups/read'));
    assert.ok(!roleAllows(r, 'Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action'));
  });

  it('scopes: an assignment covers its scope and below, on segment boundaries, whatever the case', () => {
    const rg1 = normScope('/subscriptions/S/resourceGroups/rg1');
    assert.ok(covers(rg1, normScope('/subscriptions/s/resourcegroups/RG1/providers/Microsoft.ContainerService/managedClusters/c')));
    assert.ok(covers(rg1, rg1));
    assert.ok(!covers(rg1, normScope('/subscriptions/s/resourceGroups/rg10')));
    assert.ok(!covers(rg1, normScope('/subscriptions/s')));
    assert.ok(covers('/', rg1));
    assert.equal(normScope(''), '/');
    assert.equal(normScope('/subscriptions/S/'), '/subscriptions/s');
  });

  it('isAllowed sums the caller’s assignments along the scope chain', () => {
    const src: RoleSource = {
      role: (g) => (builtinRole(g) ? compileRole(builtinRole(g)!) : undefined),
      assignmentsOf: (p) =>
        p === 'op'
          ? [
              { key: 'a', principalId: 'op', scope: '/subscriptions/s', roleDefinitionGuid: READER_ID },
              { key: 'b', principalId: 'op', scope: '/subscriptions/s/resourcegroups/team', roleDefinitionGuid: CONTRIBUTOR_ID },
            ]
          : [],
    };
    assert.ok(isAllowed(src, 'op', 'Microsoft.Resources/subscriptions/resourceGroups/read', '/subscriptions/s/resourceGroups/other'));
    assert.ok(!isAllowed(src, 'op', 'Microsoft.Resources/subscriptions/resourceGroups/write', '/subscriptions/s/resourceGroups/other'));
    assert.ok(isAllowed(src, 'op', 'Microsoft.ContainerService/managedClusters/write', '/subscriptions/s/resourceGroups/team/providers/Microsoft.ContainerService/managedClusters/c'));
    assert.ok(!isAllowed(src, 'someone', 'Microsoft.Resources/subscriptions/resourceGroups/read', '/subscriptions/s'));
  });

  it('actions from method and type, as ARM names them', () => {
    assert.equal(actionFor('Microsoft.Resources', 'resourceGroups', 'PUT'), 'Microsoft.Resources/subscriptions/resourceGroups/write');
    assert.equal(actionFor('Microsoft.Resources', 'resourceGroups', 'HEAD'), 'Microsoft.Resources/subscriptions/resourceGroups/read');
    assert.equal(actionFor('Microsoft.ContainerService', 'managedClusters/agentPools', 'DELETE'), 'Microsoft.ContainerService/managedClusters/agentPools/delete');
    assert.equal(actionFor('Microsoft.ContainerService', 'managedClusters', 'POST', 'listClusterUserCredential'), 'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action');
    assert.equal(readActionOfWireType('Microsoft.Resources/resourceGroups'), 'Microsoft.Resources/subscriptions/resourceGroups/read');
    assert.equal(typeOfResourceId('/subscriptions/s/resourceGroups/n/providers/Microsoft.Network/virtualNetworks/v/subnets/x'), 'Microsoft.Network/virtualNetworks/subnets');
  });

  it('linked scopes: custom location in extendedLocation, networks in known properties (nested, arrays)', () => {
    const cl = '/subscriptions/s/resourceGroups/site/providers/Microsoft.ExtendedLocation/customLocations/cl';
    const ln = '/subscriptions/s/resourceGroups/site/providers/Microsoft.AzureStackHCI/logicalNetworks/lnet';
    const got = linkedScopes({
      extendedLocation: { type: 'CustomLocation', name: cl },
      properties: { cloudProviderProfile: { infraNetworkProfile: { vnetSubnetIds: [ln, ln] } }, other: { name: '/not/an/id' } },
    });
    assert.deepEqual(got, [
      { action: 'Microsoft.ExtendedLocation/customLocations/deploy/action', scope: cl },
      { action: 'Microsoft.AzureStackHCI/logicalNetworks/join/action', scope: ln },
    ]);
    assert.deepEqual(linkedScopes({ extendedLocation: { type: 'EdgeZone', name: 'losangeles' }, properties: {} }), []);
  });

  it('the built-in catalogue: unique ids and names, the roles the personas need', () => {
    assert.equal(new Set(BUILTIN_ROLES.map((r) => r.name)).size, BUILTIN_ROLES.length);
    assert.equal(new Set(BUILTIN_ROLES.map((r) => r.roleName)).size, BUILTIN_ROLES.length);
    for (const n of [
      'Owner',
      'Contributor',
      'Reader',
      'User Access Administrator',
      'Azure Kubernetes Service Cluster Admin Role',
      'Azure Kubernetes Service Cluster User Role',
      'Azure Kubernetes Service Contributor Role',
      'Azure Kubernetes Service RBAC Cluster Admin',
      'Azure Arc Kubernetes Admin',
      'Azure Arc Kubernetes Cluster Admin',
      'Azure Arc Kubernetes Viewer',
      'Azure Arc Kubernetes Writer',
      'Azure Stack HCI Administrator',
      'Azure Stack HCI VM Contributor',
      'Azure Stack HCI VM Reader',
      'Azure Resource Bridge Deployment Role',
    ]) {
      assert.ok(builtinRoleByName(n), n);
    }
    const hci = compileRole(builtinRoleByName('Azure Stack HCI VM Contributor')!);
    assert.ok(roleAllows(hci, 'Microsoft.ExtendedLocation/customLocations/deploy/action'));
    assert.ok(roleAllows(hci, 'Microsoft.AzureStackHCI/logicalNetworks/join/action'));
    assert.ok(!roleAllows(hci, 'Microsoft.ContainerService/managedClusters/write'));
  });
});
