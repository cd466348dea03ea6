// What a caller may do in a cluster: Kubernetes RBAC (roles, cluster roles and their bindings, stored in the
// cluster, aggregated cluster roles included), and for a cluster with Azure RBAC enabled the data actions of
// the caller's Azure role assignments on the cluster (as Azure RBAC for Kubernetes decides: either allows).
// system:masters is always allowed. A refusal is the API server's 403.

import type { Services } from '../../framework/types.js';
import { covers, normScope, pattern } from '../../authorization/evaluator.js';
import type { Attributes, UserInfo } from '../api.js';
import type { ClusterView } from '../clusters.js';
import type { KubeObject } from '../model.js';
import type { KubeStore } from '../store.js';
import { KubeErrors } from '../status.js';
import { selectorMatches } from '../selectors.js';

const RBAC = 'rbac.authorization.k8s.io';

function subjectMatches(s: any, user: UserInfo, bindingNs?: string): boolean {
  if (!s || typeof s !== 'object') return false;
  if (s.kind === 'User') return s.name === user.username;
  if (s.kind === 'Group') return user.groups.includes(s.name);
  if (s.kind === 'ServiceAccount') return user.username === `system:serviceaccount:${s.namespace ?? bindingNs}:${s.name}`;
  return false;
}

function ruleAllows(rule: any, a: Attributes): boolean {
  if (!rule || typeof rule !== 'object') return false;
  const verbs: string[] = rule.verbs ?? [];
  if (!verbs.includes('*') && !verbs.includes(a.verb)) return false;
  if (Array.isArray(rule.nonResourceURLs) && rule.nonResourceURLs.length) return false;
  const groups: string[] = rule.apiGroups ?? [];
  if (!groups.includes('*') && !groups.includes(a.group)) return false;
  const res: string[] = rule.resources ?? [];
  const want = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const ok = res.includes('*') || res.includes(want) || (a.subresource !== undefined && res.includes(`*/${a.subresource}`));
  if (!ok) return false;
  const names: string[] = rule.resourceNames ?? [];
  if (names.length && (a.name === undefined || !names.includes(a.name))) return false;
  return true;
}

function rulesOfClusterRole(store: KubeStore, cluster: string, name: string, seen = new Set<string>()): any[] {
  if (seen.has(name)) return [];
  seen.add(name);
  const role = store.get(cluster, `${RBAC}/clusterroles`, '', name);
  if (!role) return [];
  const rules = [...(role.rules ?? [])];
  const sels: any[] = role.aggregationRule?.clusterRoleSelectors ?? [];
  if (sels.length) {
    for (const other of store.list(cluster, `${RBAC}/clusterroles`)) {
      if (other.metadata.name === name) continue;
      if (sels.some((sel) => selectorMatches(sel, other.metadata.labels ?? {}))) rules.push(...rulesOfClusterRole(store, cluster, other.metadata.name!, seen));
    }
  }
  return rules;
}

/** Kubernetes RBAC: whether any binding of the user grants the request. */
export function rbacAllows(store: KubeStore, cluster: string, user: UserInfo, a: Attributes): boolean {
  for (const b of store.list(cluster, `${RBAC}/clusterrolebindings`)) {
    if (!(b.subjects ?? []).some((s: any) => subjectMatches(s, user))) continue;
    if (rulesOfClusterRole(store, cluster, b.roleRef?.name).some((r) => ruleAllows(r, a))) return true;
  }
  if (a.namespace) {
    for (const b of store.list(cluster, `${RBAC}/rolebindings`, a.namespace)) {
      if (!(b.subjects ?? []).some((s: any) => subjectMatches(s, user, a.namespace))) continue;
      const rules: any[] =
        b.roleRef?.kind === 'Role' ? ((store.get(cluster, `${RBAC}/roles`, a.namespace, b.roleRef.name) as KubeObject | undefined)?.rules ?? []) : rulesOfClusterRole(store, cluster, b.roleRef?.name);
      if (rules.some((r) => ruleAllows(r, a))) return true;
    }
  }
  return false;
}

/** The Azure data action of a Kubernetes request (Azure RBAC for Kubernetes). */
export function dataAction(view: ClusterView, a: Attributes): { action: string; scope: string } {
  const base = view.kind === 'aks' ? 'Microsoft.ContainerService/managedClusters' : 'Microsoft.Kubernetes/connectedClusters';
  const clusterId = view.kind === 'aks' ? view.anchor : (view.connectedCluster ?? view.anchor);
  const verb = ['get', 'list', 'watch'].includes(a.verb)
    ? 'read'
    : ['create', 'update', 'patch'].includes(a.verb)
      ? 'write'
      : ['delete', 'deletecollection'].includes(a.verb)
        ? 'delete'
        : `${a.verb}/action`;
  const path = [a.group, a.resource].filter((x) => x !== undefined && x !== '').join('/');
  const action =
    a.subresource && ['exec', 'attach', 'portforward', 'proxy'].includes(a.subresource)
      ? `${base}/${[a.group, a.resource, a.subresource].filter(Boolean).join('/')}/action`
      : `${base}/${path}/${verb}`;
  const scope = a.namespace ? `${clusterId}/namespaces/${a.namespace}` : clusterId;
  return { action, scope };
}

/** Azure RBAC: whether the caller's role assignments hold the data action at the cluster (or namespace). */
export function azureAllows(services: Services, view: ClusterView, objectId: string, a: Attributes): boolean {
  const src = services.authorizer;
  if (!src) return false;
  const { action, scope } = dataAction(view, a);
  const target = normScope(scope);
  for (const asg of src.assignmentsOf(objectId)) {
    if (!covers(asg.scope, target)) continue;
    const role = src.role(asg.roleDefinitionGuid);
    if (!role) continue;
    for (const perm of role.permissions) {
      const allow = (perm.dataActions ?? []).some((p) => pattern(p).test(action));
      const deny = (perm.notDataActions ?? []).some((p) => pattern(p).test(action));
      if (allow && !deny) return true;
    }
  }
  return false;
}

export function authorizer(services: Services, store: KubeStore, view: ClusterView | undefined, user: UserInfo, a: Attributes): void {
  if (user.groups.includes('system:masters')) return;
  if (!view) throw KubeErrors.forbidden(user.username, a.verb, a.group, a.resource, { name: a.name, namespace: a.namespace, subresource: a.subresource });
  if (rbacAllows(store, view.key, user, a)) return;
  const oid = user.extra?.oid?.[0];
  if (view.aad && oid) {
    if (view.aad.adminGroups.some((g) => user.groups.includes(g))) return;
    if (view.aad.azureRbac && azureAllows(services, view, oid, a)) return;
  }
  const why = view.aad?.azureRbac && oid ? `User does not have access to the resource in Azure. Update role assignment to allow access.` : undefined;
  throw KubeErrors.forbidden(user.username, a.verb, a.group, a.resource, { name: a.name, namespace: a.namespace, subresource: a.subresource, why });
}
