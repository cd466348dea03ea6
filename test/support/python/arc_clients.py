"""Drives the Arc path with Debian's python3-azure management clients against a test emulator.

Env: EMU_URL, SUB, TENANT, CLIENT_ID, SECRET, RG. Prints one JSON object with what each client saw.
Each client creates, reads, lists and deletes through its own API, signed in with azure-identity's
client-secret credential (instance discovery off: the emulator is its own authority).
"""
import json
import os
import sys

from azure.identity import ClientSecretCredential
from azure.mgmt.resourceconnector import Appliances
from azure.mgmt.extendedlocation import CustomLocations
from azure.mgmt.kubernetesconfiguration import SourceControlConfigurationClient

url = os.environ["EMU_URL"]
sub = os.environ["SUB"]
rg = os.environ["RG"]
scopes = ["https://management.azure.com/.default"]
cred = ClientSecretCredential(os.environ["TENANT"], os.environ["CLIENT_ID"], os.environ["SECRET"], authority=url, instance_discovery=False)
kw = dict(base_url=url, credential_scopes=scopes)
out = {}

rc = Appliances(cred, sub, **kw)
app = rc.appliances.begin_create_or_update(rg, "py-bridge", {
    "location": "eastus",
    "identity": {"type": "SystemAssigned"},
    "properties": {"distro": "AKSEdge", "infrastructureConfig": {"provider": "HCI"}},
}, polling_interval=0.1).result()
out["appliance"] = {"state": app.provisioning_state, "status": app.status, "provider": app.infrastructure_config.provider}
out["applianceList"] = [a.name for a in rc.appliances.list_by_resource_group(rg)]
out["applianceCreds"] = [k.name for k in rc.appliances.list_cluster_user_credential(rg, "py-bridge").kubeconfigs]

kc = SourceControlConfigurationClient(cred, sub, **kw)
ext = kc.extensions.begin_create(rg, "Microsoft.ResourceConnector", "appliances", "py-bridge", "hybridaks", {
    "extension_type": "Microsoft.HybridAKSOperator",
    "auto_upgrade_minor_version": True,
    "release_train": "Stable",
    "configuration_protected_settings": {"secret": "hidden"},
}, polling_interval=0.1).result()
out["extension"] = {"state": ext.provisioning_state, "version": ext.installed_version, "protected": ext.configuration_protected_settings}
out["extensionList"] = [e.name for e in kc.extensions.list(rg, "Microsoft.ResourceConnector", "appliances", "py-bridge")]

cl = CustomLocations(cred, sub, **kw)
loc = cl.custom_locations.begin_create_or_update(rg, "py-cl", {
    "location": "eastus",
    "host_resource_id": app.id,
    "namespace": "py-cl",
    "cluster_extension_ids": [ext.id],
    "host_type": "Kubernetes",
}, polling_interval=0.1).result()
out["customLocation"] = {"state": loc.provisioning_state, "host": loc.host_resource_id}
out["enabledTypes"] = [t.extension_type for t in cl.custom_locations.list_enabled_resource_types(rg, "py-cl")]
out["customLocationList"] = [c.name for c in cl.custom_locations.list_by_resource_group(rg)]

try:
    cl.custom_locations.get(rg, "missing")
except Exception as e:  # HttpResponseError / ResourceNotFoundError
    out["missing"] = getattr(getattr(e, "error", None), "code", None) or type(e).__name__

cl.custom_locations.begin_delete(rg, "py-cl", polling_interval=0.1).result()
kc.extensions.begin_delete(rg, "Microsoft.ResourceConnector", "appliances", "py-bridge", "hybridaks", polling_interval=0.1).result()
rc.appliances.begin_delete(rg, "py-bridge", polling_interval=0.1).result()
out["afterDelete"] = [a.name for a in rc.appliances.list_by_resource_group(rg)]
json.dump(out, sys.stdout)
