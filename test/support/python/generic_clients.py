"""Types the emulator never hand-built, through Debian's python3-azure: the generic resource calls of
azure-mgmt-resource, and two typed management SDKs (App Service, SQL) that know nothing of the emulator.

Env: EMU_URL, SUB, TENANT, CLIENT_ID, SECRET, RG. Prints one JSON object with what each client saw.
"""
import json
import os

from azure.core.exceptions import HttpResponseError
from azure.identity import ClientSecretCredential
from azure.mgmt.resource import ResourceManagementClient
from azure.mgmt.web import WebSiteManagementClient
from azure.mgmt.sql import SqlManagementClient

url = os.environ["EMU_URL"]
sub = os.environ["SUB"]
rg = os.environ["RG"]
cred = ClientSecretCredential(os.environ["TENANT"], os.environ["CLIENT_ID"], os.environ["SECRET"], authority=url, instance_discovery=False)
kw = dict(base_url=url, credential_scopes=["https://management.azure.com/.default"])
out = {}

res = ResourceManagementClient(cred, sub, **kw)
res.resource_groups.create_or_update(rg, {"location": "westeurope"})
machine_id = f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.HybridCompute/machines/py-machine"
m = res.resources.begin_create_or_update_by_id(machine_id, "2024-07-10", {
    "location": "westeurope", "kind": "HCI", "identity": {"type": "SystemAssigned"}, "properties": {"osType": "linux"},
}, polling_interval=0.1).result()
out["machine"] = {"type": m.type, "location": m.location, "state": m.properties.get("provisioningState"), "principal": bool(m.identity.principal_id)}
out["machineGet"] = res.resources.get_by_id(machine_id, "2024-07-10").name
out["listed"] = sorted(r.type for r in res.resources.list_by_resource_group(rg))
try:
    # a never-modelled type (a private link scope of Arc) with a body its schema refuses
    scope_id = f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.HybridCompute/privateLinkScopes/py-scope"
    res.resources.begin_create_or_update_by_id(scope_id, "2024-07-10", {"location": "westeurope", "properties": {"publicNetworkAccess": ["not", "a", "string"]}}).result()
    out["badBody"] = "accepted"
except HttpResponseError as e:
    out["badBody"] = {"status": e.status_code, "code": e.error.code, "target": e.error.target}

web = WebSiteManagementClient(cred, sub, **kw)
plan = web.app_service_plans.begin_create_or_update(rg, "py-plan", {"location": "westeurope", "sku": {"name": "B1", "tier": "Basic"}, "kind": "linux", "reserved": True}, polling_interval=0.1).result()
site = web.web_apps.begin_create_or_update(rg, "py-site", {
    "location": "westeurope", "server_farm_id": plan.id, "https_only": True,
    "site_config": {"linux_fx_version": "PYTHON|3.11", "app_settings": [{"name": "MODE", "value": "test"}]},
}, polling_interval=0.1).result()
out["site"] = {"type": site.type, "plan": site.server_farm_id == plan.id, "httpsOnly": site.https_only, "state": site.provisioning_state if hasattr(site, "provisioning_state") else None}
out["sites"] = [s.name for s in web.web_apps.list_by_resource_group(rg)]

sql = SqlManagementClient(cred, sub, **kw)
server = sql.servers.begin_create_or_update(rg, "py-sql", {"location": "westeurope", "administrator_login": "sqladmin", "administrator_login_password": "P@ssw0rd-1234"}, polling_interval=0.1).result()
db = sql.databases.begin_create_or_update(rg, "py-sql", "py-db", {"location": "westeurope", "sku": {"name": "S0", "tier": "Standard"}}, polling_interval=0.1).result()
out["sql"] = {"server": server.type, "password": server.administrator_login_password, "db": db.type, "sku": db.sku.name}
out["dbs"] = [d.name for d in sql.databases.list_by_server(rg, "py-sql")]
sql.databases.begin_delete(rg, "py-sql", "py-db", polling_interval=0.1).result()
out["dbsAfterDelete"] = [d.name for d in sql.databases.list_by_server(rg, "py-sql")]

res.resources.begin_delete_by_id(machine_id, "2024-07-10", polling_interval=0.1).result()
out["afterDelete"] = sorted(r.name for r in res.resources.list_by_resource_group(rg))
print(json.dumps(out))
