# Debian's python3-kubernetes against one of the emulator's clusters (KUBECONFIG): nodes, a deployment with
# a LoadBalancer service, the rollout watched, a scale, a delete. Prints what it saw as JSON.
import json
import os
import sys

from kubernetes import client, config, watch

config.load_kube_config(config_file=os.environ['KUBECONFIG'])
core = client.CoreV1Api()
apps = client.AppsV1Api()
name = os.environ.get('NAME', 'pyweb')
out = {}

nodes = core.list_node().items
out['nodes'] = sorted(n.metadata.name for n in nodes)
out['ready'] = all(any(c.type == 'Ready' and c.status == 'True' for c in n.status.conditions) for n in nodes)
out['version'] = client.VersionApi().get_code().git_version

dep = {
    'apiVersion': 'apps/v1', 'kind': 'Deployment', 'metadata': {'name': name, 'labels': {'app': name}},
    'spec': {'replicas': 3, 'selector': {'matchLabels': {'app': name}},
             'template': {'metadata': {'labels': {'app': name}},
                          'spec': {'containers': [{'name': 'web', 'image': 'nginx:1.27', 'ports': [{'containerPort': 80}]}]}}},
}
svc = {'apiVersion': 'v1', 'kind': 'Service', 'metadata': {'name': name},
       'spec': {'type': 'LoadBalancer', 'selector': {'app': name}, 'ports': [{'port': 80, 'targetPort': 80}]}}
apps.create_namespaced_deployment('default', dep)
core.create_namespaced_service('default', svc)


def wait_available(n):
    w = watch.Watch()
    for ev in w.stream(apps.list_namespaced_deployment, 'default', field_selector=f'metadata.name={name}', timeout_seconds=120):
        d = ev['object']
        if d.status.available_replicas == n and d.status.updated_replicas == n and (d.status.replicas or 0) == n:
            w.stop()
            return True
    return False


out['rolledOut'] = wait_available(3)
pods = core.list_namespaced_pod('default', label_selector=f'app={name}').items
out['pods'] = len(pods)
out['running'] = all(p.status.phase == 'Running' for p in pods)
out['spread'] = len({p.spec.node_name for p in pods})

apps.patch_namespaced_deployment_scale(name, 'default', {'spec': {'replicas': 5}})
out['scaled'] = wait_available(5)

ip = None
w = watch.Watch()
for ev in w.stream(core.list_namespaced_service, 'default', field_selector=f'metadata.name={name}', timeout_seconds=60):
    ing = (ev['object'].status.load_balancer.ingress or []) if ev['object'].status.load_balancer else []
    if ing:
        ip = ing[0].ip
        w.stop()
out['externalIP'] = ip

try:
    core.read_namespaced_config_map('nope', 'default')
except client.exceptions.ApiException as e:
    out['notFound'] = [e.status, json.loads(e.body)['reason']]

apps.delete_namespaced_deployment(name, 'default')
core.delete_namespaced_service(name, 'default')
out['deleted'] = name not in [d.metadata.name for d in apps.list_namespaced_deployment('default').items]
print(json.dumps(out))
