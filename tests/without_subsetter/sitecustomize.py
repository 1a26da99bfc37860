"""On PYTHONPATH, makes WeasyPrint believe `libharfbuzz-subset0` is missing, as on a fresh machine.

`weasyprint.text.ffi.harfbuzz_subset` is None there; this sets it to None the moment
that module has run, before anything imports the name from it. Only for tests.
"""

import importlib.abc
import importlib.util
import sys

TARGET = "weasyprint.text.ffi"


class _WithoutSubsetter(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != TARGET:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            module.harfbuzz_subset = None

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _WithoutSubsetter())
