# What the emulator's Debian packaging fixes (this folder's sitecustomize.py, tools/ansible-azcollection-fix's) have
# in common: a module of the system's packages is patched in memory right after Python runs it; nothing on disk is
# touched. The modules are found as usual (by the finders after this one); only their execution is wrapped.
import importlib.abc
import sys


class _PatchAfterExec(importlib.abc.MetaPathFinder):
    def __init__(self, matches, patch):
        self._matches = matches
        self._patch = patch

    def find_spec(self, name, path, target=None):
        if not self._matches(name):
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
        patch = self._patch

        def exec_module(module):
            original(module)
            patch(module)

        spec.loader.exec_module = exec_module
        return spec


def patch_after_import(matches, patch):
    """Runs patch(module) right after each module whose name matches(name) is executed."""
    sys.meta_path.insert(0, _PatchAfterExec(matches, patch))
