# Works around a Debian packaging bug, not an emulator one: Debian's azure-cli 2.45 runs against
# python3-azure's azure-mgmt-authorization 3.0.0, whose operation groups keep their configuration
# in `_config`, while az's role module reads `client.config.subscription_id`. Every
# `az role assignment ...` and `az ad sp create-for-rbac --role ...` then fails before sending
# anything: "'RoleAssignmentsOperations' object has no attribute 'config'" (Azure/azure-cli#24959,
# #20546, #22868). Put this directory on PYTHONPATH for az and those commands work, against the
# emulator as against Azure. Nothing else is changed.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _arm_emulator_import_patch import patch_after_import  # noqa: E402

sys.path.pop(0)


def _is_operations_module(name):
    return name.startswith('azure.mgmt.authorization.') and '.operations.' in name and name.endswith('_operations')


def _add_config(module):
    for value in list(vars(module).values()):
        if isinstance(value, type) and value.__name__.endswith('Operations') and not hasattr(value, 'config'):
            value.config = property(lambda self: self._config)


patch_after_import(_is_operations_module, _add_config)
