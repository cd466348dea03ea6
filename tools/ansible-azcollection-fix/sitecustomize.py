# Works around a Debian packaging mismatch, not an emulator one: Debian's `ansible` ships azure.azcollection
# 1.16.0, whose module_utils/azure_rm_common.py imports `RecoveryServicesBackupClient` and
# `azure.mgmt.recoveryservicesbackup.models` from the package's top level, while Debian's python3-azure has the
# newer azure-mgmt-recoveryservicesbackup that moved them to `.activestamp`. The ImportError sets HAS_AZURE to
# False and every azure_rm_* module then fails ("Do you have azure>=... installed?"), against Azure as against
# the emulator. Put this directory on PYTHONPATH (`eval "$(npm run -s env)"` does) and the import works: the
# package gets the two names back from `.activestamp`. Nothing else is changed, nothing on disk is touched.
#
# Python imports one `sitecustomize` only: this one then runs the next sitecustomize.py found on sys.path (the
# az RBAC fix beside it, the system's), so it can be combined with them.
import importlib.util
import os
import sys

_PACKAGE = 'azure.mgmt.recoveryservicesbackup'


def _load_patch_helper():
    # beside the az fix, which may or may not be on sys.path
    here = os.path.dirname(os.path.abspath(__file__))
    helper = os.path.join(here, '..', 'az-debian-rbac-fix', '_arm_emulator_import_patch.py')
    spec = importlib.util.spec_from_file_location('_arm_emulator_import_patch_for_ansible_fix', helper)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.patch_after_import


def _top_level_names(module):
    if hasattr(module, 'RecoveryServicesBackupClient'):
        return  # an SDK that still has it: nothing to do
    try:
        from azure.mgmt.recoveryservicesbackup import activestamp
        from azure.mgmt.recoveryservicesbackup.activestamp import models
    except ImportError:
        return
    module.RecoveryServicesBackupClient = activestamp.RecoveryServicesBackupClient
    module.models = models
    sys.modules.setdefault(_PACKAGE + '.models', models)


_load_patch_helper()(lambda name: name == _PACKAGE, _top_level_names)


def _run_next_sitecustomize():
    here = os.path.dirname(os.path.abspath(__file__))
    after = False
    for entry in list(sys.path):
        folder = os.path.abspath(entry or os.getcwd())
        if not after:
            after = folder == here
            continue
        candidate = os.path.join(folder, 'sitecustomize.py')
        if os.path.isfile(candidate):
            spec = importlib.util.spec_from_file_location('_sitecustomize_after_ansible_fix', candidate)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return


_run_next_sitecustomize()
