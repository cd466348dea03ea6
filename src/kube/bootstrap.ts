// What a new cluster holds before anyone writes to it: the system namespaces, default service accounts
// and root CA config maps, the default RBAC roles and bindings, priority classes, storage classes, the
// `kubernetes` and `kube-dns` services, and the system workloads of its kind (AKS add-ons, AKS hybrid's
// components), which the controllers then run like any other workload.

import type { KubeObject } from './model.js';
import type { ClusterView } from './clusters.js';
import { firstIp, nthIp } from './net.js';

export const BOOTSTRAP_VERSION = 1;

export interface BootObject {
  /** Storage group/resource. */
  gr: string;
  object: KubeObject;
}

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const o = (apiVersion: string, kind: string, name: string, namespace: string | undefined, rest: Record<string, unknown> = {}, labels?: Record<string, string>): KubeObject => {
  const metadata: Record<string, unknown> = { name };
  if (namespace) metadata.namespace = namespace;
  if (labels) metadata.labels = labels;
  return { apiVersion, kind, metadata, ...rest } as KubeObject;
};

export function namespaceObjects(ns: string, view: ClusterView): BootObject[] {
  return [
    { gr: 'core/serviceaccounts', object: o('v1', 'ServiceAccount', 'default', ns) },
    { gr: 'core/configmaps', object: o('v1', 'ConfigMap', 'kube-root-ca.crt', ns, { data: { 'ca.crt': view.secrets?.caCert ?? '' } }, undefined) },
  ];
}

const RBAC = 'rbac.authorization.k8s.io/v1';
const rule = (apiGroups: string[], resources: string[], verbs: string[]) => ({ apiGroups, resources, verbs });
const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];

function clusterRoles(): KubeObject[] {
  const bootstrapLabels = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
  const aggregate = (to: string) => ({ [`rbac.authorization.k8s.io/aggregate-to-${to}`]: 'true' });
  const viewRules = [
    rule(
      [''],
      [
        'configmaps',
        'endpoints',
        'persistentvolumeclaims',
        'persistentvolumeclaims/status',
        'pods',
        'replicationcontrollers',
        'replicationcontrollers/scale',
        'serviceaccounts',
        'services',
        'services/status',
      ],
      READ,
    ),
    rule([''], ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status'], READ),
    rule([''], ['namespaces'], READ),
    rule(['discovery.k8s.io'], ['endpointslices'], READ),
    rule(
      ['apps'],
      [
        'controllerrevisions',
        'daemonsets',
        'daemonsets/status',
        'deployments',
        'deployments/scale',
        'deployments/status',
        'replicasets',
        'replicasets/scale',
        'replicasets/status',
        'statefulsets',
        'statefulsets/scale',
        'statefulsets/status',
      ],
      READ,
    ),
    rule(['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'], READ),
    rule(['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status'], READ),
    rule(['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status'], READ),
    rule(['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies'], READ),
    rule(['events.k8s.io'], ['events'], READ),
  ];
  const editRules = [
    rule([''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'], READ),
    rule([''], ['serviceaccounts'], ['impersonate']),
    rule([''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy'], WRITE),
    rule([''], ['pods/eviction'], ['create']),
    rule([''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy'], WRITE),
    rule([''], ['serviceaccounts/token'], ['create']),
    rule(['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale'], WRITE),
    rule(['autoscaling'], ['horizontalpodautoscalers'], WRITE),
    rule(['batch'], ['cronjobs', 'jobs'], WRITE),
    rule(['networking.k8s.io'], ['ingresses', 'networkpolicies'], WRITE),
    rule(['policy'], ['poddisruptionbudgets'], WRITE),
    rule(['coordination.k8s.io'], ['leases'], [...READ, ...WRITE]),
  ];
  const adminRules = [rule(['authorization.k8s.io'], ['localsubjectaccessreviews'], ['create']), rule(['rbac.authorization.k8s.io'], ['rolebindings', 'roles'], [...READ, ...WRITE])];
  const role = (name: string, rules: unknown[], labels: Record<string, string> = {}, extra: Record<string, unknown> = {}) =>
    o(RBAC, 'ClusterRole', name, undefined, { rules, ...extra }, { ...bootstrapLabels, ...labels });
  return [
    role('cluster-admin', [rule(['*'], ['*'], ['*']), { nonResourceURLs: ['*'], verbs: ['*'] }]),
    role('admin', [...viewRules, ...editRules, ...adminRules], {}, { aggregationRule: { clusterRoleSelectors: [{ matchLabels: aggregate('admin') }] } }),
    role('edit', [...viewRules, ...editRules], aggregate('admin'), { aggregationRule: { clusterRoleSelectors: [{ matchLabels: aggregate('edit') }] } }),
    role('view', viewRules, aggregate('edit'), { aggregationRule: { clusterRoleSelectors: [{ matchLabels: aggregate('view') }] } }),
    role('system:discovery', [{ nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], verbs: ['get'] }]),
    role('system:public-info-viewer', [{ nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] }]),
    role('system:basic-user', [
      rule(['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], ['create']),
      rule(['authentication.k8s.io'], ['selfsubjectreviews'], ['create']),
    ]),
    role('system:monitoring', [{ nonResourceURLs: ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'], verbs: ['get'] }]),
    role('system:auth-delegator', [rule(['authentication.k8s.io'], ['tokenreviews'], ['create']), rule(['authorization.k8s.io'], ['subjectaccessreviews'], ['create'])]),
  ];
}

function clusterRoleBindings(): KubeObject[] {
  const bootstrapLabels = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
  const bind = (name: string, role: string, subjects: Record<string, string>[]) =>
    o(RBAC, 'ClusterRoleBinding', name, undefined, { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role }, subjects }, bootstrapLabels);
  const group = (name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name });
  const user = (name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name });
  return [
    bind('cluster-admin', 'cluster-admin', [group('system:masters')]),
    bind('system:discovery', 'system:discovery', [group('system:authenticated')]),
    bind('system:basic-user', 'system:basic-user', [group('system:authenticated')]),
    bind('system:public-info-viewer', 'system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]),
    bind('aks-cluster-monitoring-user', 'view', [user('clusterMonitoringUser')]),
  ];
}

function storageClasses(view: ClusterView): KubeObject[] {
  const sc = (name: string, provisioner: string, isDefault: boolean, parameters: Record<string, string>, expand = true, binding = 'WaitForFirstConsumer') =>
    o(
      'storage.k8s.io/v1',
      'StorageClass',
      name,
      undefined,
      { provisioner, parameters, reclaimPolicy: 'Delete', volumeBindingMode: binding, allowVolumeExpansion: expand },
      { 'addonmanager.kubernetes.io/mode': 'EnsureExists', 'kubernetes.io/cluster-service': 'true' },
    );
  const mark = (x: KubeObject) => {
    x.metadata.annotations = { 'storageclass.kubernetes.io/is-default-class': 'true' };
    return x;
  };
  if (view.kind === 'aks') {
    if (view.targetKind === 'AzureStackHub') {
      return [mark(sc('default', 'disk.csi.azure.com', true, { skuname: 'Standard_LRS' })), sc('managed-premium', 'disk.csi.azure.com', false, { skuname: 'Premium_LRS' })];
    }
    return [
      mark(sc('default', 'disk.csi.azure.com', true, { skuname: 'StandardSSD_LRS' })),
      sc('managed-csi', 'disk.csi.azure.com', false, { skuname: 'StandardSSD_LRS' }),
      sc('managed-csi-premium', 'disk.csi.azure.com', false, { skuname: 'Premium_LRS' }),
      sc('azurefile-csi', 'file.csi.azure.com', false, { skuName: 'Standard_LRS' }, true, 'Immediate'),
      sc('azurefile-csi-premium', 'file.csi.azure.com', false, { skuName: 'Premium_LRS' }, true, 'Immediate'),
    ];
  }
  if (view.kind === 'hybrid' || view.kind === 'appliance') return [mark(sc('default', 'disk.csi.akshci.com', true, { blocksize: '33554432', container: 'SqlStorage' }, true, 'Immediate'))];
  return [mark(sc('standard', 'rancher.io/local-path', true, {}, false, 'WaitForFirstConsumer'))];
}

const CRITICAL = [{ key: 'CriticalAddonsOnly', operator: 'Exists' }];

function systemDeployment(name: string, replicas: number, image: string, cpu: string, memory: string, labels: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject {
  return o(
    'apps/v1',
    'Deployment',
    name,
    'kube-system',
    {
      spec: {
        replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels: { ...labels, 'kubernetes.azure.com/managedby': 'aks' } },
          spec: {
            priorityClassName: 'system-cluster-critical',
            tolerations: CRITICAL,
            containers: [
              {
                name: name.split('-')[0] === 'konnectivity' ? 'konnectivity-agent' : name,
                image,
                resources: { requests: { cpu, memory }, limits: { memory: String(Number(memory.replace('Mi', '')) * 4) + 'Mi' } },
              },
            ],
            ...extra,
          },
        },
      },
    },
    { ...labels, 'addonmanager.kubernetes.io/mode': 'Reconcile', 'kubernetes.io/cluster-service': 'true' },
  );
}

function systemDaemonSet(name: string, image: string, cpu: string, memory: string, labels: Record<string, string>): KubeObject {
  return o(
    'apps/v1',
    'DaemonSet',
    name,
    'kube-system',
    {
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            priorityClassName: 'system-node-critical',
            tolerations: [{ operator: 'Exists' }],
            hostNetwork: true,
            containers: [{ name, image, resources: { requests: { cpu, memory } } }],
          },
        },
      },
    },
    { ...labels, 'addonmanager.kubernetes.io/mode': 'Reconcile' },
  );
}

function systemWorkloads(view: ClusterView): BootObject[] {
  const v = view.kubernetesVersion;
  const out: KubeObject[] = [
    systemDeployment('coredns', 2, 'mcr.microsoft.com/oss/kubernetes/coredns:v1.11.3-2', '100m', '70Mi', { 'k8s-app': 'kube-dns' }),
    systemDeployment('metrics-server', view.kind === 'aks' ? 2 : 1, 'mcr.microsoft.com/oss/kubernetes/metrics-server:v0.7.2', '50m', '85Mi', { 'k8s-app': 'metrics-server' }),
    systemDaemonSet('kube-proxy', `mcr.microsoft.com/oss/kubernetes/kube-proxy:v${v}`, '100m', '50Mi', { component: 'kube-proxy', tier: 'node' }),
  ];
  if (view.kind === 'aks') {
    out.push(
      systemDeployment('konnectivity-agent', 2, 'mcr.microsoft.com/oss/kubernetes/apiserver-network-proxy/agent:v0.30.3-hotfix.20240819', '20m', '20Mi', { app: 'konnectivity-agent' }),
      systemDaemonSet('cloud-node-manager', 'mcr.microsoft.com/oss/kubernetes/azure-cloud-node-manager:v1.31.1', '50m', '50Mi', { 'k8s-app': 'cloud-node-manager' }),
      systemDaemonSet('csi-azuredisk-node', 'mcr.microsoft.com/oss/kubernetes-csi/azuredisk-csi:v1.31.0', '30m', '60Mi', { app: 'csi-azuredisk-node' }),
      systemDaemonSet('csi-azurefile-node', 'mcr.microsoft.com/oss/kubernetes-csi/azurefile-csi:v1.31.0', '30m', '60Mi', { app: 'csi-azurefile-node' }),
    );
  } else if (view.kind === 'hybrid') {
    out.push(
      systemDaemonSet('calico-node', 'mcr.microsoft.com/oss/calico/node:v3.28.2', '150m', '100Mi', { 'k8s-app': 'calico-node' }),
      systemDaemonSet('csi-akshcicsi-node', 'mcr.microsoft.com/oss/kubernetes-csi/akshcicsi:v1.2.0', '20m', '40Mi', { app: 'csi-akshcicsi-node' }),
    );
  }
  const gr = (x: KubeObject) => (x.kind === 'Deployment' ? 'apps/deployments' : 'apps/daemonsets');
  return out.map((x) => ({ gr: gr(x), object: x }));
}

/** The objects of a new cluster (the controllers then make pods, endpoints and so on from them). */
export function bootstrapObjects(view: ClusterView, apiServerAddress: { ip: string; port: number }): BootObject[] {
  const out: BootObject[] = [];
  for (const ns of SYSTEM_NAMESPACES) {
    out.push({ gr: 'core/namespaces', object: o('v1', 'Namespace', ns, undefined) });
    out.push(...namespaceObjects(ns, view));
  }
  for (const r of clusterRoles()) out.push({ gr: 'rbac.authorization.k8s.io/clusterroles', object: r });
  for (const b of clusterRoleBindings()) out.push({ gr: 'rbac.authorization.k8s.io/clusterrolebindings', object: b });
  out.push(
    {
      gr: 'scheduling.k8s.io/priorityclasses',
      object: o('scheduling.k8s.io/v1', 'PriorityClass', 'system-cluster-critical', undefined, {
        value: 2000000000,
        description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
      }),
    },
    {
      gr: 'scheduling.k8s.io/priorityclasses',
      object: o('scheduling.k8s.io/v1', 'PriorityClass', 'system-node-critical', undefined, {
        value: 2000001000,
        description: 'Used for system critical pods that must not be moved from their current node.',
      }),
    },
  );
  for (const sc of storageClasses(view)) out.push({ gr: 'storage.k8s.io/storageclasses', object: sc });
  const kubernetesIp = firstIp(view.serviceCidr);
  out.push({
    gr: 'core/services',
    object: o(
      'v1',
      'Service',
      'kubernetes',
      'default',
      {
        spec: {
          type: 'ClusterIP',
          clusterIP: kubernetesIp,
          clusterIPs: [kubernetesIp],
          ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: apiServerAddress.port }],
          sessionAffinity: 'None',
        },
      },
      { component: 'apiserver', provider: 'kubernetes' },
    ),
  });
  out.push({
    gr: 'core/endpoints',
    object: o(
      'v1',
      'Endpoints',
      'kubernetes',
      'default',
      { subsets: [{ addresses: [{ ip: apiServerAddress.ip }], ports: [{ name: 'https', port: apiServerAddress.port, protocol: 'TCP' }] }] },
      { 'endpointslice.kubernetes.io/skip-mirror': 'true' },
    ),
  });
  out.push({
    gr: 'core/services',
    object: o(
      'v1',
      'Service',
      'kube-dns',
      'kube-system',
      {
        spec: {
          type: 'ClusterIP',
          clusterIP: view.dnsServiceIP,
          clusterIPs: [view.dnsServiceIP],
          selector: { 'k8s-app': 'kube-dns' },
          ports: [
            { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
            { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
          ],
        },
      },
      { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
    ),
  });
  out.push({
    gr: 'core/services',
    object: o(
      'v1',
      'Service',
      'metrics-server',
      'kube-system',
      {
        spec: {
          type: 'ClusterIP',
          clusterIP: nthIp(view.serviceCidr, 2),
          clusterIPs: [nthIp(view.serviceCidr, 2)],
          selector: { 'k8s-app': 'metrics-server' },
          ports: [{ port: 443, protocol: 'TCP', targetPort: 4443 }],
        },
      },
      { 'k8s-app': 'metrics-server' },
    ),
  });
  out.push(...systemWorkloads(view));
  return out;
}
