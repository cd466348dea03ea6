// The RBAC action an ARM request needs, derived from its method and resource type as ARM does:
// '{ns}/{type}[/{childType}]/read|write|delete', '{ns}/{type}/{action}/action' for POST actions,
// '{ns}/register/action' for provider registration. Microsoft.Resources' own surfaces use their
// published names (resource groups are 'Microsoft.Resources/subscriptions/resourceGroups/...').

const RESOURCES = 'microsoft.resources';

/** The operation-type prefix of a resource type ('Microsoft.Resources/resourceGroups' -> '.../subscriptions/resourceGroups'). */
export function actionTypeOf(namespace: string, type: string): string {
  if (namespace.toLowerCase() === RESOURCES) {
    const t = type.toLowerCase();
    if (t === 'resourcegroups') return 'Microsoft.Resources/subscriptions/resourceGroups';
    if (t === 'subscriptions') return 'Microsoft.Resources/subscriptions';
    if (t === 'resources') return 'Microsoft.Resources/subscriptions/resources';
    if (t === 'locations') return 'Microsoft.Resources/subscriptions/locations';
    if (t === 'providers') return 'Microsoft.Resources/subscriptions/providers';
  }
  return `${namespace}/${type}`;
}

export function verbOf(method: string): 'read' | 'write' | 'delete' {
  switch (method.toUpperCase()) {
    case 'PUT':
    case 'PATCH':
      return 'write';
    case 'DELETE':
      return 'delete';
    default:
      return 'read';
  }
}

/** The action for a method on a type, or a POST action on it. */
export function actionFor(namespace: string, type: string, method: string, postAction?: string): string {
  const base = actionTypeOf(namespace, type);
  if (postAction !== undefined) return `${base}/${postAction}/action`;
  return `${base}/${verbOf(method)}`;
}

/** The read action for an item of a list, from its wire 'type' ('Microsoft.X/a/b'). */
export function readActionOfWireType(wireType: string): string | undefined {
  const i = wireType.indexOf('/');
  if (i <= 0) return undefined;
  return `${actionTypeOf(wireType.slice(0, i), wireType.slice(i + 1))}/read`;
}

/** '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/x' -> 'Microsoft.Network/virtualNetworks/subnets'. */
export function typeOfResourceId(id: string): string | undefined {
  const segs = id.split('/').filter(Boolean);
  const i = segs.map((s) => s.toLowerCase()).lastIndexOf('providers');
  if (i < 0 || i + 3 > segs.length) return undefined;
  const ns = segs[i + 1];
  const types: string[] = [];
  for (let j = i + 2; j < segs.length; j += 2) types.push(segs[j]);
  return `${ns}/${types.join('/')}`;
}
