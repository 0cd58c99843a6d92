"""Modules imported on first use.

Plugins are loaded, and their model modules imported, at the first compile of a
session. Heavy dependencies that only some models need (``scipy.sparse`` costs
more than the rest of a compile put together) are therefore bound with
:func:`lazy_module` instead of a module-level import: the name is there at
import time, the import happens on the first attribute access.
"""

from __future__ import annotations

import importlib
import sys
import types


class _LazyModule(types.ModuleType):
    """Stands for a module until an attribute is read, then imports it and takes on its namespace."""

    def __getattr__(self, attr: str):
        module = importlib.import_module(self.__name__)
        self.__dict__.update(module.__dict__)  # later reads are plain attribute lookups
        return getattr(module, attr)

    def __dir__(self) -> list[str]:
        return dir(importlib.import_module(self.__name__))


def lazy_module(name: str) -> types.ModuleType:
    """``name`` itself if it is already imported, else a stand-in that imports it on first use.

    Importing it fails at first use, not here: a missing optional dependency is
    reported by the feature that needs it.
    """
    module = sys.modules.get(name)
    if module is not None:
        return module
    return _LazyModule(name)


def lazy_exports(namespace: dict, exports: dict[str, str]) -> tuple:
    """``(__getattr__, __dir__)`` for a package whose public names are imported on first use (PEP 562).

    ``exports`` maps each name to the module that defines it. Plugins and libraries use it so that
    loading them (at every session's first compile) imports none of their heavier modules::

        __getattr__, __dir__ = lazy_exports(globals(), {"QUBO": "caldera_optim.problems"})

    Beware a name that is also a submodule's: importing the submodule rebinds the package attribute.
    """

    def __getattr__(name: str):
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__
