"""Onboards a connected cluster and puts GitOps and every catalogued extension type on it with Debian's
python3-azure clients: azure-mgmt-hybridkubernetes (2021-10-01) and azure-mgmt-kubernetesconfiguration
(its default profile, 2022-03-01), signed in with azure-identity's client-secret credential.

Env: EMU_URL, SUB, TENANT, CLIENT_ID, SECRET, RG, TYPES (JSON list of [name, extensionType, settings]
in install order). Prints one JSON object with what the clients saw.
"""
import base64
import json
import os

from azure.identity import ClientSecretCredential
from azure.mgmt.hybridkubernetes import ConnectedKubernetesClient
from azure.mgmt.kubernetesconfiguration import SourceControlConfigurationClient

url = os.environ["EMU_URL"]
sub = os.environ["SUB"]
rg = os.environ["RG"]
cred = ClientSecretCredential(os.environ["TENANT"], os.environ["CLIENT_ID"], os.environ["SECRET"], authority=url, instance_discovery=False)
kw = dict(base_url=url, credential_scopes=["https://management.azure.com/.default"])
out = {}

cc = ConnectedKubernetesClient(cred, sub, **kw).connected_cluster
c = cc.begin_create(rg, "py-arc", {
    "location": "eastus",
    "identity": {"type": "SystemAssigned"},
    "properties": {"agentPublicKeyCertificate": base64.b64encode(b"agent-public-key").decode(), "distribution": "kind", "infrastructure": "generic"},
}, polling_interval=0.1).result()
c = cc.get(rg, "py-arc")
out["cluster"] = {"state": c.provisioning_state, "connectivity": c.connectivity_status, "nodes": c.total_node_count, "agent": c.agent_version, "k8s": bool(c.kubernetes_version)}

kc = SourceControlConfigurationClient(cred, sub, **kw)
target = (rg, "Microsoft.Kubernetes", "connectedClusters", "py-arc")
installed = []
for name, ext_type, settings in json.loads(os.environ["TYPES"]):
    e = kc.extensions.begin_create(*target, name, {
        "extension_type": ext_type,
        "auto_upgrade_minor_version": True,
        "release_train": "Stable",
        "configuration_settings": settings,
    }, polling_interval=0.1).result()
    installed.append([e.name, e.provisioning_state, e.installed_version])
out["extensions"] = installed
out["extensionList"] = sorted(e.name for e in kc.extensions.list(*target))

fc = kc.flux_configurations.begin_create_or_update(*target, "py-gitops", {
    "scope": "cluster",
    "namespace": "py-gitops",
    "source_kind": "GitRepository",
    "git_repository": {"url": "https://github.com/Azure/arc-k8s-demo", "repository_ref": {"branch": "main"}, "sync_interval_in_seconds": 300},
    "kustomizations": {"app": {"path": "./", "prune": True}},
}, polling_interval=0.1).result()
fc = kc.flux_configurations.get(*target, "py-gitops")
out["flux"] = {"state": fc.provisioning_state, "compliance": fc.compliance_state, "kinds": [s.kind for s in fc.statuses], "commit": fc.source_synced_commit_id}
out["fluxList"] = [f.name for f in kc.flux_configurations.list(*target)]
kc.flux_configurations.begin_delete(*target, "py-gitops", polling_interval=0.1).result()
out["fluxAfterDelete"] = [f.name for f in kc.flux_configurations.list(*target)]
cc.begin_delete(rg, "py-arc", polling_interval=0.1).result()
out["afterDelete"] = [x.name for x in cc.list_by_resource_group(rg)]
print(json.dumps(out))
