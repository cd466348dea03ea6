# Works around a Debian packaging bug, not an emulator one: Debian's azure-cli 2.45 runs against
# python3-azure's azure-mgmt-authorization 3.0.0, whose operation groups keep their configuration
# in `_config`, while az's role module reads `client.config.subscription_id`. Every
# `az role assignment ...` and `az ad sp create-for-rbac --role ...` then fails before sending
# anything: "'RoleAssignmentsOperations' object has no attribute 'config'" (Azure/azure-cli#24959,
# #20546, #22868). Put this directory on PYTHONPATH for az and those commands work, against the
# emulator as against Azure. Nothing else is changed.
import importlib.abc
import sys


class _AuthorizationOperationsConfig(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if not (name.startswith('azure.mgmt.authorization.') and '.operations.' in name and name.endswith('_operations')):
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, 'find_spec'):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        original = spec.loader.exec_module

        def exec_module(module):
            original(module)
            for value in list(vars(module).values()):
                if isinstance(value, type) and value.__name__.endswith('Operations') and not hasattr(value, 'config'):
                    value.config = property(lambda self: self._config)

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _AuthorizationOperationsConfig())
