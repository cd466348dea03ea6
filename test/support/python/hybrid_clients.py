"""Drives Microsoft.Kubernetes connected clusters with Debian's azure-mgmt-hybridkubernetes (2021-10-01).

Env: EMU_URL, SUB, TENANT, CLIENT_ID, SECRET, RG. Prints one JSON object with what the client saw.
"""
import base64
import json
import os

from azure.identity import ClientSecretCredential
from azure.mgmt.hybridkubernetes import ConnectedKubernetesClient

url = os.environ["EMU_URL"]
sub = os.environ["SUB"]
rg = os.environ["RG"]
cred = ClientSecretCredential(os.environ["TENANT"], os.environ["CLIENT_ID"], os.environ["SECRET"], authority=url, instance_discovery=False)
client = ConnectedKubernetesClient(cred, sub, base_url=url, credential_scopes=["https://management.azure.com/.default"])
ops = client.connected_cluster
out = {}

cc = ops.begin_create(rg, "py-cc", {
    "location": "eastus",
    "identity": {"type": "SystemAssigned"},
    "properties": {"agentPublicKeyCertificate": base64.b64encode(b"agent-public-key").decode(), "distribution": "k3s", "infrastructure": "generic"},
}, polling_interval=0.1).result()
out["created"] = {"state": cc.provisioning_state, "connectivity": cc.connectivity_status, "identity": cc.identity.type, "principal": bool(cc.identity.principal_id)}
out["updated"] = ops.update(rg, "py-cc", {"tags": {"team": "ops"}}).tags
got = ops.get(rg, "py-cc")
out["get"] = {"name": got.name, "distribution": got.distribution, "agentVersion": got.agent_version}
out["list"] = [c.name for c in ops.list_by_resource_group(rg)]
creds = ops.list_cluster_user_credential(rg, "py-cc", {"authenticationMethod": "Token", "clientProxy": True})
out["creds"] = [k.name for k in creds.kubeconfigs]
out["kubeconfig"] = creds.kubeconfigs[0].value.decode() if isinstance(creds.kubeconfigs[0].value, (bytes, bytearray)) else base64.b64decode(creds.kubeconfigs[0].value).decode()
try:
    ops.begin_create(rg, "py-noid", {"location": "eastus", "properties": {"agentPublicKeyCertificate": ""}}, polling_interval=0.1).result()
    out["noIdentity"] = "accepted"
except Exception as e:  # HttpResponseError
    out["noIdentity"] = getattr(getattr(e, "error", None), "code", None) or str(e)
ops.begin_delete(rg, "py-cc", polling_interval=0.1).result()
out["afterDelete"] = [c.name for c in ops.list_by_resource_group(rg)]
print(json.dumps(out))
